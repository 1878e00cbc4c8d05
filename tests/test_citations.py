"""Citation finder: table-driven cases (tests/cases/citations.toml) plus spans in the original text."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.ingest.citations import find_citations

CASES = tomllib.loads((Path(__file__).parent / "cases" / "citations.toml").read_text("utf-8"))[
    "case"
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    got = [[c.kind, c.number, c.text_number or ""] for c in find_citations(case["text"])]
    assert got == case["expected"]
    # the pipeline's call (no span map, issue 15) finds exactly the same, in the same order
    fast = find_citations(case["text"], spans=False)
    assert [[c.kind, c.number, c.text_number or ""] for c in fast] == case["expected"]
    assert all((c.start, c.end) == (0, 0) for c in fast)


def test_span_maps_back_to_the_original_text():
    text = "Voir l’amendement n° 1234 à la proposition de loi n° 2504."
    amendment, bill = find_citations(text)
    assert text[amendment.start : amendment.end] == "amendement n° 1234"
    assert text[bill.start : bill.end] == "proposition de loi n° 2504"
    assert amendment.as_dict()["text_number"] == "2504"


def test_empty():
    assert find_citations(None) == [] and find_citations("") == []
