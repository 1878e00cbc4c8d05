"""LegisItem → Record (+ the links it carries): amendments, documents, dossiers, agenda, debates.

Why the same ``Record`` as questions and articles: one ``items`` table is what Datasette
searches, what the alert policy reads and what the dossier timeline orders. What is specific to
a kind (the text amended, the article aimed at, the cosignatories, the examining body…) goes
into ``extra`` (JSON), shown on the item page and kept in every version.

Following (issue 11): a document or dossier in ``follow`` is followed; an item whose parent
(its text, its dossier) is followed is followed; the pipeline adds matching documents and
dossiers to the followed set as they arrive, so everything attached to them follows.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from monitor.ingest.dates import DateError, normalize_date
from monitor.ingest.normalize import NormalizeError
from monitor.ingest.records import Record
from monitor.ingest.text import clean_line, clean_text
from spiders.items import LEGIS_KINDS, LegisItem

KINDS = LEGIS_KINDS  # the spiders' vocabulary, one list

#: the kinds whose own match makes them (and what hangs on them) followed
ROOT_KINDS = ("document", "dossier", "jo_text")

#: short values that repeat across a dump (authors, dates, decision labels, "Amendement n° 12
#: (Art. 1er)"): cleaned once each; clean_line is pure (as normalize.py does for questions)
_line = lru_cache(maxsize=16384)(clean_line)
_DIGITS = re.compile(r"\d+")


def _date(raw: str | None, now: datetime) -> str | None:
    try:
        return normalize_date(raw, now)
    except DateError:
        return None


def legis_record(item: LegisItem, now: datetime) -> Record:
    """The normalized record; raises NormalizeError for an item that cannot be stored."""
    if not item.uid or item.kind not in KINDS:
        raise NormalizeError(f"{item.url or item.source}: legislative item without uid or kind")
    title = _line(item.title)
    text = clean_text(item.text)
    if not title and not text:
        raise NormalizeError(f"{item.uid}: neither title nor text")
    extra = {k: v for k, v in (item.fields or {}).items() if v not in (None, "", [], {})}
    num = None
    if item.number not in (None, ""):
        digits = _DIGITS.search(str(item.number))
        num = int(digits.group()) if digits else None
        if str(num) != str(item.number).strip():  # "AS12", "1234 (rect.)": kept as written
            extra.setdefault("number_label", str(item.number))
    if item.kind == "dossier" and extra.get("acts"):
        # a dossier's news is a new step: its steps are part of its text (a change alerts)
        steps = [_act_line(a) for a in extra["acts"] if isinstance(a, dict)]
        text = "\n".join([text or title or "", *[s for s in steps if s]]).strip()
    return Record(
        id=item.uid,
        source=item.source,
        kind=item.kind,
        url=item.url,
        title=title,
        author=_line(extra.get("author_name")),
        fingerprint=item.fingerprint,
        published=_date(item.published_raw, now),
        published_raw=_line(item.published_raw),
        body=text,
        chamber=item.chamber,
        legislature=item.legislature,
        number=num,
        status=item.status,
        status_label=_line(item.status_label),
        extra=extra,
        source_ts=item.source_ts,
    )


def _act_line(act: dict[str, Any]) -> str:
    label = clean_line(act.get("label")) or act.get("code") or ""
    when = str(act.get("date") or "")[:10]
    return f"{when} — {label}" if when and label else label


def links_of(item: LegisItem) -> list[tuple[str, str, str]]:
    """(from, to, "attached") rows for the item's parents (its text, its dossier)."""
    return [(item.uid, p, "attached") for p in dict.fromkeys(item.parents or []) if p]


def roots_to_follow(item: LegisItem, record: Any) -> list[str]:
    """Ids that become followed because of this item: a matching or followed document or
    dossier, and the dossier a followed document belongs to (its reports, its agenda)."""
    if item.kind not in ROOT_KINDS or not (record.matched or record.followed):
        return []
    return [item.uid, *(item.parents or [])]
