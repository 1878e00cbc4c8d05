"""Item → Record: clean text, canonical URL, stable id, normalized dates, content hash.

Why the hash is computed here, on normalized fields: two fetches of the same document that
differ only by markup, whitespace or date formatting produce the same record and the same
hash, so the store sees "unchanged" and nobody gets an alert.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime
from functools import lru_cache

from monitor.ingest.dates import DateError, normalize_date
from monitor.ingest.records import CONTENT_FIELDS, Record
from monitor.ingest.text import clean_line, clean_text
from spiders.items import ArticleItem, QuestionItem
from spiders.parse.an_record import question_status

logger = logging.getLogger("vigie.normalize")

#: short values that repeat across a dump (ministries, rubriques, groups, circonscriptions,
#: authors, JO pages): cleaned once each. clean_line is pure; this was ~20 % of ingest time.
_line = lru_cache(maxsize=8192)(clean_line)

#: question ids inside followed page URLs: AN /dyn/ and legacy pages, Sénat pages
_FOLLOW_URL_ID = (
    re.compile(r"/dyn/\d+/questions/(?P<uid>QANR5L\d+[A-Z]+\d+)"),
    re.compile(r"/q(?P<leg>\d+)/(?P=leg)-(?P<num>\d+)(?P<type>[A-Z]+)\.htm"),
    re.compile(r"q(?P<uid>SEQ\w+?)\.html", re.I),
)


@lru_cache(maxsize=8)
def follow_ids(follow: frozenset[str]) -> frozenset[str]:
    """The ``follow`` entries plus the question ids their page URLs name, so following a
    question by its legacy page URL follows the item the dump produces."""
    ids = set(follow)
    for entry in follow:
        for pattern in _FOLLOW_URL_ID:
            if m := pattern.search(entry):
                groups = m.groupdict()
                ids.add(
                    groups["uid"].upper()
                    if groups.get("uid")
                    else f"QANR5L{groups['leg']}{groups['type']}{groups['num']}"
                )
                break
    return frozenset(ids)


class NormalizeError(ValueError):
    """The item cannot become a record (no URL, nothing to store): skipped and counted."""


def _date(raw: str | None, now: datetime, url: str, what: str) -> str | None:
    """An impossible or far-future date is logged with the URL and stored as unknown."""
    try:
        return normalize_date(raw, now)
    except DateError as exc:
        logger.warning("%s: %s date left unknown: %s", url, what, exc)
        return None


def article_record(item: ArticleItem, now: datetime) -> Record:
    url = item.canonical_url or item.url
    if not url:
        raise NormalizeError("article without URL")
    title = clean_line(item.title)
    body = clean_text(item.body)
    if not title and not body:
        raise NormalizeError(f"{url}: neither title nor text")
    return Record(
        id=url,
        source=item.source,
        kind=item.kind,
        url=url,
        title=title,
        author=clean_line(item.author),
        published=(published := _date(item.date_raw, now, url, "publication")),
        published_raw=clean_line(item.date_raw),
        date_source=item.date_source if published else None,
        body=body,
        discovery_hints=item.updated_raw,
    )


def is_followed(
    kind: str,
    *,
    matched: bool,
    listed: bool = False,
    already: bool = False,
    attached: bool = False,
) -> bool:
    """The one rule deciding "followed" (pipeline, rematch).

    - A question is followed when the config lists it (``follow``), when it matches the watch
      terms, or when it already was (storage keeps the flag sticky).
    - A legislative document or dossier likewise, and also when it hangs on something followed
      (a report or a text adopted in a followed dossier).
    - Amendments, agenda points, sitting sections are followed when listed or when they hang
      on a followed text or dossier (``attached``); their own match alerts without following.
    - A Journal officiel text (``jo_text``) that matches is followed: its corrections, in later
      archives, alert even when they no longer repeat the term.
    - Articles are never followed: a changed article alerts only when it matches.
    """
    if kind == "question":
        return listed or matched or already
    if kind in ("document", "dossier", "jo_text"):
        return listed or matched or already or attached
    if kind in ("amendment", "agenda", "debate"):
        return listed or already or attached
    return False


def listed_in_follow(uid: str | None, url: str | None, follow: set[str] | None) -> bool:
    """Whether a source's ``follow`` entries name this question (by uid or page URL)."""
    if not follow or not uid:
        return False
    return uid in follow or url in follow or uid in follow_ids(frozenset(follow))


def question_record(item: QuestionItem, now: datetime, follow: set[str] | None = None) -> Record:
    if not item.uid:
        raise NormalizeError(f"{item.url}: question without identifier")
    status, reason = question_status(item)
    followed = int(
        is_followed("question", matched=False, listed=listed_in_follow(item.uid, item.url, follow))
    )
    return Record(
        id=item.uid,
        source=item.source,
        kind=item.kind,
        url=item.url,
        title=clean_line(item.title) or clean_line(item.analysis) or _line(item.rubrique),
        author=_line(item.author_name),
        published=_date(item.question_date_raw, now, item.url, "question"),
        published_raw=_line(item.question_date_raw),
        body=clean_text(item.question_text),
        chamber=item.chamber,
        legislature=item.legislature,
        qtype=item.qtype,
        number=item.number,
        rubrique=_line(item.rubrique),
        analysis=clean_line(item.analysis),
        group_name=_line(item.group_name),
        circonscription=_line(item.circonscription),
        ministry_asked=_line(item.ministry_asked),
        ministry_answering=_line(item.ministry_answering),
        question_jo_page=_line(item.question_jo_page),
        status=status,
        closed_reason=_line(reason),
        answered_on=_date(item.answer_date_raw, now, item.url, "answer"),
        answer_jo_page=_line(item.answer_jo_page),
        answer_text=clean_text(item.answer_text),
        followed=followed,
        fingerprint=item.fingerprint,
    )


#: one encoder each, built once: ``json.dumps(..., ensure_ascii=False)`` builds a new encoder on
#: every call, and a dump's first ingest encodes four values per record (same output)
_encode = json.JSONEncoder(ensure_ascii=False).encode
_encode_sorted = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode

#: content fields added by later versions (issue 11), hashed only when not None
_LATER_FIELDS = ("status_label", "extra")


def content_hash(record: Record) -> str:
    # getattr, not dataclasses.asdict(): it deep-copies every field and was a quarter of
    # the ingest time of an AN dump (bench/dump_ingest.py); content fields are all scalars.
    # Fields added after items were stored count only when set: an archive from before the
    # legislative watch keeps its hashes (no spurious "changed" on upgrade).
    content = {f: getattr(record, f, None) for f in CONTENT_FIELDS}
    for f in _LATER_FIELDS:
        if content[f] is None:
            del content[f]
    payload = _encode_sorted(content)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record_row(record: Record) -> dict:
    """The ``items`` row: JSON-encoded lists, the content hash."""
    row = dict(vars(record))  # the record's fields, in order; the two containers are encoded
    row["matched_terms"] = _encode(record.matched_terms)
    row["match_fields"] = _encode(record.match_fields)
    if record.extra is not None:
        row["extra"] = _encode_sorted(record.extra)
    row["content_hash"] = content_hash(record)
    return row
