"""Sénat question pages, read from their sentences."""

from __future__ import annotations

import pytest

from spiders.parse.an_page import PageError
from spiders.parse.senat_csv import senat_status
from spiders.parse.senat_page import parse_senat_page
from tests.support.siteserver import Site

BASE = "https://www.senat.fr"
PENDING = "/questions/base/2026/qSEQ260203456.html"
ANSWERED = "/questions/base/2020/qSEQ200314872.html"
MIN = "Ministère de la santé, des familles, de l'autonomie et des personnes handicapées"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site("senat")


def test_pending_page(site):
    item = parse_senat_page(site.fetch(PENDING)[0], BASE + PENDING)
    assert (item.uid, item.chamber, item.url) == ("SEQ260203456", "Sénat", BASE + PENDING)
    assert (item.qtype, item.number) == ("QE", 3456)
    assert item.title == "Avenir des structures d'exercice coordonné participatives"
    assert (item.author_name, item.circonscription, item.group_name) == (
        "Mme SOUYRIS Anne",
        "Paris",
        "GEST",
    )
    assert (item.question_date_raw, item.question_jo_page) == ("05/02/2026", None)
    assert item.question_text.startswith("Mme Anne Souyris attire l’attention")
    assert item.question_text.endswith("au-delà de l’expérimentation.")
    assert "Transmise" not in item.question_text
    assert item.ministry_answering == MIN
    assert item.ministry_asked.startswith("Mme la ministre de la santé")
    assert item.answer_text is None
    assert senat_status(item) == ("pending", None)


def test_answered_page_with_jo_pages(site):
    body, headers = site.fetch(ANSWERED)
    assert "iso-8859-1" in headers["Content-Type"]
    item = parse_senat_page(body, BASE + ANSWERED)
    assert (item.uid, item.number) == ("SEQ200314872", 14872)
    assert (item.author_name, item.circonscription, item.group_name) == (
        "M. EXEMPLE Jean",
        "Gironde",
        "Les Républicains",
    )
    assert (item.question_date_raw, item.question_jo_page) == ("12/03/2020", "1234")
    assert (item.answer_date_raw, item.answer_jo_page) == ("04/06/2020", "2567")
    assert item.ministry_answering == "Ministère des solidarités et de la santé"
    assert (
        item.question_text.startswith("M. Jean Exemple attire")
        and "Réponse" not in item.question_text
    )
    assert item.answer_text.startswith("Le financement de ces structures")
    assert senat_status(item) == ("answered", None)


def test_lapsed_question():
    html = """<html><body><h1>T</h1>
      <p>Question orale n° 00012 de M. EXEMPLE Jean (Gironde - LR) publiée le 01/02/2024</p>
      <p>Texte.</p><p>Question caduque</p></body></html>"""
    item = parse_senat_page(html, BASE + "/questions/base/2024/qSEQ240200012.html")
    assert item.qtype == "QOSD" and item.question_text == "Texte."
    assert senat_status(item) == ("closed", "Question caduque")


def test_not_a_question_page():
    with pytest.raises(PageError) as err:
        parse_senat_page("<html><body><h1>Recherche</h1></body></html>", BASE + "/recherche")
    assert err.value.url == BASE + "/recherche"
