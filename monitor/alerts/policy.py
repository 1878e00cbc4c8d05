"""Which item changes become alerts, and who receives them. Policy only: no storage, no mail.

Rules (issue 4): an unchanged item never alerts; a new item alerts when it matches the watch
terms or is followed; a changed item alerts when it matches or is followed, now or before
(so an item that starts or stops matching is reported); an item that neither matches nor is
followed never alerts. One alert per item per crawl: :func:`item_event` is called once with
*all* the fields that changed, and its payload lists them all.

Only content fields count: a change confined to bookkeeping (``last_seen``, ``published_raw``
when the ISO date is the same, ``content_hash``…) is no news.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.ingest.records import CONTENT_FIELDS

#: longest value kept in a payload (the item row keeps the full text)
PAYLOAD_TEXT_MAX = 600

#: fields whose change is reported (match bookkeeping counts: it says "now matches")
REPORTED_FIELDS: tuple[str, ...] = (*CONTENT_FIELDS, "matched", "matched_terms", "followed")

#: kinds of change, most newsworthy first: the first present names the alert
KIND_ORDER: tuple[str, ...] = (
    "answered",
    "newly_matched",
    "status",
    "ministry",
    "text",
    "unmatched",
    "fields",
)

#: kinds that alert only when they match: every sitting section on a followed text is stored
#: followed (the timeline shows it), but only one that names the watch terms is news
QUIET_WHEN_FOLLOWED = ("debate",)

_TEXT_FIELDS = {"title", "body", "answer_text", "analysis"}
_MINISTRY_FIELDS = {"ministry_asked", "ministry_answering"}


def _truthy(value: Any) -> bool:
    return bool(value) and value not in ("0", "[]")


def _terms(row: dict | None) -> list[str]:
    if not row:
        return []
    raw = row.get("matched_terms")
    if isinstance(raw, list):
        return [str(t) for t in raw]
    try:
        value = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return []
    return [str(t) for t in value] if isinstance(value, list) else []


def truncate(value: Any, limit: int = PAYLOAD_TEXT_MAX) -> Any:
    """Long texts are cut on a word boundary with an ellipsis; other values pass unchanged."""
    if not isinstance(value, str) or len(value) <= limit:
        return value
    cut = value[:limit].rsplit(" ", 1)[0] or value[:limit]
    return cut.rstrip() + " …"


def change_kinds(record: dict, previous: dict, fields: list[str]) -> list[str]:
    """What kind of news these changed fields are, most newsworthy first."""
    kinds: set[str] = set()
    was_matched, is_matched = _truthy(previous.get("matched")), _truthy(record.get("matched"))
    if is_matched and not was_matched:
        kinds.add("newly_matched")
    if was_matched and not is_matched:
        kinds.add("unmatched")
    answered_now = (
        ("answer_text" in fields and not previous.get("answer_text") and record.get("answer_text"))
        or ("status" in fields and record.get("status") == "answered")
        or (
            "answered_on" in fields
            and not previous.get("answered_on")
            and record.get("answered_on")
        )
    )
    if answered_now:
        kinds.add("answered")
    elif "status" in fields:
        kinds.add("status")
    if _MINISTRY_FIELDS & set(fields):
        kinds.add("ministry")
    if _TEXT_FIELDS & set(fields) and not (
        answered_now and set(fields) & _TEXT_FIELDS == {"answer_text"}
    ):
        kinds.add("text")
    if not kinds:  # e.g. only the date, the author or the URL changed
        kinds.add("fields")
    return [k for k in KIND_ORDER if k in kinds]


def version_event(previous: dict, record: dict, fields: list[str]) -> str:
    """``item_versions.event``: the most newsworthy kind of change; a status change is named
    by the new status (closed, signalee)."""
    first = change_kinds(record, previous, fields)[0]
    if first == "status" and record.get("status") in ("closed", "signalee"):
        return str(record["status"])
    return first


def item_event(
    outcome: str, record: dict, previous: dict | None, changed_fields: list[str]
) -> dict | None:
    """The alert one crawl's outcome for one item deserves, or None.

    ``record`` and ``previous`` are ``items`` rows as dicts; ``changed_fields`` are the fields
    that differ. Returns ``{"event": "new_match" | "item_changed", "payload": {...}}``.
    """
    matched, followed = _truthy(record.get("matched")), _truthy(record.get("followed"))
    terms = _terms(record)
    if record.get("kind") in QUIET_WHEN_FOLLOWED and not (
        matched or _truthy((previous or {}).get("matched"))
    ):
        return None  # a sitting section alerts when it names the watch terms, not for being on
    if outcome == "new":
        if not (matched or followed):
            return None
        return {
            "event": "new_match",
            "payload": {
                "kind": "new",
                "kinds": ["new"],
                "changed_fields": [],
                "changes": {},
                "matched_terms": terms,
                "followed": followed,
            },
        }
    if outcome != "changed" or previous is None:
        return None
    was_matched, was_followed = _truthy(previous.get("matched")), _truthy(previous.get("followed"))
    if not (matched or followed or was_matched or was_followed):
        return None
    fields = [f for f in dict.fromkeys(changed_fields) if f in REPORTED_FIELDS]
    if not fields:
        return None
    kinds = change_kinds(record, previous, fields)
    return {
        "event": "item_changed",
        "payload": {
            "kind": kinds[0],
            "kinds": kinds,
            "changed_fields": fields,
            "changes": {
                f: {"previous": truncate(previous.get(f)), "new": truncate(record.get(f))}
                for f in fields
            },
            "matched_terms": terms,
            "previous_terms": _terms(previous),
            "followed": followed,
        },
    }


def recipients_for(global_recipients: list[str], source_recipients: list[str]) -> list[str]:
    """Global then per-source recipients, each once (case-insensitive), order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for r in [*global_recipients, *source_recipients]:
        addr = r.strip()
        if addr and addr.lower() not in seen:
            seen.add(addr.lower())
            out.append(addr)
    return out
