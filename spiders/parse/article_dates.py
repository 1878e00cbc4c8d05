"""Which publication date an article page states: every source weighed, not the first that parses.

Why: taking the first date that parsed (JSON-LD, then meta, then the first ``<time>``) stored
the wrong day whenever a CMS template wrote a machine date that the visible byline contradicts,
when the first ``<time>`` of the page belonged to a "related posts" sidebar, or when a format
was refused and the next source was never tried (issue 13). A careful reader trusts, in order:

1. the byline near the title ("Publié le 29 juin 2019", a ``<time>``'s visible text, a block
   holding only a date) — it is what the publisher shows;
2. the structured dates (JSON-LD ``datePublished``, ``article:published_time`` and kin,
   ``<time datetime>``) when they agree with each other and with a date in the URL;
3. when they disagree, the one the URL date (or, without one, the most sources) supports, and
   htmldate's extensive search as the referee only when that does not settle it;
4. the URL date (``/2020/09/15/``);
5. htmldate's extensive search when the page gives nothing cheap (it loads every dateparser
   language: seconds per crawl process, so never on the common path).

``<time>`` elements and date blocks inside asides, footers, navigation, comments and
related/sidebar/widget blocks are ignored. Dates stay raw text plus the name of their source;
``monitor/ingest/dates.py`` turns the chosen text into the stored value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from spiders.parse.date_text import cut_date, day_of, fold

__all__ = ["DateCandidate", "DateChoice", "choose_date", "fold", "hidden_zone"]

#: meta keys that carry a publication date, most specific first
META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publication_date",
    "date.issued",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "sailthru.date",
    "parsely-pub-date",
    "date",
)
_ZONE_WORDS = re.compile(
    r"related|sidebar|widget|footer|comment|similar|recommend|read-?more|more-news|popular|"
    r"teaser|newsletter|share|breadcrumb|menu|\bnav|agenda|events?-list|latest|recent|carousel|"
    r"top-?bar|today",
    re.I,
)
_ZONE_TAGS = {"aside", "footer", "nav", "header", "form"}
_PUBLISHED = r"publi[ée]e?s?|mis en ligne|post[ée]e?|published|posted|dat[ée]e? du|paru"
_UPDATED = re.compile(r"mis à jour|mise à jour|modifi[ée]|updated|actualis[ée]", re.I)
_BYLINE = re.compile(rf"(?:{_PUBLISHED})\s*(?:le|on|:)?\s*:?\s*(?P<date>.{{6,60}})", re.I)
_DATE_ONLY = re.compile(
    r"^(?:(?:le|du|on|date)\s*:?\s+)?(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?[\s,]+)?"
    r"(?:\d|jan|f[ée]v|feb|mar|avr|apr|mai|may|juin|jun|juil|jul|ao[ûu]|aug|sep|oct|nov|d[ée]c)"
    r"[\w./ ,:+-]{4,40}$",
    re.I,
)
#: a dateline opening the first paragraphs: "Lyon, le 12 mars 2024 — …", "London, 14 February
#: 2019 — …", "Boston, March 3, 2018. …"
_DATELINE = re.compile(
    r"^[A-ZÉÈ][\w'’ -]{1,30},\s+(?:le\s+)?(?P<date>(?:\d{1,2}(?:er)?\s+\w+\.?\s+\d{4}|"
    r"[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}))"
)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]\d)[/-]([0-3]\d)(?:/|-|_|\.|$)")
_TEXT_TAGS = {"p", "div", "span", "time", "small", "em", "strong", "li", "dd", "address"}
_TEXT_TAGS |= {"h2", "h3", "h4", "h5", "h6", "section", "b", "i"}


@dataclass(frozen=True)
class DateCandidate:
    source: str  # byline | jsonld | meta | time | url | htmldate
    raw: str
    day: date


@dataclass
class DateChoice:
    raw: str | None = None
    source: str | None = None
    candidates: list[DateCandidate] = field(default_factory=list)
    extensive_used: bool = False
    note: str | None = None  # why, when the cheap sources disagreed


def hidden_zone(element: Any, cache: dict[Any, bool]) -> bool:
    """True for an element inside an aside/footer/nav or a related/sidebar/widget block."""
    chain = []
    node = element
    result = False
    while node is not None and isinstance(node.tag, str):
        if node in cache:
            result = cache[node]
            break
        chain.append(node)
        tag = node.tag.lower()
        marks = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('role') or ''}"
        if tag in _ZONE_TAGS or (
            tag not in ("body", "html") and _ZONE_WORDS.search(marks) and tag != "article"
        ):
            if not (tag == "header" and _in_article(node)):
                result = True
                break
        node = node.getparent()
    for n in chain:
        cache[n] = result
    return result


def _in_article(node: Any) -> bool:
    """A ``<header>`` inside the ``<article>`` holds its title and byline: not a page header."""
    parent = node.getparent()
    while parent is not None:
        if parent.tag in ("article", "main"):
            return True
        parent = parent.getparent()
    return False


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.replace("\xa0", " ").split()) or None


def _candidate(source: str, raw: str | None, *, cut: bool = False) -> DateCandidate | None:
    """``cut``: visible text, of which only the date's own words are kept."""
    raw = cut_date(raw) if cut else _clean(raw)
    if not raw:
        return None
    day = day_of(raw)
    return DateCandidate(source, raw, day) if day else None


# -- the sources ------------------------------------------------------------------------------


def byline_dates(
    doc: Any, title_el: Any, cards: set[Any], cache: dict[Any, bool], *, far: bool = False
) -> Iterator[DateCandidate]:
    """Visible dates near the title: a "Publié le …" line, a ``<time>``'s text, a date block,
    a dateline opening the text.

    Searched in document order from a few blocks before the ``<h1>`` to some blocks after it,
    outside hidden zones and outside the cards of other posts. ``far``: the rest of the page,
    for a short block holding only a date (FNCS ends its pages with "Lundi 10 avril 2017");
    asked only when the page has no structured date (it walks the whole page)."""
    inside = {d for c in cards for d in c.iter()}
    seen: set[str] = set()
    for element in (
        _far_blocks(doc, title_el, inside, cache)
        if far
        else _near_blocks(doc, title_el, inside, cache)
    ):
        text = _own_text(element)
        if not text or text in seen:
            continue
        seen.add(text)
        if far:
            if len(text) <= 60 and _DATE_ONLY.match(text) and not _UPDATED.search(text):
                if cand := _candidate("byline", text, cut=True):
                    yield cand
            continue
        if len(text) > 300:  # a paragraph: only a dateline opening it counts
            if element.tag == "p" and (found := _DATELINE.match(text)):
                if cand := _candidate("byline", found.group("date"), cut=True):
                    yield cand
            continue
        if found := _BYLINE.search(text):
            if cand := _candidate("byline", found.group("date"), cut=True):
                yield cand
                continue
        if element.tag == "p" and (found := _DATELINE.match(text)):
            if cand := _candidate("byline", found.group("date"), cut=True):
                yield cand
                continue
        if _DATE_ONLY.match(text) and not _UPDATED.search(text):
            if cand := _candidate("byline", text, cut=True):
                yield cand


NEAR_BEFORE, NEAR_AFTER = 4, 25


def _usable(element: Any, inside: set[Any], cache: dict[Any, bool]) -> bool:
    return element not in inside and not hidden_zone(element, cache)


def _near_blocks(
    doc: Any, title_el: Any, inside: set[Any], cache: dict[Any, bool]
) -> Iterator[Any]:
    """A few blocks before the title and some after it (from the top without a title)."""
    before: list[Any] = []
    after = 0
    reached = title_el is None
    for element in doc.iter(*_TEXT_TAGS, "h1"):
        if element is title_el:
            reached = True
            yield from before
            continue
        if not _usable(element, inside, cache):
            continue
        if not reached:
            before = [*before[-(NEAR_BEFORE - 1) :], element]
            continue
        if element.tag == "h1":
            continue
        yield element
        after += 1
        if after >= NEAR_AFTER:
            return


def _far_blocks(doc: Any, title_el: Any, inside: set[Any], cache: dict[Any, bool]) -> Iterator[Any]:
    """Short leaf blocks after the title's window (cheap tests first: most blocks are long)."""
    reached, skipped = title_el is None, 0
    for element in doc.iter(*_TEXT_TAGS, "h1"):
        if element is title_el:
            reached = True
            continue
        if not reached or element.tag == "h1":
            continue
        skipped += 1
        if skipped <= NEAR_AFTER or len(element) > 2:
            continue
        if len(element.text_content()) <= 80 and _usable(element, inside, cache):
            yield element


def _own_text(element: Any) -> str | None:
    """Text of an element whose children are inline (a block's own line), else None."""
    for child in element:
        if isinstance(child.tag, str) and child.tag in (
            "p",
            "div",
            "section",
            "li",
            "ul",
            "article",
        ):
            return None
    return _clean(element.text_content())


def json_ld_dates(nodes: list[dict], article_types: set[str]) -> Iterator[DateCandidate]:
    preferred = [n for n in nodes if _types(n) & article_types]
    others = [n for n in nodes if "WebPage" in _types(n)]
    for node in preferred + others:
        value = node.get("datePublished") or node.get("dateCreated")
        if cand := _candidate("jsonld", value if isinstance(value, str) else None):
            yield cand
            return


def meta_dates(meta: dict[str, str]) -> Iterator[DateCandidate]:
    for key in META_KEYS:
        if cand := _candidate("meta", meta.get(key)):
            yield cand
            return


def time_dates(doc: Any, cards: set[Any], cache: dict[Any, bool]) -> Iterator[DateCandidate]:
    """``<time>`` elements outside hidden zones: the visible text first, the attribute second."""
    for element in doc.iter("time"):
        if hidden_zone(element, cache) or any(a in cards for a in element.iterancestors()):
            continue
        parent_text = _clean(element.getparent().text_content()) or ""
        if _UPDATED.search(parent_text[:40]) or (element.get("itemprop") or "") == "dateModified":
            continue
        visible = _candidate("time", element.text_content(), cut=True)
        hidden = _candidate("time", element.get("datetime"))
        if visible and (hidden is None or hidden.day != visible.day):
            yield visible  # what the reader sees beats the attribute
        elif hidden:
            yield hidden  # the same day, with the time of day


def url_date(url: str) -> DateCandidate | None:
    found = _URL_DATE.search(url)
    if not found:
        return None
    return _candidate("url", "-".join(found.groups()))


def _types(node: dict) -> set[str]:
    kind = node.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


# -- the choice ---------------------------------------------------------------------------------


def choose_date(
    doc: Any,
    url: str,
    *,
    meta: dict[str, str],
    json_ld: list[dict],
    article_types: set[str],
    title_el: Any,
    cards: set[Any],
    extensive: Callable[[], str | None],
) -> DateChoice:
    """Weigh the page's dates (module docstring); ``extensive`` runs htmldate when needed."""
    cache: dict[Any, bool] = {}
    out = DateChoice()
    byline = next(byline_dates(doc, title_el, cards, cache), None)
    structured = [
        c
        for c in (
            next(json_ld_dates(json_ld, article_types), None),
            next(meta_dates(meta), None),
            next(time_dates(doc, cards, cache), None),
        )
        if c
    ]
    in_url = url_date(url)
    if byline is None and not structured:
        byline = next(byline_dates(doc, title_el, cards, cache, far=True), None)
    out.candidates = [c for c in (byline, *structured, in_url) if c]
    if byline:
        # the same day in a structured date: keep that text, it has the time of day too
        same = [c for c in structured if c.day == byline.day and c.raw != byline.raw]
        return _pick(out, same[0] if same else byline)
    days = Counter(c.day for c in structured)
    if structured and len(days) == 1:
        if in_url is None or in_url.day in days:
            return _pick(out, structured[0])
    if structured and in_url is not None:
        backed = [c for c in structured if c.day == in_url.day]
        if backed:
            return _pick(out, backed[0], "the URL date settles the structured dates")
    if structured and len(days) > 1:
        top, n = days.most_common(1)[0]
        if n > 1 and n > len(structured) / 2:
            return _pick(out, next(c for c in structured if c.day == top), "most sources agree")
    referee = _candidate("htmldate", _safe(extensive))
    out.extensive_used = True
    if referee:
        out.candidates.append(referee)
        agreeing = [c for c in structured if c.day == referee.day]
        if agreeing:
            return _pick(out, agreeing[0], "htmldate extensive search settles the disagreement")
        if not structured and in_url is None:
            return _pick(out, referee)
    if in_url is not None:
        return _pick(out, in_url)
    if structured:
        return _pick(out, structured[0], "sources disagree; the first structured date is kept")
    return out


def _pick(out: DateChoice, chosen: DateCandidate, note: str | None = None) -> DateChoice:
    out.raw, out.source, out.note = chosen.raw, chosen.source, note
    return out


def _safe(extensive: Callable[[], str | None]) -> str | None:
    try:
        return extensive()
    except Exception:  # noqa: BLE001 - a third-party guesser must not end the crawl
        return None
