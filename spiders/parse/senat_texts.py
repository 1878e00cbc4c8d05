"""Sénat text references: ``ppl25-400`` ↔ session ``2025-2026`` n° 400, and the uids built on them.

Why one module: the depots list, the dossier pages and the amendment sets name the same text
three ways (``/leg/ppl25-400.html``, ``/dossier-legislatif/ppl25-400.html``,
``/amendements/2025-2026/400/…``); the uids must agree wherever the text is met.

Uids are the Sénat's own references, the path of the page without ``.html``:
``leg/ppl25-400`` (a text), ``dossier-legislatif/ppl25-400`` (its dossier).
"""

from __future__ import annotations

import re

#: a Sénat text id: kind (ppl, pjl, ppr, tas…), two-digit session year, number
TEXT_ID = re.compile(r"\b(?P<kind>[a-z]{2,4})(?P<yy>\d{2})-(?P<num>\d+)\b")
KINDS = {
    "ppl": "Proposition de loi",
    "pjl": "Projet de loi",
    "ppr": "Proposition de résolution",
    "tas": "Texte adopté",
}


def session_of(yy: str) -> str:
    """Two-digit year of a text id → session (``25`` → ``2025-2026``)."""
    start = 2000 + int(yy)
    return f"{start}-{start + 1}"


def text_uid(text_id: str) -> str:
    return f"leg/{text_id}"


def dossier_uid(dossier_id: str) -> str:
    return f"dossier-legislatif/{dossier_id}"


def text_ref(text_id: str) -> str | None:
    """``ppl25-400`` → ``2025-2026/400`` (the key of its amendment sets)."""
    m = TEXT_ID.fullmatch(text_id)
    return f"{session_of(m['yy'])}/{int(m['num'])}" if m else None
