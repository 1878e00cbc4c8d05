"""The "assemblee" family: Assemblée nationale questions (open-data dumps + question pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from monitor.sources.base import HttpUrl, SourceBase
from spiders import defaults
from storage import items as store_items
from storage.deputies import load_deputies
from storage.queries import qe_gap_count

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.config import Config


class AssembleeSource(SourceBase):
    spider: Literal["assemblee"] = Field(
        "assemblee", description='"assemblee": Assemblée nationale questions.'
    )
    url: HttpUrl = Field(defaults.ASSEMBLEE_URL, description="The Assemblée site (question pages).")
    open_data_url: HttpUrl = Field(
        defaults.ASSEMBLEE_OPEN_DATA_URL, description="The open-data host (nightly dumps)."
    )
    legislature: int = Field(
        defaults.ASSEMBLEE_LEGISLATURE,
        ge=1,
        le=30,
        description="Legislature whose questions are watched.",
    )
    kinds: list[Literal["QE", "QG", "QOSD"]] = Field(
        ["QE", "QG", "QOSD"],
        description="Question types: QE (written), QG (to the Government), QOSD (oral).",
    )
    follow: list[str] = Field(
        [], description="Question uids or page URLs followed whatever their text."
    )
    deputies: bool = Field(
        True, description="Download the deputies dump for author names and circonscriptions."
    )
    pages: bool = Field(
        True, description="Fetch the question page of matched and followed questions."
    )


def spider_kwargs(
    cfg: Config, name: str, src: AssembleeSource, db: sqlite_utils.Database | None
) -> dict[str, Any]:
    """AssembleeSpider's arguments beyond source/url/validators."""
    return {
        "open_data_url": src.open_data_url,
        "legislature": src.legislature,
        "kinds": list(src.kinds),
        "follow": list(src.follow),
        "deputies": src.deputies,
        "pages": src.pages,
        "followed": sorted(store_items.followed_ids(db, name)) if db is not None else [],
        "max_dump_bytes": cfg.crawl.max_dump_bytes,
        "fingerprints": store_items.fingerprints(db, name) if db is not None else {},
        # the last AMO10 read: the deputies dump is asked conditionally and a 304 keeps names
        "known_deputies": load_deputies(db, name) if db is not None else {},
    }


def run_counters(db: sqlite_utils.Database, name: str, src: AssembleeSource) -> dict[str, int]:
    """Completeness after a crawl: written-question numbers never seen (``vigie gaps``)."""
    return {"gaps": qe_gap_count(db, src.legislature, name)}
