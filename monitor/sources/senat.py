"""The "senat" family: Sénat questions (open-data CSV + question pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from monitor.sources.base import HttpUrl, SourceBase
from spiders import defaults
from storage import items as store_items

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.config import Config


class SenatSource(SourceBase):
    spider: Literal["senat"] = Field("senat", description='"senat": Sénat questions.')
    url: HttpUrl = Field(defaults.SENAT_URL, description="The Sénat site (question pages).")
    open_data_url: HttpUrl = Field(
        defaults.SENAT_OPEN_DATA_URL, description="The open-data host (CSV)."
    )
    csv_path: str = Field(
        defaults.SENAT_CSV_PATH,
        description="Path of the questions CSV on open_data_url.",
    )
    follow: list[str] = Field(
        [], description="Question references or page URLs followed whatever their text."
    )
    pages: bool = Field(
        True, description="Fetch the question page of matched and followed questions."
    )


def spider_kwargs(
    cfg: Config, name: str, src: SenatSource, db: sqlite_utils.Database | None
) -> dict[str, Any]:
    """SenatSpider's arguments beyond source/url/validators."""
    return {
        "open_data_url": src.open_data_url,
        "csv_path": src.csv_path,
        "follow": list(src.follow),
        "pages": src.pages,
        "followed": sorted(store_items.followed_ids(db, name)) if db is not None else [],
        "max_dump_bytes": cfg.crawl.max_dump_bytes,
    }
