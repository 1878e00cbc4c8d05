"""Name what changed in an item, for ``item_versions.event`` and alert subjects."""

from __future__ import annotations

from typing import Any


def change_event(previous: dict[str, Any], row: dict[str, Any], changed: list[str]) -> str:
    """answered | closed | signalee | status | ministry | text (most newsworthy first)."""
    if ("answer_text" in changed or "answered_on" in changed) and row.get("answer_text") and not previous.get("answer_text"):
        return "answered"
    if "status" in changed:
        status = row.get("status")
        return status if status in ("answered", "closed", "signalee") else "status"
    if "ministry_answering" in changed:
        return "ministry"
    return "text"
