"""The "an_legis" family: the Assemblée's legislative work (issue 11).

Bills, reports and texts adopted, dossiers, amendments, agenda points and sitting sections,
from the open-data dumps (first load, periodic reconciliation) and the daily publication lists
(everything published since the last run, within minutes of publication).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from monitor.sources.base import HttpUrl, SourceBase
from spiders import defaults
from storage import legis as store_legis
from storage.deputies import load_deputies
from storage.state import get_state

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.config import Config

#: the key of ``source_state`` holding the last daily list fully read
LISTS_READ_UNTIL = "lists_read_until"
#: test knob: the calendar day (YYYY-MM-DD) a run takes as today, so a fixture captured on a
#: given day replays as on that day (city-scrapers pins the clock the same way)
TODAY_KNOB = "VIGIE_TODAY"


class AnLegisSource(SourceBase):
    spider: Literal["an_legis"] = Field(
        "an_legis",
        description='"an_legis": Assemblée bills, dossiers, amendments, agenda, debates.',
    )
    url: HttpUrl = Field(
        defaults.ASSEMBLEE_URL,
        description="The Assemblée site: daily publication lists, single documents, human pages.",
    )
    open_data_url: HttpUrl = Field(
        defaults.ASSEMBLEE_OPEN_DATA_URL,
        description="The open-data host: the dumps under /static/openData/repository/{legislature}/.",
    )
    legislature: int = Field(
        defaults.ASSEMBLEE_LEGISLATURE, ge=1, le=30, description="Legislature watched."
    )
    kinds: list[Literal["document", "dossier", "amendment", "agenda", "debate"]] = Field(
        ["document", "dossier", "amendment", "agenda", "debate"],
        description="What is watched: document (bills, reports, texts adopted), dossier, "
        "amendment, agenda (points of the agenda), debate (sitting sections).",
    )
    follow: list[str] = Field(
        [],
        description="Document, dossier or amendment uids followed whatever their text "
        '(e.g. "PIONANR5L17B2504"); everything attached to them is followed too.',
    )
    since: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="First day whose publication list is read on a first run (YYYY-MM-DD); "
        "default: today only (the dumps give the past).",
    )
    deputies: bool = Field(
        True, description="Download the deputies dump for authors, groups and commissions."
    )


def spider_kwargs(
    cfg: Config, name: str, src: AnLegisSource, db: sqlite_utils.Database | None
) -> dict[str, Any]:
    """AnLegisSpider's arguments: what the store holds (so nothing held is fetched again)."""
    known, prints = store_legis.held_versions(db, name) if db is not None else ({}, {})
    return {
        "open_data_url": src.open_data_url,
        "legislature": src.legislature,
        "kinds": list(src.kinds),
        "follow": list(src.follow),
        "deputies": src.deputies,
        "since": src.since,
        "known": known,
        "fingerprints": prints,
        "lists_read_until": get_state(db, name, LISTS_READ_UNTIL) if db is not None else None,
        "max_dump_bytes": cfg.crawl.max_dump_bytes,
        "today": os.environ.get(TODAY_KNOB) or None,
        # the last AMO10 read: the deputies dump is asked conditionally and a 304 keeps names
        "known_deputies": load_deputies(db, name) if db is not None else {},
    }
