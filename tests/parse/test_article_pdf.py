"""Issue 13: PDF documents read with pypdf (spiders/parse/pdf.py), on tiny real PDFs built here."""

from __future__ import annotations

from spiders.parse.pdf import parse_pdf
from tests.support.pdfs import make_pdf

URL = "https://x.example/files/cp.pdf"


def test_text_title_and_dateline():
    pdf = make_pdf(
        [
            "Communiqué de presse",
            "Paris, le 3 février 2026",
            "Les SECPA sont maintenues en 2026 (loi du 21 juillet 2009).",
        ],
        title="Les SECPA maintenues",
        created="D:20260202120000+01'00'",
    )
    doc = parse_pdf(pdf, URL)
    assert doc.problem is None
    assert doc.title == "Les SECPA maintenues"
    assert (doc.date_raw, doc.date_source) == ("3 février 2026", "pdf-text")
    assert doc.body.splitlines()[2].startswith("Les SECPA sont maintenues")


def test_metadata_date_when_the_text_has_none_and_title_from_the_text():
    pdf = make_pdf(
        ["Rapport d’activité de la fédération", "Le réseau compte 480 centres adhérents."],
        title="Microsoft Word - rapport.docx",
        created="D:20251215143000Z",
    )
    doc = parse_pdf(pdf, URL)
    assert doc.title == "Rapport d’activité de la fédération"
    assert (doc.date_raw, doc.date_source) == ("2025-12-15T14:30:00Z", "pdf-metadata")


def test_a_date_cited_in_the_text_is_not_the_document_date():
    pdf = make_pdf(
        [
            "Note sur la loi",
            "La loi du 21 juillet 2009 a créé les ARS et bien d’autres choses encore.",
        ],
        modified="D:20240105",
    )
    doc = parse_pdf(pdf, URL)
    assert (doc.date_raw, doc.date_source) == ("2024-01-05", "pdf-metadata")


def test_encrypted_scanned_broken_and_not_pdf_are_refused_with_a_reason():
    assert (
        parse_pdf(
            make_pdf(["Lettre confidentielle au ministère de la santé."], password="pw"), URL
        ).problem
        == "encrypted PDF"
    )
    assert parse_pdf(make_pdf([]), URL).problem.startswith("no text layer (scanned PDF?)")
    whole = make_pdf(["Un texte assez long pour être lu comme un document entier."])
    assert parse_pdf(whole[: len(whole) // 3], URL).problem.startswith("broken PDF: ")
    assert parse_pdf(b"<html>not a pdf</html>", URL).problem == "not a PDF (no %PDF header)"
