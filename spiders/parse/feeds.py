"""RSS/Atom: find a site's feeds in its HTML head, and read one feed page into plain entries.

Dates stay as the feed wrote them (``date_raw``): ``monitor/ingest/dates.py`` owns parsing, and a raw
"Tue, 03 Feb 2026 09:12:00 +0100" keeps its offset where feedparser's struct would drop it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

import feedparser
import lxml.html

FEED_TYPES = {"application/rss+xml", "application/atom+xml"}
# raised because parse_feed gets bytes without HTTP headers; the XML itself is fine
HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


@dataclass
class FeedEntry:
    url: str | None
    guid: str | None = None
    title: str | None = None
    date_raw: str | None = None  # <pubDate> / <published> text; <updated> when that is all
    updated_raw: str | None = None  # <updated> / <dc:date> / <atom:updated> text, when present
    author: str | None = None
    content_html: str | None = None  # <content:encoded> / <content>, else <description>/<summary>


@dataclass
class FeedPage:
    entries: list[FeedEntry] = field(default_factory=list)
    next_url: str | None = None  # rel="next" declared by the feed (Atom paging, ?paged=N)
    ok: bool = True
    error: str | None = None
    title: str | None = None


def discover_feeds(html: bytes | str, url: str) -> list[str]:
    """Absolute URLs of ``<link rel="alternate" type="application/rss+xml|atom+xml">``.

    Comment feeds (WordPress ``/comments/feed/``, "Flux des commentaires") are left out: they
    never list articles. Page order, no duplicates.
    """
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rels or kind not in FEED_TYPES or not href:
            continue
        title = (link.get("title") or "").lower()
        if "comment" in title or "/comments/" in href:
            continue
        absolute = urljoin(url, href)
        if absolute not in found:
            found.append(absolute)
    return found


def parse_feed(body: bytes, url: str) -> FeedPage:
    """Read one RSS/Atom document. Never raises: a broken feed is ``ok=False`` with ``error``.

    A "bozo" feed (feedparser's word for not well-formed) that still yields entries is accepted,
    with the problem kept in ``error``; an HTML page served at a feed URL is not a feed.
    """
    if not body or not body.strip():
        return FeedPage(ok=False, error="empty body")
    # bytes only: given a str that looks like a URL, feedparser would fetch it
    parsed = feedparser.parse(bytes(body), response_headers={"content-location": url})
    problem = _problem(parsed)
    if not parsed.entries and (problem or not parsed.get("version")):
        head = bytes(body[:512]).lstrip().lower()
        html_page = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
        if html_page:
            reason = "an HTML page, not a feed"
        else:
            reason = "a broken feed" if parsed.get("version") else "not an RSS/Atom feed"
        return FeedPage(ok=False, error=f"{reason}{f' ({problem})' if problem else ''}")
    entries = [_entry(e, url) for e in parsed.entries]
    next_url = next(
        (urljoin(url, link["href"]) for link in parsed.feed.get("links", []) if _is_next(link)),
        None,
    )
    return FeedPage(
        entries=entries,
        next_url=next_url,
        ok=True,
        error=problem or None,
        title=parsed.feed.get("title"),
    )


def _problem(parsed) -> str | None:
    """The bozo message, unless it only says we passed no HTTP headers (we never do)."""
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if error is None or isinstance(error, HARMLESS):
        return None
    return str(error) or type(error).__name__


def _is_next(link: dict) -> bool:
    return link.get("rel") == "next" and bool(link.get("href"))


def _entry(e, base: str) -> FeedEntry:
    link = e.get("link") or _alternate(e)
    # dict.get: FeedParserDict.get("updated") falls back to "published" when there is none
    published = dict.get(e, "published")
    updated = dict.get(e, "updated")
    content = e.get("content") or []
    content_html = content[0].get("value") if content else e.get("summary")
    return FeedEntry(
        url=urljoin(base, link.strip()) if link else None,
        guid=e.get("id") or None,
        title=e.get("title") or None,
        date_raw=published or updated or None,
        updated_raw=updated or None,
        author=e.get("author") or None,
        content_html=content_html or None,
    )


def _alternate(e) -> str | None:
    for link in e.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None
