"""An item's versions as readable changes: what the answer, the status, the title became.

``item_versions`` keeps, for each change, the fields changed and their values *before* it; the
value after a change is the one saved before the next change of that field, or the current row.
Long texts get a word-level diff (:mod:`difflib`, standard library: no reason for another
dependency) with ``<del>``/``<ins>``; short fields read "old → new".
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from monitor.alerts.compose import FIELD_LABELS, french_date

LONG_FIELDS = frozenset({"body", "answer_text", "analysis"})
STATUS = {
    "pending": "en attente de réponse",
    "answered": "répondue",
    "signalee": "signalée",
    "closed": "close",
}
EVENTS = {
    "first_seen": "Première collecte",
    "answered": "Réponse publiée",
    "status": "Statut modifié",
    "ministry": "Changement de ministère",
    "text": "Texte modifié",
    "new": "Nouveau document",
}
_WORDS = re.compile(r"\s+|[^\s]+")
CONTEXT_WORDS = 8


@dataclass
class Change:
    field: str
    label: str
    before: str | None
    after: str | None
    diff: Markup | None = None  # long texts only


@dataclass
class Version:
    at: str
    event: str
    label: str
    changes: list[Change] = field(default_factory=list)


def _show(name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    if name == "status":
        return STATUS.get(str(value), str(value))
    if name in ("published", "answered_on"):
        return french_date(str(value))
    return str(value)


def word_diff(before: str, after: str) -> Markup:
    """Changed words marked, unchanged runs cut to a few words around each change."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same = a[i1:i2]
            if len(same) > 4 * CONTEXT_WORDS:
                same = same[: 2 * CONTEXT_WORDS] + [" … "] + same[-2 * CONTEXT_WORDS :]
            out.append(str(escape("".join(same))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))


def versions(item: dict[str, Any], rows: list[dict[str, Any]]) -> list[Version]:
    """``rows`` (oldest first, from storage.web_queries.item_versions) → newest first."""
    parsed = []
    for row in rows:
        try:
            fields = json.loads(row.get("changed_fields") or "[]")
            previous = json.loads(row.get("previous") or "{}")
        except ValueError:
            fields, previous = [], {}
        parsed.append((row, fields if isinstance(fields, list) else [], previous or {}))
    out: list[Version] = []
    for k, (row, fields, previous) in enumerate(parsed):
        changes = []
        for name in fields:
            after = item.get(name)
            for _, later_fields, later_prev in parsed[k + 1 :]:
                if name in later_fields:
                    after = later_prev.get(name)
                    break
            before = previous.get(name)
            change = Change(
                name, FIELD_LABELS.get(name) or str(name), _show(name, before), _show(name, after)
            )
            if name in LONG_FIELDS and before and after:
                change.diff = word_diff(str(before), str(after))
            changes.append(change)
        event = row.get("event") or "text"
        out.append(Version(row["changed_at"], event, EVENTS.get(event, "Mise à jour"), changes))
    if item.get("first_seen"):
        out.insert(0, Version(item["first_seen"], "first_seen", EVENTS["first_seen"]))
    return list(reversed(out))
