"""Citations of bills, questions and amendments found in free text (issue 11: dossier timeline).

"proposition de loi n° 2504", "PPL 2504", "PPL n°2504", "projet de loi n° 1234", "la proposition de
loi visant à … (n° 2504)", "question écrite n° 13024", "QE 13024", "amendement n° 1234",
"amendements n°s 12 et 14", "amendement n° AS12", with the text an amendment belongs to when the
sentence says it ("amendement n° 1234 à la proposition de loi n° 2504", "amendement n° 12 (PPL
2504)"). Matching runs on the fold of ``monitor.ingest.text`` (case, accents, odd spaces), and
spans are mapped back to the original text (only when asked, and only for a text that cites
something: the per-character map is the costly part and the pipeline needs no spans).
Pure: no storage, no network.

Near-misses that must not match: "loi n° 2016-41" (a law, not a bill), "décret n° 2021-1234",
"article 51", dates, a bare "n° 2504", "PPL" without number.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from monitor.ingest.text import fold, fold_with_map

__all__ = ["Citation", "find_citations"]

#: "n°", "n °", "no", "nº" (folds to "no"), "n°s", "nos", "numero"; optional
_NUM = r"(?:n\s?°\s?s?|nos?\.?|numeros?)\s*"
_END = r"(?![\d/]|-\d)"  # not "2016-41", not "12/03"
_BILL_WORDS = r"(?:proposition|projet)s?\s+de\s+loi(?:\s+organique|\s+constitutionnelle)?"
_ABBR = r"\b(?:ppl|pjl|pplo)\b"
_AMDT_NO = r"(?:[a-z]{1,4}\s?)?\d{1,6}"
_LIST_SEP = r"\s*(?:,|\bet\b|\bou\b)\s*"
_TEXT_AFTER = re.compile(
    rf"\s*(?:,\s*)?(?:(?:a|au|sur|de)\s+(?:la\s+|le\s+)?{_BILL_WORDS}\s*\(?\s*{_NUM}(\d{{1,5}}){_END}"
    rf"|\(\s*(?:{_ABBR}|{_BILL_WORDS})\s*(?:{_NUM})?(\d{{1,5}}){_END}\s*\))"
)
_LOI = (("loi",), ("proposition", "projet"))
#: (kind, gates, pattern): a pattern scans the folded text only when, for every gate, the text
#: holds one of its substrings (a substring test is ~100x cheaper than a regex scan)
_PATTERNS: list[tuple[str, tuple[tuple[str, ...], ...], re.Pattern[str]]] = [
    ("bill", _LOI, re.compile(rf"\b{_BILL_WORDS}\s*\(?\s*{_NUM}(\d{{1,5}}){_END}")),
    ("bill", (("ppl", "pjl"),), re.compile(rf"{_ABBR}\s*(?:{_NUM})?(\d{{1,5}}){_END}")),
    # "la proposition de loi visant à … (n° 2504)": title in between, same clause
    (
        "bill",
        _LOI,
        re.compile(rf"\b{_BILL_WORDS}\b[^.;()\n]{{1,300}}?\(\s*{_NUM}(\d{{1,5}}){_END}\s*\)"),
    ),
    (
        "question",
        (("question",), ("ecrite", "orale", "gouvernement")),
        re.compile(
            rf"\bquestions?\s+(?:ecrites?|orales?(?:\s+sans\s+debat)?|au\s+gouvernement)\s+{_NUM}(\d{{1,6}}){_END}"
        ),
    ),
    (
        "question",
        (("qe", "qosd", "qg"),),
        re.compile(rf"\b(?:qe|qosd|qg)\s*(?:{_NUM})?(\d{{1,6}}){_END}"),
    ),
]
_LIST_SPLIT = re.compile(_LIST_SEP)
_NUM_PREFIX = re.compile(rf"^{_NUM}|\s+")
_AMENDMENTS = re.compile(
    rf"\bamendements?\s+{_NUM}({_AMDT_NO}{_END}(?:{_LIST_SEP}(?:{_NUM})?{_AMDT_NO}{_END})*)"
)


@dataclass(frozen=True)
class Citation:
    kind: str  # bill | question | amendment
    number: str  # "2504", "13024", "1234", "AS12"
    text_number: str | None = None  # the bill an amendment belongs to, when stated
    start: int = 0  # span in the original text
    end: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def find_citations(
    value: str | None, *, spans: bool = True, folded: str | None = None
) -> list[Citation]:
    """Every citation in ``value``, in text order, each (kind, number, text_number) once.

    ``spans=False`` leaves ``start``/``end`` at 0: the pipeline stores only what is cited, and
    mapping folded positions back to the original text cost more than finding the citations.
    ``folded``: ``fold(value)`` when the caller has it (the matcher folded the same fields)."""
    if not value:
        return []
    if folded is None:
        folded = fold(value)
    hits: list[tuple[int, int, str, str, str | None]] = []  # folded start, end, kind, …
    for kind, gates, pattern in _PATTERNS:
        if all(any(s in folded for s in gate) for gate in gates):
            for m in pattern.finditer(folded):
                hits.append((m.start(), m.end(), kind, m.group(1), None))
    if "amendement" in folded:
        for m in _AMENDMENTS.finditer(folded):
            after = _TEXT_AFTER.match(folded, m.end())
            text_number = (after.group(1) or after.group(2)) if after else None
            for num in _LIST_SPLIT.split(m.group(1)):
                number = _NUM_PREFIX.sub("", num.strip()).upper()
                if not number:
                    continue
                hits.append((m.start(), m.end(), "amendment", number, text_number))
    if not hits:
        return []
    # folded positions keep the original order (folding never reorders characters)
    hits.sort(key=lambda h: (h[0], h[2]))
    index = fold_with_map(value)[1] if spans else None
    seen: set[tuple[str, str, str | None]] = set()
    out = []
    for a, b, kind, number, text_number in hits:
        key = (kind, number, text_number)
        if key in seen:
            continue
        seen.add(key)
        where = (index[a], index[b - 1] + 1) if index is not None else (0, 0)
        out.append(Citation(kind, number, text_number, *where))
    return out
