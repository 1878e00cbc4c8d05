"""Tests of monitor.ingest.match: the corpus in tests/cases/match.toml plus API-level behaviour."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.ingest.match import Matcher, MatchResult, compile_term, snippet
from monitor.ingest.text import clean_text, fold

TABLE = tomllib.loads((Path(__file__).parent / "cases" / "match.toml").read_text("utf-8"))
CASES = TABLE["case"]
SHIPPED = TABLE["terms"]


def _fields(case: dict) -> dict[str, str | None]:
    fields = case.get("fields") or {"body": case["text"]}
    if case.get("html"):
        fields = {name: clean_text(value) for name, value in fields.items()}
    return fields


def test_case_ids_are_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_match_case(case):
    matcher = Matcher(case.get("terms", SHIPPED), case.get("exclude", TABLE["exclude"]))
    fields = _fields(case)
    result = matcher.match(fields)
    assert result.terms == case["expected"]
    assert result.matched is bool(case["expected"])
    assert (result.snippet is None) is (not case["expected"])
    if "hits" in case:
        text = next(value for value in fields.values() if value)
        assert [text[a:b] for a, b in matcher.highlight(text)] == case["hits"]


def test_fields_map_terms_to_fields_in_given_order():
    matcher = Matcher(SHIPPED)
    case = next(c for c in CASES if c["id"] == "fields-order-and-where")
    result = matcher.match(case["fields"])
    assert result.fields == {
        "SECPA": ["body", "answer_text"],
        "centres et maisons de santé participati*": ["body"],
    }
    assert result.snippet == "centres et maisons de santé participatifs, dits SECPA"


def test_none_fields_and_no_fields():
    matcher = Matcher(SHIPPED)
    assert matcher.match({"title": None, "body": None}) == MatchResult()
    assert matcher.match({}) == MatchResult(matched=False, terms=[], fields={}, snippet=None)


def test_terms_reported_in_config_order_not_text_order():
    matcher = Matcher(["Sepca", "SECPA"])
    assert matcher.match({"body": "SECPA puis Sepca"}).terms == ["Sepca", "SECPA"]


def test_snippet_is_taken_from_first_field_with_a_hit_in_original_text():
    matcher = Matcher(SHIPPED)
    result = matcher.match({"title": "Rien", "body": "Les  Sec-pa\u00a0d’Île-de-France"})
    assert result.snippet == "Les Sec-pa d’Île-de-France"  # original spelling, spaces squashed


def test_snippet_of_long_text_is_cut_between_words_with_ellipses():
    words = " ".join(f"mot{i:03d}" for i in range(200))  # 7 characters per word with its space
    text = f"{words} l’expérimentation SECPA prolongée {words}"
    result = Matcher(["SECPA"]).match({"body": text})
    assert result.snippet is not None
    assert result.snippet.startswith("…mot") and result.snippet.endswith("…")
    inner = result.snippet.strip("…")
    assert "l’expérimentation SECPA prolongée" in inner
    assert 170 <= len(inner) <= 200
    assert all(word.startswith("mot") and len(word) == 6 for word in inner.split()[:3])
    assert inner.split()[-1].startswith("mot") and len(inner.split()[-1]) == 6


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("court", 0, 5, "court"),
        ("a" * 10 + " SECPA " + "b" * 300, 11, 16, "aaaaaaaaaa SECPA…"),
        ("x" * 300 + " SECPA", 301, 306, "…SECPA"),
    ],
)
def test_snippet_edges(text, start, end, expected):
    assert snippet(text, start, end) == expected


def test_excluded_first_occurrence_moves_snippet_to_the_counted_one():
    matcher = Matcher(["SECPA"], exclude=["SECPA Formation"])
    result = matcher.match({"title": "SECPA Formation", "body": "l'expérimentation SECPA"})
    assert result.fields == {"SECPA": ["body"]}
    assert result.snippet == "l'expérimentation SECPA"


def test_highlight_merges_overlapping_hits_and_maps_accents_back():
    matcher = Matcher(["santé participati*", "participatives", "SECPA"])
    text = "Œuvre : santé participatives — SÉC-PA"
    spans = matcher.highlight(text)
    assert [text[a:b] for a, b in spans] == ["santé participatives", "SÉC-PA"]
    assert spans == [(8, 28), (31, 37)]


def test_highlight_of_empty_text():
    assert Matcher(["SECPA"]).highlight("") == []


def test_duplicate_terms_are_reported_once():
    assert Matcher(["SECPA", "SECPA"]).match({"b": "SECPA"}).terms == ["SECPA"]


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("*", "only wildcards"),
        ("** *", "only wildcards"),
        ("' - '", "is empty"),
        ("* - *", "only wildcards or separators"),
        ("par*ti", "only at the end of a word"),
        ("pa*", "at least 3 letters"),
        ("santé p*", "at least 3 letters"),
    ],
)
def test_bad_terms_raise_value_error_naming_the_term(term, message):
    with pytest.raises(ValueError) as raised:
        Matcher(["SECPA", term])
    assert message in str(raised.value)
    assert repr(term) in str(raised.value)


def test_bad_exclude_raises_too():
    with pytest.raises(ValueError, match="is empty"):
        Matcher(["SECPA"], exclude=[""])


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("d'exercice", "dexercice", True),
        ("d'exercice", "d - exercice", True),
        ("santé publique", "santé-publique", True),
        ("santé publique", "santépublique", False),  # a space needs a separator
        ("co-construction", "coconstruction", True),
        ("co-construction", "co construction", True),
        ("participati*", "participatives", True),
        ("participati*", "nonparticipatif", False),
    ],
)
def test_separator_rules(term, text, hit):
    assert bool(compile_term(term).search(fold(text))) is hit


@pytest.mark.parametrize(
    ("term", "text", "spans"),
    [
        ("SECPA", "SECPA en tête", [(0, 5)]),
        ("SECPA", "le «SECPA», l'ISECPA, le 2SECPA, le _SECPA et (SECPA)", [(4, 9), (47, 52)]),
        ("SECPA", "secpa secpa", [(0, 5), (6, 11)]),
        ("#vigie", "un #vigie, pas a#vigie", [(3, 9)]),
        ("1er mai", "le 1er mai, pas le 11er mai", [(3, 10)]),
    ],
)
def test_word_boundary_before_the_first_letter(term, text, spans):
    # issue 15: the boundary test sits after the first literal (a faster regex); the hits and
    # their spans are those of a leading (?<!\w)
    assert [m.span() for m in compile_term(term).finditer(fold(text))] == spans
