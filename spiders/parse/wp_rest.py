"""WordPress REST API: find the API root in a page, build posts URLs, read one page of posts.

Why the REST API when a feed exists: WordPress feeds hold the last 10 posts only, while
``/wp-json/wp/v2/posts`` pages through all of them (``X-WP-TotalPages``) and can search.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

import lxml.html


@dataclass
class WpPost:
    id: int | None
    url: str | None  # "link"
    title: str | None  # title.rendered, entities decoded, tags removed
    date_raw: str | None  # "date": site-local time, no offset (e.g. "2026-02-10T09:12:00")
    date_gmt: str | None = None  # "date_gmt": UTC, no offset
    updated_raw: str | None = None  # "modified_gmt": UTC, no offset
    content_html: str | None = None  # content.rendered
    author_name: str | None = None  # _embedded.author[0].name, only with ?_embed


@dataclass
class WpPage:
    posts: list[WpPost] = field(default_factory=list)
    total_pages: int | None = None  # X-WP-TotalPages
    total: int | None = None  # X-WP-Total
    ok: bool = True
    error: str | None = None


def wp_api_root(html_text: bytes | str, url: str) -> str | None:
    """The ``<link rel="https://api.w.org/" href>`` of a WordPress page, absolute; else None."""
    try:
        doc = lxml.html.document_fromstring(html_text)
    except (ValueError, lxml.etree.ParserError):
        return None
    for link in doc.iter("link"):
        if "https://api.w.org/" in (link.get("rel") or "").split() and link.get("href"):
            return urljoin(url, link.get("href").strip())
    return None


def wp_posts_url(api_root: str, *, page: int = 1, per_page: int = 100, **params) -> str:
    """``{root}wp/v2/posts?per_page=N&page=P[&search=...]``, also for ``?rest_route=/`` roots."""
    query = urlencode({"per_page": per_page, "page": page, **params})
    if "rest_route=" in api_root:  # sites without pretty permalinks
        return f"{api_root.rstrip('/')}/wp/v2/posts&{query}"
    return f"{api_root.rstrip('/')}/wp/v2/posts?{query}"


def parse_wp_posts(body: bytes, url: str, headers: dict[str, str] | None = None) -> WpPage:
    """One page of ``/wp/v2/posts``; never raises. ``headers`` names are case-insensitive."""
    wanted = {k.lower(): v for k, v in (headers or {}).items()}
    total_pages, total = _int(wanted.get("x-wp-totalpages")), _int(wanted.get("x-wp-total"))
    try:
        data = _json(body)
    except ValueError as error:
        return WpPage(total_pages=total_pages, total=total, ok=False, error=str(error))
    if isinstance(data, dict):  # WordPress errors: {"code": ..., "message": ...}
        message = f"{data.get('code', 'error')}: {data.get('message', '')}".strip()
        return WpPage(total_pages=total_pages, total=total, ok=False, error=message)
    if not isinstance(data, list):
        return WpPage(ok=False, error=f"expected a JSON list of posts, got {type(data).__name__}")
    posts = [_post(item, url) for item in data if isinstance(item, dict)]
    return WpPage(posts=posts, total_pages=total_pages, total=total)


def _json(body: bytes):
    """Decode, tolerating a BOM and PHP notices printed before the JSON (a common breakage)."""
    text = (body or b"").decode("utf-8", "replace").lstrip("\ufeff").strip()
    if not text:
        raise ValueError("empty body")
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        start = re.search(r"^[\[{]", text, re.M)
        if start and start.start() > 0:
            try:
                return json.loads(text[start.start() :])
            except json.JSONDecodeError:
                pass
        raise ValueError(f"not JSON: {first}") from None


def _post(item: dict, base: str) -> WpPost:
    link = item.get("link")
    return WpPost(
        id=item.get("id"),
        url=urljoin(base, link) if isinstance(link, str) and link else None,
        title=_text(_rendered(item.get("title"))),
        date_raw=item.get("date") or None,
        date_gmt=item.get("date_gmt") or None,
        updated_raw=item.get("modified_gmt") or None,
        content_html=_rendered(item.get("content")),
        author_name=_author(item),
    )


def _rendered(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) and value else None


def _text(fragment: str | None) -> str | None:
    if not fragment:
        return None
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip() or None


def _author(item: dict) -> str | None:
    authors = (item.get("_embedded") or {}).get("author") or []
    if authors and isinstance(authors[0], dict):
        return authors[0].get("name") or None
    return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
