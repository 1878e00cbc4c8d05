"""The normalized record handed to storage as a plain dict.

Why a dataclass and not the Scrapy item: a record is *our* statement (clean text, ISO date,
stable id, content hash); an item is what a page said. Only records reach storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the fields whose change makes a new version; bookkeeping fields are excluded
CONTENT_FIELDS: tuple[str, ...] = (
    "url",
    "title",
    "author",
    "published",
    "body",
    "legislature",
    "qtype",
    "number",
    "rubrique",
    "analysis",
    "group_name",
    "circonscription",
    "ministry_asked",
    "ministry_answering",
    "question_jo_page",
    "status",
    "closed_reason",
    "answered_on",
    "answer_jo_page",
    "answer_text",
    "status_label",
    "extra",
)


@dataclass
class Record:
    id: str
    source: str
    kind: str
    url: str
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 with Europe/Paris offset, or None when unknown
    published_raw: str | None = None
    date_source: str | None = None  # where published_raw was read (byline, jsonld, meta, ...)
    body: str | None = None
    #: articles: JSON {discovery path: lastmod/updated hint} from feeds and sitemaps
    discovery_hints: str | None = None
    #: questions: checksum of the open-data record (unchanged next time → not reparsed)
    fingerprint: str | None = None
    # parliament questions
    chamber: str | None = None
    legislature: int | None = None
    qtype: str | None = None
    number: int | None = None
    rubrique: str | None = None
    analysis: str | None = None
    group_name: str | None = None
    circonscription: str | None = None
    ministry_asked: str | None = None
    ministry_answering: str | None = None
    question_jo_page: str | None = None
    status: str | None = None
    closed_reason: str | None = None
    answered_on: str | None = None
    answer_jo_page: str | None = None
    answer_text: str | None = None
    # legislative work (issue 11): the official decision label, kind-specific fields (JSON in
    # the row), and how new this version is (an older dump never undoes a newer list document)
    status_label: str | None = None
    extra: dict | None = None
    source_ts: str | None = None
    followed: int = 0
    # matching (filled by monitor.ingest.match)
    matched: int = 0
    matched_terms: list[str] = field(default_factory=list)
    match_fields: dict[str, list[str]] = field(default_factory=dict)
    snippet: str | None = None
