"""One article page → title, author, raw date and its source, full body text, canonical URL.

Title: JSON-LD ``headline``, the ``<h1>`` of the article (never one inside an aside, footer or
widget), ``og:title``, ``<title>``; then the site's name is cut (``spiders/parse/titles.py``).
Date: every source weighed (``spiders/parse/article_dates.py``); htmldate's extensive search only
when the cheap sources disagree or say nothing. Body: trafilatura. Configured CSS selectors
override everything they match. Article or listing: ``spiders/parse/page_kind.py``, with a
reason the spider logs. Dates stay raw text: ``monitor/ingest/dates.py`` parses them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from w3lib.encoding import html_to_unicode

from spiders.parse.article_dates import choose_date, hidden_zone
from spiders.parse.page_kind import decide, post_cards
from spiders.parse.titles import affixes_from_title, strip_site_name

if TYPE_CHECKING:
    from trafilatura.settings import Document, Extractor

MIN_BODY = 200
#: htmldate's "extensive search" loads every dateparser language (5–15 s per crawl process) to
#: guess a date from free text: trafilatura's own call stays fast; the extensive search runs
#: only from ``_extensive_date`` when the page's cheap dates disagree or are missing
DATE_PARAMS = {"extensive_search": False, "original_date": True}
EXTENSIVE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d"}
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
    date_source: str | None = None  # byline | jsonld | meta | time | url | htmldate | selector
    date_note: str | None = None  # why, when the page's dates disagreed
    extensive_used: bool = False  # htmldate's extensive search was run
    decision: str = ""  # why article or not, for the INFO log line
    raw_title: str | None = None  # the title before the site name was cut
    page_title: str | None = None  # the <title> element
    headline: str | None = None  # the article's <h1>
    site_names: list[str] = field(default_factory=list)  # names this page declared or showed
    pdf_links: list[str] = field(default_factory=list)  # same-host PDF documents it links to


def parse_article(
    html: bytes | str,
    url: str,
    *,
    selectors: dict[str, str] | None = None,
    site_names: Iterable[str] = (),
) -> ArticleFields:
    """Extract an article's fields; never raises (problems are reported in ``problems``).

    ``site_names``: names of the site learnt from its other pages (cut from the title)."""
    out = ArticleFields()
    text = _unicode(html)
    doc = _document(text)
    if doc is None:
        out.problems.append("empty or unparsable HTML")
        out.decision = "empty or unparsable HTML"
        return out
    nodes = _from_json_ld(doc, out)
    meta = _from_meta(doc, url, out)
    scope = _article_scope(doc)
    zones: dict[Any, bool] = {}
    h1 = _title_element(scope, zones)
    if h1 is None:
        h1 = _title_element(doc, zones)
    headline = _clean(h1.text_content()) if h1 is not None else None
    out.title = out.title or headline or meta.get("og:title")
    page_title = out.page_title = _clean(doc.findtext(".//title"))
    out.headline = headline
    cards = post_cards(doc, h1, zones)
    choice = choose_date(
        doc,
        url,
        meta=meta,
        json_ld=nodes,
        article_types=ARTICLE_TYPES,
        title_el=h1,
        cards=cards,
        extensive=lambda: _extensive_date(text, url),
    )
    out.date_raw, out.date_source = choice.raw, choice.source
    out.date_note, out.extensive_used = choice.note, choice.extensive_used
    if choice.note:
        out.problems.append(f"date from {choice.source}: {choice.note}")
    if not out.body:
        out.body = _trafilatura(doc, url, out, h1)
    _from_selectors(doc, selectors or {}, out)
    out.title = out.title or page_title
    _clean_title(out, doc, meta, nodes, page_title, headline, site_names)
    out.pdf_links = _pdf_links(doc, url, zones)
    _finish(out, doc, meta, nodes, cards)
    return out


def _extensive_date(text: str, url: str) -> str | None:
    """htmldate's extensive search: the last resort (see EXTENSIVE_PARAMS)."""
    from htmldate import find_date

    found = find_date(text, url=url, **EXTENSIVE_PARAMS)  # type: ignore[arg-type]
    if found and found.endswith("-01-01") and not _names_new_year(text, found[:4]):
        return None  # htmldate's year-only answer (often the footer's "© 2026"): not a day
    return found


def _names_new_year(text: str, year: str) -> bool:
    return bool(
        re.search(
            rf"{year}-01-01|01/01/{year}|1(?:er)?\s+janv(?:ier|\.)?\s+{year}|"
            rf"jan(?:uary|\.)?\s+1(?:st)?,?\s+{year}|1\s+jan(?:uary)?\s+{year}",
            text,
            re.I,
        )
    )


def _title_element(root, zones: dict[Any, bool]):
    """The first usable ``<h1>`` outside asides, footers and widgets."""
    for element in root.iter("h1"):
        found = _clean(element.text_content())
        if found and len(found) >= 3 and not hidden_zone(element, zones):
            return element
    return None


def _clean_title(out, doc, meta, nodes, page_title, headline, learnt) -> None:
    declared = [meta.get("og:site_name"), meta.get("application-name")]
    for node in nodes:
        if "WebSite" in _types(node) or "Organization" in _types(node):
            declared.append(_clean(node.get("name")))
    out.site_names = [n for n in declared if n] + affixes_from_title(page_title, headline)
    out.raw_title = out.title
    out.title = strip_site_name(out.title, [*out.site_names, *learnt])


#: compiled once: lxml compiles an XPath or CSS string again on every call (issue 15, CPU per page)
_PDF_LINKS = etree.XPath('//a[contains(translate(@href, "PDF", "pdf"), ".pdf")]')
_JSON_LD = etree.XPath('//script[@type="application/ld+json"]')
_AUTHOR_LINKS = etree.XPath('//a[@rel="author"]')
_SCOPES = [
    CSSSelector(selector)
    for selector in ("article", "main", "[role=main]", ".node", "#content", "body")
]


def _pdf_links(doc, url: str, zones: dict[Any, bool]) -> list[str]:
    here = urlsplit(url)
    found: list[str] = []
    for link in _PDF_LINKS(doc):
        href = (link.get("href") or "").strip()
        if not href or not urlsplit(href).path.lower().endswith(".pdf"):
            continue
        if hidden_zone(link, zones):
            continue
        absolute = urljoin(url, href)
        there = urlsplit(absolute)
        if (there.hostname, there.port) == (here.hostname, here.port) and absolute not in found:
            found.append(absolute)
    return found


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


# -- structured metadata ----------------------------------------------------------------------


def _from_json_ld(doc, out: ArticleFields) -> list[dict]:
    nodes: list[dict] = []
    for script in _JSON_LD(doc):
        try:
            nodes.extend(_flatten(json.loads(script.text_content() or "null", strict=False)))
        except (json.JSONDecodeError, RecursionError) as error:
            out.problems.append(f"invalid JSON-LD: {error}")
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    page = next((n for n in nodes if "WebPage" in _types(n)), None)
    for node in filter(None, [article, page]):
        out.title = out.title or _clean(node.get("headline") if node is article else None)
        out.updated_raw = out.updated_raw or _clean(node.get("dateModified"))
        out.author = out.author or _names(node.get("author"), by_id)
        if node is article and _clean(node.get("articleBody")):
            out.body = _paragraphs(node["articleBody"])
    return nodes


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


def _from_meta(doc, url: str, out: ArticleFields) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in doc.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        content = _clean(element.get("content"))
        if key and key not in meta and content:
            meta[key] = content
    out.updated_raw = out.updated_raw or meta.get("article:modified_time")
    author = meta.get("author") or meta.get("article:author")
    out.author = out.author or (author if author and not author.startswith("http") else None)
    if not out.author:
        authors = [_clean(a.text_content()) for a in _AUTHOR_LINKS(doc)]
        out.author = ", ".join(dict.fromkeys(a for a in authors if a)) or None
    canonical = next(
        (link.get("href") for link in doc.iter("link") if _has_rel(link, "canonical")), None
    )
    _set_canonical(canonical or meta.get("og:url"), url, out)
    return meta


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


def _bare_extraction(doc, url: str, *, with_metadata: bool, fast: bool) -> Document | None:
    """``trafilatura.bare_extraction``, typed: without ``as_dict`` (deprecated) it returns a
    Document or None, never the dict its signature also allows."""
    import trafilatura  # imported on first use: see _base_options

    result = trafilatura.bare_extraction(doc, options=_options(url, with_metadata, fast))
    assert not isinstance(result, dict), "bare_extraction returned a dict without as_dict"
    return result


def _options(url: str, with_metadata: bool, fast: bool) -> Extractor:
    """trafilatura's options for one page: a copy of the ones built once, with the page's URL.

    Why: ``Extractor()`` reads eight values from trafilatura's ConfigParser on every call, 2 %
    of an article's parse; the copy holds the same values (``Extractor(url=...)`` sets ``url``
    and ``source`` as below)."""
    options = copy.copy(_base_options(with_metadata, fast))
    options.url = url
    options.source = url.encode("utf-8", "replace").decode("utf-8")
    return options


@lru_cache(maxsize=4)
def _base_options(with_metadata: bool, fast: bool) -> Extractor:
    """Why trafilatura is imported here and not at the top: with the parse workers on, the
    crawl process hardly ever extracts a body itself, and importing trafilatura (and
    courlan, urllib3, justext...) was 0.13 s of every crawl's start (issue 15)."""
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        fast=fast,
        precision=True,
        comments=False,
        tables=True,
        with_metadata=with_metadata,
        date_params=DATE_PARAMS,  # type: ignore[arg-type]  # annotated dict[str, str], read as htmldate kwargs
    )


def _trafilatura(doc, url: str, out: ArticleFields, h1=None) -> str | None:
    """The body; fills the author when still missing.

    ``fast=True`` skips trafilatura's second-opinion extractors, and metadata extraction is
    skipped when structured metadata already gave title, author and date: together they were
    most of the crawl's CPU (bench/RESULTS.md). The full extraction is tried again when the
    fast one finds too little text.

    First on the article alone (``_article_only``): the element holding the title, with
    the page's ``<head>``. trafilatura's cleaning and pruning passes run XPath expressions
    over every element it is given; the menus, header, footer and sidebars it then throws
    away were a quarter of its time on the bench's pages and up to half on real ones (14 % of
    the whole parse over 21 real pages, bench/RESULTS.md). When that finds too little text, the
    whole page is read as before, so an article whose text lies outside the element holding
    its title is not lost.

    Why the parsed tree and not the text: the page is parsed once (issue 15). trafilatura
    2.3 works on its own copy of a tree it is given (``bare_extraction``: ``if tree is
    filecontent: tree = copy(tree)``), so ``doc`` is left as the other readers saw it.
    """
    need_meta = not out.author
    try:
        # favor_precision, no comments, tables kept: see _base_options
        result = None
        if (article := _article_only(doc, h1)) is not None:
            result = _bare_extraction(article, url, with_metadata=need_meta, fast=True)
        if result is None or len(result.text or "") < MIN_BODY:
            result = _bare_extraction(doc, url, with_metadata=need_meta, fast=True)
        if result is None or len(result.text or "") < MIN_BODY:
            result = _bare_extraction(doc, url, with_metadata=True, fast=False)
    except Exception as error:  # noqa: BLE001 - a third-party extractor must not end the crawl
        out.problems.append(f"trafilatura failed: {type(error).__name__}: {error}")
        return None
    if result is None:
        return None
    if not out.author and (author := _clean(result.author)):
        out.author = re.sub(r"^(?:par|by)\s+", "", author, flags=re.I)
    return _paragraphs(result.text or "")


def _article_only(doc, h1):
    """A new document: the page's ``<head>`` and the nearest ``<article>`` or ``<main>``
    holding the title element; None when the title is in neither, or when that element holds
    less text than a body needs (a short press release, or a theme wrapping only the title
    and byline): then the whole page is read, without a first try bound to come up short.

    Why the title's container and not the first ``<article>``: a teaser card placed before
    the article (a "à la une" strip) is an ``<article>`` too."""
    if h1 is None:
        return None
    holder = next(
        (e for e in h1.iterancestors() if e.tag in ("article", "main") or e.get("role") == "main"),
        None,
    )
    if holder is None or len(holder.text_content()) < MIN_BODY:
        return None
    page = lxml.html.document_fromstring("<html><head></head><body></body></html>")
    head = doc.find("head")
    if head is not None:
        page.replace(page[0], copy.deepcopy(head))
    article = copy.deepcopy(holder)
    article.tail = None  # the text after its closing tag belongs to its parent, not to it
    page[1].append(article)
    return page


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
    for selector in _SCOPES:
        found = selector(doc)
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
            out.date_source = "selector"
        else:
            setattr(out, key, _clean(found[0].get("content") or found[0].text_content()))


# -- the decision ----------------------------------------------------------------------------


def _finish(out: ArticleFields, doc, meta: dict[str, str], nodes: list[dict], cards) -> None:
    if out.body and out.title:
        # trafilatura may repeat the <h1>, after a kicker ("Communiqué de presse"): cut both
        lines = out.body.split("\n")
        for candidate in (out.title, out.raw_title):
            if candidate in lines[:3] and lines[lines.index(candidate) + 1 :]:
                out.body = "\n".join(lines[lines.index(candidate) + 1 :])
                break
    if not out.title:
        out.problems.append("no title")
    if not out.date_raw:
        out.problems.append("no date found")
    declared = (meta.get("og:type") or "").lower() == "article" or any(
        _types(n) & ARTICLE_TYPES for n in nodes
    )
    out.is_article, out.decision = decide(
        title=out.title,
        body_chars=len(out.body or ""),
        cards=len(cards),
        declared=declared,
        published_meta=bool(meta.get("article:published_time")),
        byline=out.date_source == "byline",
        min_body=MIN_BODY,
    )
    if len(out.body or "") < MIN_BODY:
        out.problems.append(f"body shorter than {MIN_BODY} characters ({len(out.body or '')})")
