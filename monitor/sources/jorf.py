"""The "jorf" family: the Journal officiel from DILA's open data (issue 12)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from monitor.sources.base import HttpUrl, SourceBase
from spiders import defaults
from storage.state import read_names

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.config import Config


class JorfSource(SourceBase):
    spider: Literal["jorf"] = Field("jorf", description='"jorf": Journal officiel texts (DILA).')
    url: HttpUrl = Field(
        defaults.JORF_URL,
        description="The directory listing the incremental archives JORF_YYYYMMDD-HHMMSS.tar.gz.",
    )
    natures: list[str] = Field(
        list(defaults.JORF_NATURES),
        description="Natures of texts kept (META NATURE), e.g. ARRETE, DECRET, AVIS.",
    )
    since: date | None = Field(
        None,
        description="Oldest archive day read (ISO date); unset: the last 7 days on the first run, "
        "then from the oldest archive already read.",
    )
    max_archives: int = Field(
        60, ge=1, description="Archives read per run at most (a catch-up goes on next run)."
    )


def archives_read(db: sqlite_utils.Database | None, name: str) -> list[str]:
    """Names of the archives already read whole (``source_state`` rows written by the
    pipeline from the spider's ``ArchivesReadItem``, in the transaction of their last texts)."""
    return read_names(db, name) if db is not None else []


def spider_kwargs(
    cfg: Config, name: str, src: JorfSource, db: sqlite_utils.Database | None
) -> dict[str, Any]:
    """JorfSpider's arguments beyond source/url/validators."""
    return {
        "natures": [n.upper() for n in src.natures],
        "since": src.since.isoformat() if src.since else None,
        "read": archives_read(db, name),
        "max_archives": src.max_archives,
        "max_dump_bytes": cfg.crawl.max_dump_bytes,
    }
