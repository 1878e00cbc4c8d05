"""Sénat dossier page + Atom feed → one dossier item; the depots list → document items."""

from __future__ import annotations

import pytest

from spiders.parse.senat_depots import DepotsError, parse_depots
from spiders.parse.senat_dossier import DossierError, parse_dossier, parse_feed, step_class
from tests.support.senatlegis_fixtures import (
    AN_DOSSIER,
    AN_TEXT,
    STEPS_DAY1,
    STEPS_DAY2,
    TITLE,
    depots_xml,
    dossier_feed,
    dossier_page,
)


@pytest.mark.parametrize(
    ("label", "step"),
    [
        ("Dépôt du texte transmis par l'Assemblée nationale", "depot"),
        ("Texte déposé au Sénat", "depot"),
        ("Rapport de la commission des affaires sociales", "commission"),
        ("Texte de la commission", "commission"),
        ("Discussion en séance publique", "seance"),
        ("Adoption en séance publique", "adoption"),
        ("Texte adopté par le Sénat", "adoption"),
        ("Commission mixte paritaire convoquée", "cmp"),
        ("Réunion de la CMP", "cmp"),
        ("Transmission à l'Assemblée nationale", "navette"),
        ("Deuxième lecture", "navette"),
        ("Promulgation", "other"),
    ],
)
def test_step_classes(label, step):
    assert step_class(label) == step


def test_dossier_page_and_feed():
    item = parse_dossier(
        dossier_page().encode(),
        dossier_feed(STEPS_DAY1).encode(),
        "ppl25-400",
        site_url="http://s.test",
    )
    assert (item.kind, item.uid, item.chamber, item.title) == (
        "dossier",
        "dossier-legislatif/ppl25-400",
        "Sénat",
        TITLE,
    )
    assert item.url == "http://s.test/dossier-legislatif/ppl25-400.html"
    f = item.fields
    assert [(a["code"], a["date"]) for a in f["acts"]] == [
        ("depot", "2026-03-18"),
        ("commission", "2026-03-25"),
        ("seance", "2026-04-01"),
    ]
    assert f["acts"][0]["text_uid"] == "leg/ppl25-400"
    assert (f["texts"], f["text_refs"]) == (["leg/ppl25-400"], ["2025-2026/400"])
    assert (f["an_dossier_uid"], f["an_text_numbers"], f["an_text_uids"]) == (
        AN_DOSSIER,
        ["2504"],
        [AN_TEXT],
    )
    assert item.parents == [AN_DOSSIER, AN_TEXT]
    assert (item.published_raw, f["last_act_date"], item.source_ts) == (
        "2026-03-18",
        "2026-04-01",
        "2026-04-01T00:00:00Z",
    )
    assert (item.status, item.status_label) == ("seance", "Discussion en séance publique")


def test_a_new_step_changes_the_item():
    page = dossier_page().encode()
    day1 = parse_dossier(page, dossier_feed(STEPS_DAY1).encode(), "ppl25-400")
    day2 = parse_dossier(page, dossier_feed(STEPS_DAY2).encode(), "ppl25-400")
    assert day2.fields["acts"][:3] == day1.fields["acts"]
    assert [a["code"] for a in day2.fields["acts"][3:]] == ["adoption", "cmp"]


def test_old_style_an_links_and_no_feed():
    page = (
        "<html><body><h1>Projet de loi de financement de la sécurité sociale pour 2027</h1>"
        '<a href="http://www.assemblee-nationale.fr/17/dossiers/plfss_2027.asp">AN</a>'
        '<a href="http://www.assemblee-nationale.fr/17/projets/pl1800.asp">texte AN</a>'
        '<a href="/amendements/2026-2027/77/accueil.html">amendements</a></body></html>'
    ).encode()
    item = parse_dossier(page, None, "pjl26-077")
    f = item.fields
    assert (f["an_dossier_uid"], f["an_dossier_ref"]) == (None, "plfss_2027")
    assert f["an_text_uids"] == ["PRJLANR5L17B1800"] and item.parents == ["PRJLANR5L17B1800"]
    assert f["text_refs"] == ["2026-2027/77"] and f["acts"] == [] and item.published_raw is None


def test_not_a_dossier_page_or_feed():
    with pytest.raises(DossierError, match="no <h1> title"):
        parse_dossier(b"<html><body><p>Erreur</p></body></html>", None, "ppl25-1")
    with pytest.raises(DossierError, match="feed not XML"):
        parse_feed(b"<feed", "http://s.test/f.xml")


def test_depots_list():
    items = parse_depots(depots_xml().encode(), site_url="http://s.test")
    assert [(i.uid, i.number, i.published_raw) for i in items] == [
        ("leg/ppl25-400", "400", "2026-03-18"),
        ("leg/pjl25-410", "410", "2026-03-19"),
    ]
    first = items[0]
    assert first.kind == "document" and first.chamber == "Sénat" and first.title == TITLE
    assert first.url == "http://s.test/leg/ppl25-400.html"
    assert (
        first.fields["text_ref"] == "2025-2026/400"
        and first.fields["denomination"] == "Proposition de loi"
    )
    assert first.parents == ["dossier-legislatif/ppl25-400"]
    with pytest.raises(DepotsError):
        parse_depots(b"<html")
