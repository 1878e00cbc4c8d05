"""Amendment decisions: the official ``sort``/``etat`` (code or label) → one normalized status.

=====================================================  ==============  ==========================
Official code / label (``cycleDeVie.sort``, ``etat``)   status          meaning
=====================================================  ==============  ==========================
ADO, "Adopté"                                          adopted         voted in
REJ, "Rejeté"                                          rejected        voted down
RET, "Retiré"                                          withdrawn       withdrawn by its authors
TOM, "Tombé"                                           fallen          moot after another vote
"Sans objet" (Sénat)                                   fallen          moot after another vote
NSO, NDE, "Non soutenu", "Non défendu"                 not_moved       nobody moved it
IRR40, IRR45, IRR98, "Irrecevable", "Irrecevable 40"   inadmissible    ruled out (art. 40/45…)
"En traitement", "A discuter", "En recevabilité"       pending         not decided yet
(no sort and no etat)                                  pending         tabled, nothing since
anything else                                          unknown         label kept, logged
=====================================================  ==============  ==========================

Sénat wordings (the ``Sort`` column of its amendment CSV, issue 12) fall under the same prefixes:
"Retiré avant séance" → withdrawn, "Irrecevable art. 40 C" / "Irrecevable art. 45" →
inadmissible, "Non soutenu" → not_moved, "Adopté", "Rejeté", "Tombé", "Sans objet" (fallen).

The official label is always kept beside the status (``status_label``), so an unknown wording is
never lost: it is stored as ``unknown`` with its label and logged by the spider.
"""

from __future__ import annotations

import re
import unicodedata

_BY_CODE = {
    "ADO": "adopted",
    "REJ": "rejected",
    "RET": "withdrawn",
    "TOM": "fallen",
    "NSO": "not_moved",
    "NDE": "not_moved",
    "IRR": "inadmissible",
}
#: folded label prefixes → status (first match wins; order matters: "non soutenu" before others)
_BY_LABEL = (
    ("non soutenu", "not_moved"),
    ("non defendu", "not_moved"),
    ("adopte", "adopted"),
    ("rejete", "rejected"),
    ("retire", "withdrawn"),
    ("tombe", "fallen"),
    ("sans objet", "fallen"),
    ("irrecevable", "inadmissible"),
    ("en traitement", "pending"),
    ("a discuter", "pending"),
    ("en recevabilite", "pending"),
    ("en cours", "pending"),
    ("depose", "pending"),
)
UNKNOWN = "unknown"


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value.casefold())
    value = "".join(c for c in value if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", value).strip()


def decision(code: str | None, label: str | None) -> str | None:
    """Status for one official code/label pair; None when both are empty."""
    if code:
        key = re.sub(r"\d+$", "", code.strip().upper())
        if key in _BY_CODE:
            return _BY_CODE[key]
    for value in (label, code):
        if value:
            folded = _fold(value)
            for prefix, status in _BY_LABEL:
                if folded.startswith(prefix):
                    return status
            if re.fullmatch(r"(ado|rej|ret|tom|nso|nde|irr)\d*", folded):
                return _BY_CODE[folded[:3].upper()]
    if code or label:
        return UNKNOWN
    return None
