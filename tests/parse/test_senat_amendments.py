"""The Sénat amendment CSV sets: one test per trap (SITES.md §Sénat — texts, amendments,
dossiers), decisions in the Assemblée's vocabulary, layout errors, malformed rows."""

from __future__ import annotations

import csv

import pytest

from spiders.items import LegisItem
from spiders.parse.senat_amendments import (
    CsvLayoutError,
    RowError,
    TextRef,
    parse_amendments_csv,
)
from tests.support.senatlegis_fixtures import HEADER, amdt_uid, row, seance_rows, write_csv

REF = TextRef.parse("2025-2026/400")


def parse(body: bytes, **kw) -> list:
    return list(parse_amendments_csv(body, REF, **kw))


def ok(body: bytes) -> dict[str, LegisItem]:
    return {it.number: it for it in parse(body) if isinstance(it, LegisItem)}


def test_first_line_is_skipped_and_a_file_without_it_reads_the_same(tmp_path):
    rows = [row("1", "Adopté")]
    with_title = write_csv(tmp_path / "a.csv", rows)
    without = write_csv(tmp_path / "b.csv", rows, title=False)
    assert with_title.startswith("Amendements déposés".encode("cp1252"))
    assert [i.uid for i in parse(with_title)] == [i.uid for i in parse(without)] == [amdt_uid("1")]


def test_cp1252_accents_survive(tmp_path):
    body = write_csv(
        tmp_path / "a.csv", [row("2", "Retiré avant séance", auteur="M. CHÂTEAU Hélène")]
    )
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    [item] = parse(body)
    assert item.status_label == "Retiré avant séance"
    assert item.fields["author_name"] == "M. CHÂTEAU Hélène"
    assert item.fields["dispositif"] == "Supprimer l'alinéa 3."


def test_header_names_with_trailing_spaces(tmp_path):
    assert HEADER[1] == "Numéro " and HEADER[9] == "Sort "
    [item] = parse(write_csv(tmp_path / "a.csv", [row("3", "Adopté", subdivision="Article 4")]))
    assert (item.number, item.status, item.fields["article"]) == ("3", "adopted", "Article 4")
    assert item.fields["date_tabled"] == "2026-03-20" and item.fields["alinea"] == "3"


def test_tab_inside_an_html_field_is_glued_back(tmp_path):
    body = write_csv(
        tmp_path / "a.csv", [row("4", "Non soutenu", objet="<p>A\tB\tC</p>"), row("5", "Rejeté")]
    )
    got = ok(body)
    assert got["4"].fields["expose"] == "A B C"  # the cells after it stay in place
    assert (got["4"].status, got["4"].uid) == ("not_moved", amdt_uid("4"))
    assert got["5"].status == "rejected"


def test_line_break_inside_an_html_field_joins_the_rows(tmp_path):
    body = write_csv(
        tmp_path / "a.csv",
        [
            row("5", "Tombé", dispositif="<p>Un.</p>\n<p>Deux.</p>\n<p>Trois.</p>"),
            row("6", "Adopté"),
        ],
    )
    got = ok(body)
    assert got["5"].fields["dispositif"] == "Un.\nDeux.\nTrois."
    assert got["5"].status == "fallen" and got["6"].status == "adopted"


def test_lines_of_150000_characters(tmp_path):
    csv.field_size_limit(131072)  # Python's default: a 160,000-char field would raise
    body = write_csv(tmp_path / "a.csv", [r for r in seance_rows() if r[1] == "6"])
    assert max(len(line) for line in body.split(b"\r\n")) > 150_000
    [item] = parse(body)
    assert len(item.fields["expose"]) > 150_000 and item.status_label == "Sans objet"


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Adopté", "adopted"),
        ("Adopté avec modification", "adopted"),
        ("Rejeté", "rejected"),
        ("Retiré", "withdrawn"),
        ("Retiré avant séance", "withdrawn"),
        ("Irrecevable art. 40 C", "inadmissible"),
        ("Irrecevable art. 45, alinéa 1 C", "inadmissible"),
        ("Non soutenu", "not_moved"),
        ("Tombé", "fallen"),
        ("Sans objet", "fallen"),
        ("", "pending"),
        ("Satisfait", "unknown"),
    ],
)
def test_decisions_in_the_assemblee_vocabulary(tmp_path, label, status):
    [item] = parse(write_csv(tmp_path / "a.csv", [row("1", label)]))
    assert (item.status, item.status_label) == (status, label or None)


def test_commission_set_ids_and_parents(tmp_path):
    body = write_csv(tmp_path / "a.csv", [row("COM-12", "Adopté", commission=True)])
    [item] = parse(
        body, commission=True, text_uid="leg/ppl25-400", dossier_uid="dossier-legislatif/ppl25-400"
    )
    assert item.uid == "amendements/commissions/2025-2026/400/Amdt_COM-12"
    assert item.url == "https://www.senat.fr/amendements/commissions/2025-2026/400/Amdt_COM-12.html"
    assert item.parents == ["leg/ppl25-400", "dossier-legislatif/ppl25-400"]
    assert item.title == "Amendement n° COM-12 (en commission) — Article 1er"
    assert item.fields["author_page"] == "https://www.senat.fr/senateur/souyris_anne20110.html"


def test_missing_url_rebuilds_the_reference(tmp_path):
    r = row("7", "Adopté")
    r[-1] = ""
    [item] = parse(write_csv(tmp_path / "a.csv", [r]))
    assert item.uid == amdt_uid("7") and item.url.endswith("/amendements/2025-2026/400/Amdt_7.html")


def test_malformed_rows_are_reported_and_parsing_goes_on(tmp_path):
    body = write_csv(tmp_path / "a.csv", [row("", "Adopté"), row("2", "Rejeté")])
    got = parse(body)
    assert got[0] == RowError(3, "no Numéro") and got[1].number == "2"
    short = body + "99\tAmt\r\n".encode("cp1252")
    assert parse(short)[-1] == RowError(5, "2 cells where the header has 12")


def test_a_header_without_sort_is_a_layout_error():
    with pytest.raises(CsvLayoutError, match="'sort' not found"):
        parse("Titre\r\nNuméro \tObjet \r\n1\t<p>x</p>\r\n".encode("cp1252"))


@pytest.mark.parametrize("bad", ["2025/123", "2025-2026/abc", "123"])
def test_text_references(bad):
    assert str(TextRef.parse(" 2025-2026/0123 ")) == "2025-2026/123"
    assert TextRef.parse("2025-2026/123").csv_path(True) == (
        "/amendements/commissions/2025-2026/123/jeu_complet_commission_2025-2026_123.csv"
    )
    with pytest.raises(ValueError, match="not a Sénat text reference"):
        TextRef.parse(bad)
