"""One article page → title, author, raw dates, full body text, canonical URL.

Order of trust: structured metadata the site wrote for machines (JSON-LD, Open Graph,
``article:*``, ``<time datetime>``, canonical link), then trafilatura for the body, then the
page's visible text for a French date ("Lundi 10 avril 2017" at the end of FNCS pages, "Publié le
3 févr. 2026" in a byline). Configured CSS selectors override everything they match. Dates stay
raw text: ``monitor/ingest/dates.py`` parses them.

trafilatura's own date guess (htmldate) comes last and is flagged in ``problems``: on a page whose
only date is "3 févr. 2026" it answered 2026-01-01.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree
from w3lib.encoding import html_to_unicode

if TYPE_CHECKING:
    from trafilatura.settings import Document

MIN_BODY = 200
#: htmldate's "extensive search" loads every dateparser language (5–15 s per crawl process) to
#: guess a date from free text; our own French date search runs before its guess anyway
DATE_PARAMS = {"extensive_search": False, "original_date": True}
ARTICLE_TYPES = {
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "Report",
    "PressRelease",
    "TechArticle",
    "ScholarlyArticle",
    "LiveBlogPosting",
}
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "br",
    "figure",
    "figcaption",
    "header",
    "footer",
    "dd",
    "dt",
}
MONTHS = (
    r"janv(?:ier|\.)?|f[ée]vr(?:ier|\.)?|mars|avr(?:il|\.)?|mai|juin|juil(?:let|\.)?|"
    r"ao[ûu]t|sept(?:embre|\.)?|oct(?:obre|\.)?|nov(?:embre|\.)?|d[ée]c(?:embre|\.)?"
)
DAYS = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
FRENCH_DATE = (
    rf"(?:(?:{DAYS})\s+)?(?:1er|[0-3]?\d)\s+(?:{MONTHS})(?!\w)\s*(?:19|20)\d\d"
    r"|[0-3]?\d/[01]?\d/(?:19|20)\d\d"
)
LEAD = r"(?:(?:publi[ée]e?|mis en ligne|post[ée]|date)\s*(?:le)?\s*:?\s*)?"
STANDALONE_DATE = re.compile(
    rf"^{LEAD}(?P<date>{FRENCH_DATE})(?:\s*(?:à|-|,)\s*\d{{1,2}}\s*h\s*\d{{0,2}})?\.?$", re.I
)
BYLINE_DATE = re.compile(
    rf"(?:publi[ée]e?|mis en ligne|post[ée])\s+(?:le\s+)?(?P<date>{FRENCH_DATE})", re.I
)


@dataclass
class ArticleFields:
    title: str | None = None
    author: str | None = None
    date_raw: str | None = None
    updated_raw: str | None = None
    body: str | None = None  # plain text, one paragraph per line, complete
    canonical_url: str | None = None  # same host (and port) as the page only
    is_article: bool = False
    problems: list[str] = field(default_factory=list)


def parse_article(
    html: bytes | str, url: str, *, selectors: dict[str, str] | None = None
) -> ArticleFields:
    """Extract an article's fields; never raises (problems are reported in ``problems``)."""
    out = ArticleFields()
    text = _unicode(html)
    doc = _document(text)
    if doc is None:
        out.problems.append("empty or unparsable HTML")
        return out
    _from_json_ld(doc, out)
    _from_meta(doc, url, out)
    scope = _article_scope(doc)
    if not out.title:
        out.title = _first_text(scope, "h1") or _first_text(doc, "h1")
    guess = None
    if not out.body:
        out.body, guess = _trafilatura(text, url, out)
    _from_selectors(doc, selectors or {}, out)
    if not out.date_raw:
        out.date_raw = _french_date(scope)
    if not out.date_raw and out.body:
        out.date_raw = _french_date_in_lines(out.body.splitlines())
    if not out.date_raw and guess:
        out.date_raw = guess
        out.problems.append(f"date guessed by trafilatura: {out.date_raw}")
    if not out.title:
        out.title = _clean(doc.findtext(".//title"))
    _finish(out, listing=_listing_cards(doc))
    return out


# -- reading the document ------------------------------------------------------------------


def _unicode(html: bytes | str) -> str:
    if isinstance(html, str):
        return html
    try:
        return html_to_unicode(None, bytes(html))[1]
    except Exception:  # noqa: BLE001 - w3lib on garbage bytes: decode leniently instead
        return bytes(html).decode("utf-8", "replace")


def _document(text: str):
    if not text or not text.strip():
        return None
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with an encoding decl
    try:
        doc = lxml.html.document_fromstring(text)
    except (ValueError, etree.ParserError):
        return None
    return doc


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\xa0", " ").split())
    return value or None


def _first_text(root, tag: str) -> str | None:
    for element in root.iter(tag):
        found = _clean(element.text_content())
        if found:
            return found
    return None


# -- structured metadata ----------------------------------------------------------------------


def _from_json_ld(doc, out: ArticleFields) -> None:
    nodes: list[dict] = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        try:
            nodes.extend(_flatten(json.loads(script.text_content() or "null", strict=False)))
        except (json.JSONDecodeError, RecursionError) as error:
            out.problems.append(f"invalid JSON-LD: {error}")
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    page = next((n for n in nodes if "WebPage" in _types(n)), None)
    for node in filter(None, [article, page]):
        out.title = out.title or _clean(node.get("headline") if node is article else None)
        out.date_raw = out.date_raw or _clean(node.get("datePublished"))
        out.updated_raw = out.updated_raw or _clean(node.get("dateModified"))
        out.author = out.author or _names(node.get("author"), by_id)
        if node is article and _clean(node.get("articleBody")):
            out.body = _paragraphs(node["articleBody"])


def _flatten(data) -> list[dict]:
    if isinstance(data, list):
        return [n for item in data for n in _flatten(item)]
    if not isinstance(data, dict):
        return []
    return [data, *_flatten(data.get("@graph", []))]


def _types(node: dict) -> set[str]:
    kind = node.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _names(value, by_id: dict) -> str | None:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict) and not item.get("name") and item.get("@id") in by_id:
            item = by_id[item["@id"]]
        name = _clean(item.get("name") if isinstance(item, dict) else item)
        if name and name not in names and not name.startswith("http"):
            names.append(name)
    return ", ".join(names) or None


def _from_meta(doc, url: str, out: ArticleFields) -> None:
    meta = {}
    for element in doc.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key and key not in meta and _clean(element.get("content")):
            meta[key] = _clean(element.get("content"))
    out.title = out.title or meta.get("og:title")
    out.date_raw = out.date_raw or meta.get("article:published_time")
    out.updated_raw = out.updated_raw or meta.get("article:modified_time")
    author = meta.get("author") or meta.get("article:author")
    out.author = out.author or (author if author and not author.startswith("http") else None)
    if not out.date_raw:
        for element in _article_scope(doc).iter("time"):
            if _clean(element.get("datetime")):
                out.date_raw = _clean(element.get("datetime"))
                break
    if not out.author:
        authors = [_clean(a.text_content()) for a in doc.xpath('//a[@rel="author"]')]
        out.author = ", ".join(dict.fromkeys(a for a in authors if a)) or None
    canonical = next(
        (link.get("href") for link in doc.iter("link") if _has_rel(link, "canonical")), None
    )
    _set_canonical(canonical or meta.get("og:url"), url, out)


def _has_rel(element, rel: str) -> bool:
    return rel in (element.get("rel") or "").lower().split() and bool(element.get("href"))


def _set_canonical(href: str | None, url: str, out: ArticleFields) -> None:
    if not href:
        return
    try:
        absolute, here = urljoin(url, href.strip()), urlsplit(url)
        there = urlsplit(absolute)
        same = (there.hostname, there.port) == (here.hostname, here.port)
    except ValueError:
        same, absolute = False, href
    if same and there.scheme in ("http", "https"):
        out.canonical_url = absolute
    else:
        out.problems.append(f"canonical URL on another host ignored: {absolute}")


# -- body ---------------------------------------------------------------------------------------


def _bare_extraction(text: str, url: str, **options: Any) -> Document | None:
    """``trafilatura.bare_extraction``, typed: without ``as_dict`` (deprecated) it returns a
    Document or None, never the dict its signature also allows."""
    result = trafilatura.bare_extraction(text, url=url, **options)
    assert not isinstance(result, dict), "bare_extraction returned a dict without as_dict"
    return result


def _trafilatura(text: str, url: str, out: ArticleFields) -> tuple[str | None, str | None]:
    """(body, date guess); fills title and author when still missing.

    ``fast=True`` skips trafilatura's second-opinion extractors, and metadata extraction is
    skipped when structured metadata already gave title, author and date: together they were
    most of the crawl's CPU (bench/RESULTS.md). The full extraction is tried again when the
    fast one finds too little text.
    """
    need_meta = not (out.title and out.author and out.date_raw)
    try:
        result = _bare_extraction(
            text,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            with_metadata=need_meta,
            fast=True,
            date_extraction_params=DATE_PARAMS,
        )
        if result is None or len(result.text or "") < MIN_BODY:
            result = _bare_extraction(
                text,
                url=url,
                favor_precision=True,
                include_comments=False,
                include_tables=True,
                with_metadata=True,
                date_extraction_params=DATE_PARAMS,
            )
    except Exception as error:  # noqa: BLE001 - a third-party extractor must not end the crawl
        out.problems.append(f"trafilatura failed: {type(error).__name__}: {error}")
        return None, None
    if result is None:
        return None, None
    out.title = out.title or _clean(result.title)
    if not out.author and (author := _clean(result.author)):
        out.author = re.sub(r"^(?:par|by)\s+", "", author, flags=re.I)
    return _paragraphs(result.text or ""), _clean(result.date)


def _paragraphs(text: str) -> str | None:
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None


def _element_text(element) -> str | None:
    """Plain text of an element, one line per block (p, li, h*, br...)."""
    element = copy.deepcopy(element)
    for node in element.iter():
        if node.tag in ("script", "style", "noscript") and node.getparent() is not None:
            node.drop_tree()
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag in BLOCKS:
            node.tail = "\n" + (node.tail or "")
            node.text = "\n" + (node.text or "")
    return _paragraphs(element.text_content())


def _article_scope(doc):
    for selector in ("article", "main", "[role=main]", ".node", "#content", "body"):
        found = doc.cssselect(selector)
        if found:
            return found[0]
    return doc


def _from_selectors(doc, selectors: dict[str, str], out: ArticleFields) -> None:
    for key in ("title", "author", "date", "body"):
        selector = selectors.get(key)
        if not selector:
            continue
        try:
            found = doc.cssselect(selector)
        except Exception as error:  # noqa: BLE001 - cssselect raises several kinds on bad input
            out.problems.append(f"selector {key}={selector!r} is invalid: {error}")
            continue
        if not found:
            out.problems.append(f"selector {key}={selector!r} matched nothing")
            continue
        if key == "body":
            out.body = _paragraphs("\n".join(filter(None, map(_element_text, found))))
        elif key == "date":
            first = found[0]
            out.date_raw = _clean(first.get("datetime") or first.get("content")) or _clean(
                first.text_content()
            )
        else:
            setattr(out, key, _clean(found[0].get("content") or found[0].text_content()))


# -- dates in the visible text ---------------------------------------------------------------


def _french_date(scope) -> str | None:
    """A block holding only a date ("Lundi 10 avril 2017"), else a "Publié le …" byline."""
    blocks = [
        _clean(e.text_content())
        for e in scope.iter()
        if isinstance(e.tag, str) and e.tag in BLOCKS | {"span", "time", "small", "em"}
    ]
    return _french_date_in_lines([b for b in blocks if b])


def _french_date_in_lines(lines: list[str]) -> str | None:
    for line in lines:
        match = STANDALONE_DATE.match(line.strip())
        if match:
            return match.group("date")
    for line in lines[:12]:  # a byline sits near the top
        match = BYLINE_DATE.search(line)
        if match:
            return _clean(match.group("date"))
    return None


def _listing_cards(doc) -> int:
    """How many post cards the page shows (0 when it declares itself an article)."""
    declared = doc.xpath('//meta[@property="og:type"]/@content')
    if declared and declared[0].strip().lower() == "article":
        return 0
    if any(
        _types(n) & ARTICLE_TYPES
        for s in doc.xpath('//script[@type="application/ld+json"]')
        for n in _safe_json_ld(s)
    ):
        return 0
    cards = doc.xpath(
        '//*[(self::article or contains(concat(" ", normalize-space(@class), " "), " views-row "))'
        " and not(ancestor::aside or ancestor::footer or ancestor::nav or ancestor::article)]"
    )
    return len(cards)


def _safe_json_ld(script) -> list[dict]:
    try:
        return _flatten(json.loads(script.text_content() or "null", strict=False))
    except (json.JSONDecodeError, RecursionError):
        return []


def _finish(out: ArticleFields, listing: int = 0) -> None:
    if out.body and out.title:
        # trafilatura may repeat the <h1>, after a kicker ("Communiqué de presse"): cut both
        lines = out.body.split("\n")
        if out.title in lines[:3] and lines[lines.index(out.title) + 1 :]:
            out.body = "\n".join(lines[lines.index(out.title) + 1 :])
    if not out.title:
        out.problems.append("no title")
    if not out.date_raw:
        out.problems.append("no date found")
    if len(out.body or "") < MIN_BODY:
        out.problems.append(f"body shorter than {MIN_BODY} characters ({len(out.body or '')})")
    if listing >= 2:
        out.problems.append(f"looks like a listing ({listing} post cards)")
    out.is_article = bool(out.title) and len(out.body or "") >= MIN_BODY and listing < 2
