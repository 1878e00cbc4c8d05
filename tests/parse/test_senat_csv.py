"""Sénat questions CSV: encodings, tolerant headers, layout errors, malformed rows, status."""

from __future__ import annotations

import pytest

from spiders.items import QuestionItem
from spiders.parse.senat_csv import CsvLayoutError, RowError, parse_senat_csv, senat_status
from tests.support.anfixtures import SENAT_COLUMNS, make_senat_row, write_senat_csv

MIN = "Ministère de la santé, des familles, de l'autonomie et des personnes handicapées"


def items(body: bytes) -> list:
    return list(parse_senat_csv(body))


@pytest.mark.parametrize(
    ("encoding", "bom"), [("cp1252", False), ("utf-8", False), ("utf-8", True)]
)
def test_encodings_keep_accents(tmp_path, encoding, bom):
    body = write_senat_csv(tmp_path / "q.csv", [make_senat_row(3456)], encoding, bom=bom)
    assert (tmp_path / "q.csv").read_bytes() == body
    [item] = items(body)
    assert isinstance(item, QuestionItem)
    assert item.uid == "SEQ260203456" and item.chamber == "Sénat" and item.source == "senat"
    assert item.url == "https://www.senat.fr/questions/base/2026/qSEQ260203456.html"
    assert (item.qtype, item.number) == ("QE", 3456)
    assert item.rubrique == "Sécurité sociale"
    assert item.ministry_asked == MIN and item.ministry_answering == MIN
    assert item.author_name == "Mme Anne Souyris"
    assert (item.group_name, item.circonscription) == ("GEST", "Paris")
    assert item.question_date_raw == "05/02/2026"
    assert "Sécurité sociale" in item.question_text
    assert senat_status(item) == ("pending", None)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ("pending", None)),
        ({"Sort": "Réponse publiée"}, ("answered", None)),
        (
            {
                "Sort": "",
                "Réponse": "Le Gouvernement…",
                "Date de publication JO réponse": "19/03/2026",
            },
            ("answered", None),
        ),
        ({"Sort": "Caduque"}, ("closed", "Caduque")),
        ({"Sort": "Retirée"}, ("closed", "Retirée")),
        ({"Sort": "Transformée en question orale"}, ("closed", "Transformée en question orale")),
        ({"Sort": "Quelque chose de nouveau"}, ("pending", None)),
    ],
)
def test_status_from_sort(overrides, expected):
    [item] = items(write_senat_csv(None, [make_senat_row(1, **overrides)], "utf-8"))
    assert senat_status(item) == expected


def test_answer_columns():
    row = make_senat_row(
        2,
        Sort="Réponse publiée",
        Réponse="<p>Réponse du ministère.</p>",
        **{"Date de publication JO réponse": "19/03/2026"},
    )
    [item] = items(write_senat_csv(None, [row], "cp1252"))
    assert (
        item.answer_text == "<p>Réponse du ministère.</p>" and item.answer_date_raw == "19/03/2026"
    )
    assert (item.closure_code, item.closure_label) == ("REP_PUB", "Réponse publiée")


def test_headers_matched_loosely_and_extra_columns_ignored():
    columns = [c.upper() if c != "Référence" else "reference" for c in SENAT_COLUMNS] + [
        "Colonne inconnue"
    ]
    columns = [c.replace("É", "E") for c in columns]
    rows = [
        {
            **{c.upper().replace("É", "E"): v for c, v in make_senat_row(7).items()},
            "reference": "SEQ260200007",
            "Colonne inconnue": "x",
        }
    ]
    [item] = items(write_senat_csv(None, rows, "utf-8", columns=columns))
    assert item.uid == "SEQ260200007" and item.rubrique == "Sécurité sociale"


def test_relative_url_and_reference_from_url():
    row = make_senat_row(
        8, Référence="", **{"URL Question": "/questions/base/2026/qSEQ260200008.html"}
    )
    [item] = list(
        parse_senat_csv(write_senat_csv(None, [row], "utf-8"), site_url="http://127.0.0.1:9/")
    )
    assert item.url == "http://127.0.0.1:9/questions/base/2026/qSEQ260200008.html"
    assert item.uid == "SEQ260200008"


@pytest.mark.parametrize(("drop", "named"), [("URL Question", "URL Question"), ("Référence", None)])
def test_missing_required_column(drop, named):
    columns = [c for c in SENAT_COLUMNS if c != drop]
    body = write_senat_csv(None, [make_senat_row(1)], "utf-8", columns=columns)
    if named is None:  # Référence missing but Numéro present: still readable
        assert isinstance(items(body)[0], QuestionItem)
        return
    with pytest.raises(CsvLayoutError) as err:
        items(body)
    assert err.value.missing == named and "URL Question" in str(err.value)


def test_missing_reference_and_number():
    columns = [c for c in SENAT_COLUMNS if c not in ("Référence", "Numéro")]
    body = write_senat_csv(None, [make_senat_row(1)], "utf-8", columns=columns)
    with pytest.raises(CsvLayoutError, match="Référence"):
        items(body)


def test_malformed_rows_reported_and_parsing_continues():
    multiline = make_senat_row(2, Texte="Première ligne\nseconde ligne; avec un point-virgule")
    no_url = make_senat_row(3, **{"URL Question": ""})
    text = write_senat_csv(None, [make_senat_row(1), multiline, no_url], "utf-8").decode()
    header, row1, rest = text.split("\r\n", 2)
    body = "\r\n".join([header, row1, "trop;peu;de;champs", "", rest])
    out = items(body.encode("utf-8"))
    assert [type(o).__name__ for o in out] == [
        "QuestionItem",
        "RowError",
        "QuestionItem",
        "RowError",
    ]
    assert out[1] == RowError(3, "expected 18 fields, got 4")
    assert (
        out[2].number == 2
        and out[2].question_text == "Première ligne\nseconde ligne; avec un point-virgule"
    )
    assert out[3] == RowError(7, "empty URL Question")  # the quoted text spanned lines 5-6


def test_empty_body():
    with pytest.raises(CsvLayoutError):
        items(b"")
