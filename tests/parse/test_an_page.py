"""AN question pages (current /dyn/, legacy .htm) and the legacy XML view, by visible labels."""

from __future__ import annotations

import pytest

from spiders.parse.an_page import PageError, parse_an_page, parse_an_xml
from spiders.parse.an_record import question_status
from tests.support.seeds import seed_text
from tests.support.siteserver import Site

DYN = "/dyn/17/questions/QANR5L17QE13024"
BASE = "https://www.assemblee-nationale.fr"
LEGACY_BASE = "http://questions.assemblee-nationale.fr"
MIN = "Santé, familles, autonomie et personnes handicapées"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site("an")


def seed_question_text() -> str:
    lines = [line.strip() for line in seed_text("001").splitlines() if line.strip()]
    return lines[lines.index("Texte de la question") + 1].replace("*via*", "via")


def test_dyn_page_pending(site):
    body, headers = site.fetch(DYN)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    item = parse_an_page(body, BASE + DYN)
    assert (item.uid, item.legislature, item.qtype, item.number) == (
        "QANR5L17QE13024",
        17,
        "QE",
        13024,
    )
    assert item.url == BASE + DYN and item.chamber == "AN"
    assert (
        item.title
        == "Destruction de l'expérimentation SECPA et des structures de santé communautaire"
    )
    assert item.author_name == "Mme Ségolène Amiot"
    assert item.author_ref == "PA795136"
    assert item.circonscription == "Loire-Atlantique (3e circonscription)"
    assert item.group_name == "La France insoumise - Nouveau Front Populaire"
    assert item.rubrique == "Santé"
    assert item.ministry_asked == MIN and item.ministry_answering == MIN
    assert (item.question_date_raw, item.question_jo_page) == ("17 février 2026", "1349")
    assert item.answer_text is None and item.answer_date_raw is None
    assert question_status(item) == ("pending", None)


def test_dyn_page_question_text_is_the_seed_text(site):
    item = parse_an_page(site.fetch(DYN)[0], BASE + DYN)
    assert item.question_text == seed_question_text()  # seed 001 is in tests/sites/an/


def test_dyn_page_answered_state(site):
    body, _ = site.fetch(DYN, state="answered")
    item = parse_an_page(body, BASE + DYN)
    assert (item.answer_date_raw, item.answer_jo_page) == ("14 avril 2026", "3012")
    assert item.answer_text.startswith("Le Gouvernement est attaché")
    assert item.answer_text.count("\n") == 1  # two paragraphs
    assert "Données clés" not in item.answer_text
    assert item.question_text.endswith("hors expérimentation.")
    assert question_status(item) == ("answered", None)


def test_legacy_htm_page(site):
    body, headers = site.fetch("/q14/14-47351QE.htm")
    assert "windows-1252" in headers["Content-Type"]
    item = parse_an_page(body, LEGACY_BASE + "/q14/14-47351QE.htm")
    assert (item.uid, item.legislature, item.qtype, item.number) == (
        "QANR5L14QE47351",
        14,
        "QE",
        47351,
    )
    assert item.author_name == "M. Cornut-Gentille François"
    assert (item.group_name, item.circonscription) == ("Les Républicains", "Haute-Marne")
    assert item.ministry_asked == "Défense" and item.ministry_answering == "Défense"
    assert (item.rubrique, item.title) == ("défense", "équipements")
    assert item.analysis == "équipements militaires. vieillissement. bilan"
    assert (item.question_date_raw, item.question_jo_page) == ("07/01/2014", "18")
    assert (item.answer_date_raw, item.answer_jo_page) == ("13/05/2014", "3858")
    assert item.question_text.startswith("M. François Cornut-Gentille interroge")
    assert item.answer_text.startswith("Les données relatives aux équipements du génie")
    assert item.renewals == 1
    assert question_status(item) == ("answered", None)


def test_legacy_xml_sample(site):
    body, _ = site.fetch("/q14/14-47351QE.htm/vue/xml")
    item = parse_an_xml(body, LEGACY_BASE + "/q14/14-47351QE.htm/vue/xml")
    assert item.url == LEGACY_BASE + "/q14/14-47351QE.htm"
    assert (item.uid, item.legislature, item.qtype, item.number) == (
        "QANR5L14QE47351",
        14,
        "QE",
        47351,
    )
    assert item.author_name == "M. François Cornut-Gentille"
    assert item.author_ref == "PA923"
    assert item.group_name == "Les Républicains"
    assert item.circonscription == "Haute-Marne (2e circonscription)"
    assert (item.rubrique, item.title) == ("défense", "équipements")
    assert item.analysis == "équipements militaires / vieillissement / bilan"
    assert item.ministry_asked == "Ministère de la défense"
    assert item.ministry_answering == "Ministère de la défense"  # last MINA/ORDRE
    assert (item.question_date_raw, item.question_jo_page) == ("07/01/2014", "18")
    assert item.question_text.endswith("des unités du génie de l'armée de terre.")
    assert (item.answer_date_raw, item.answer_jo_page) == ("13/05/2014", "3858")
    assert "<!-- DEBTAB -->" in item.answer_text and "194&#160;588" in item.answer_text
    assert (item.closure_code, item.closure_label, item.closure_date_raw) == (
        "REP_PUB",
        "Réponse publiée",
        "13/05/2014",
    )
    assert item.signalee is False  # the SIGNALEMENT shell is empty
    assert item.renewals == 1
    assert question_status(item) == ("answered", None)


def _dyn(extra_dates: str, *, question_title: str = "Texte de la question") -> str:
    return f"""<html><body><main>
      <h1>Titre</h1>
      <h2>{question_title}</h2><p>Texte.</p>
      <h2>Données clés</h2>
      <p><b>Auteur :</b> M. Jean Dupont</p>
      <p><b>Type de question :</b> Question écrite</p>
      <p><b>Numéro de la question :</b> 42</p>
      <h3>Date(s) clé(e)s</h3>
      <p>Question publiée au JO le : 3 février 2026, page 900</p>
      {extra_dates}
    </main></body></html>"""


def test_withdrawn_and_signalee_pages():
    url = BASE + "/dyn/17/questions/QANR5L17QE42"
    gone = parse_an_page(_dyn("<p>Question retirée le : 9 juin 2026 (Fin de mandat)</p>"), url)
    assert (gone.closure_date_raw, gone.closure_label) == ("9 juin 2026", "Fin de mandat")
    assert question_status(gone) == ("closed", "Fin de mandat")
    flagged = parse_an_page(_dyn("<p>Question signalée au Gouvernement le : 24 mars 2026</p>"), url)
    assert flagged.signalee and question_status(flagged) == ("signalee", None)


def test_unknown_url_shape_uses_labels():
    page = _dyn("").replace("<main>", "<main><p>17ème législature</p>")
    item = parse_an_page(page, "https://example.test/some/other/path")
    assert (item.uid, item.number) == ("QANR5L17QE42", 42)


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><h1>Erreur 404</h1><p>Page introuvable</p></body></html>",
        "<html><body><h1>Accueil</h1><nav>Texte de la question</nav></body></html>",
        "",
    ],
)
def test_not_a_question_page(html):
    with pytest.raises(PageError) as err:
        parse_an_page(html, BASE + DYN)
    assert err.value.url == BASE + DYN and "no question label" in err.value.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"<html>oops</html", "not XML"), (b"<ACTEUR/>", "expected <QUESTION>")],
)
def test_bad_xml(body, reason):
    with pytest.raises(PageError, match=reason):
        parse_an_xml(body, LEGACY_BASE + "/q14/14-1QE.htm/vue/xml")
