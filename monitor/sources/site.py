"""The "site" family: press sites (feeds, WordPress API, sitemaps, listings) → articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from monitor.sources.base import Section, SourceBase
from storage import items as store_items

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.config import Config


class Selectors(Section):
    title: str | None = Field(None, description="CSS selector of an article's title.")
    body: str | None = Field(None, description="CSS selector of an article's text.")
    date: str | None = Field(None, description="CSS selector of an article's date text.")
    author: str | None = Field(None, description="CSS selector of an article's author.")
    links: str | None = Field(None, description="CSS selector of article links on listing pages.")


class SiteSource(SourceBase):
    spider: Literal["site"] = Field(
        "site", description='"site": feeds, WordPress API, sitemaps, listings.'
    )
    feeds: list[str] = Field([], description="Feed URLs or paths (tried before autodiscovery).")
    sitemaps: list[str] = Field(
        [],
        description="Sitemap URLs or paths (tried before /sitemap.xml, /wp-sitemap.xml, robots.txt).",
    )
    listings: list[str] = Field(
        [],
        description="Listing pages (paths or URLs) whose article links are followed; default the home page.",
    )
    selectors: Selectors = Field(
        Selectors(), description="Per-site CSS selectors; they win over metadata when they match."
    )
    revalidate_known: bool = Field(
        False,
        description="Re-ask known articles with a conditional request (304 when unchanged) even when no feed/sitemap says they changed.",
    )


def spider_kwargs(
    cfg: Config, name: str, src: SiteSource, db: sqlite_utils.Database | None
) -> dict[str, Any]:
    """SiteSpider's arguments beyond source/url/validators."""
    return {
        "feeds": src.feeds,
        "sitemaps": src.sitemaps,
        "listings": src.listings,
        "selectors": src.selectors.model_dump(),
        "max_depth": cfg.crawl.max_depth,
        "revalidate_known": src.revalidate_known,
        "known": store_items.known_articles(db, name) if db is not None else {},
    }
