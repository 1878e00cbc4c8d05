"""Plain items: what a page or a record *said*, before any normalization.

Why plain dataclasses: spiders stay dumb (strings, URLs, raw date text), and the pipeline in
``monitor/`` is the one place that normalizes, matches and stores. Scrapy accepts dataclass items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ValidatorItem:
    """HTTP validators of a fetched URL, so the next run can ask "changed since?" (304).

    ``deferred`` validators (feeds, listings, sitemaps, dumps) are kept only if the whole run had
    no fetch error: otherwise a page that failed this time would hide behind a 304 next time.
    """

    source: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    deferred: bool = False


@dataclass
class ArticleItem:
    """One web document (press release, news article) found on a watched site."""

    source: str
    url: str  # the URL as fetched (after redirects)
    canonical_url: str | None = None  # <link rel=canonical> / og:url when on the same host
    title: str | None = None
    author: str | None = None
    date_raw: str | None = None  # publication date text as found (ISO, RFC 822, French...)
    body: str | None = None  # main text; may still hold HTML fragments or entities
    guid: str | None = None  # feed GUID when the feed gave one
    updated_raw: str | None = None  # lastmod / updated announced by a feed or sitemap
    discovered_via: str | None = None  # feed | wp-json | sitemap | listing
    validator: ValidatorItem | None = None  # the page's ETag/Last-Modified, stored with it
    kind: str = "article"  # article | document (a PDF)
    #: where ``date_raw`` was read (issue 13): byline | jsonld | meta | time | url | htmldate |
    #: selector | pdf-metadata | pdf-text | feed, so a user can see why a date was chosen
    date_source: str | None = None


@dataclass
class QuestionItem:
    """One parliamentary question (Assemblée nationale or Sénat) as the record or page says it."""

    source: str
    chamber: str  # "AN" | "Sénat"
    uid: str  # QANR5L17QE13024 or the Sénat reference (e.g. "SEQ260201234")
    url: str  # human page URL
    legislature: int | None = None
    qtype: str | None = None  # QE | QG | QOSD
    number: int | None = None
    title: str | None = None  # "tête d'analyse" / page title
    rubrique: str | None = None
    analysis: str | None = None
    author_ref: str | None = None  # PA... actor id (AN)
    author_name: str | None = None
    group_name: str | None = None
    circonscription: str | None = None
    ministry_asked: str | None = None
    ministry_answering: str | None = None
    question_date_raw: str | None = None  # JO publication of the question (QG: the sitting)
    question_jo_page: str | None = None
    question_text: str | None = None  # may hold HTML fragments
    answer_date_raw: str | None = None
    answer_jo_page: str | None = None
    answer_text: str | None = None
    closure_code: str | None = None  # cloture.codeCloture (REP_PUB, RET, ...)
    closure_label: str | None = None  # official wording ("Retrait", "Fin de mandat", ...)
    closure_date_raw: str | None = None
    signalee: bool = False
    renewals: int = 0
    fingerprint: str | None = None  # checksum of the source record: unchanged → not reparsed
    kind: str = "question"


@dataclass
class SeenItem:
    """A known document the spider decided not to refetch (unchanged per feed/sitemap/304)."""

    source: str
    url: str


@dataclass
class HintItem:
    """A change hint (lastmod/updated) for a document already handled this run, so that every
    discovery path's hint is remembered for the next run's "has it changed?" question."""

    source: str
    url: str
    via: str
    hint: str


@dataclass
class LegisItem:
    """One piece of legislative work at the Assemblée nationale (issue 11), as the record says it.

    ``kind``: amendment | document | dossier | agenda | debate. ``uid`` is the official uid (an
    agenda point: its own uid, or the meeting uid + "#" + its position; a sitting section: the
    sitting uid + "#" + the section key). ``published_raw``: date tabled (amendments, documents),
    first act (dossiers), meeting start (agenda), sitting start (debates), as ISO text.
    ``status`` is the normalized decision of an amendment (see ``spiders/parse/an_decision.py``),
    ``status_label`` the official wording. ``text`` is clean plain text for matching. ``parents``:
    uids this item hangs on (text, dossier). ``source_ts``: how new this version is (ISO UTC: the
    publication-list timestamp, or the dump's build time), so an older dump never undoes a newer
    document read from the daily list. ``fingerprint``: checksum of the record bytes.
    """

    source: str
    kind: str
    uid: str
    url: str
    chamber: str = "AN"
    legislature: int | None = None
    number: str | None = None
    title: str | None = None
    published_raw: str | None = None
    status: str | None = None
    status_label: str | None = None
    text: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    source_ts: str | None = None
    fingerprint: str | None = None


@dataclass
class ListsReadItem:
    """The daily publication lists were fully read up to ``read_until`` (ISO date, today never
    included: today's list grows all day and is read again on every run)."""

    source: str
    read_until: str | None
    days_read: list[str] = field(default_factory=list)
