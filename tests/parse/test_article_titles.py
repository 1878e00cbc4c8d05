"""Issue 13: titles without the site's name, never a widget heading (spiders/parse/titles.py)."""

from __future__ import annotations

import pytest

from spiders.parse.article import parse_article
from spiders.parse.titles import SiteNames, affixes_from_title, strip_site_name


@pytest.mark.parametrize(
    ("title", "names", "clean"),
    [
        (
            "Pourquoi la santé communautaire dérange | AOC media - Analyse Opinion Critique",
            ["AOC media - Analyse Opinion Critique"],
            "Pourquoi la santé communautaire dérange",
        ),
        ("What we do - Creative Commons", ["Creative Commons"], "What we do"),
        ("Egora - Les généralistes et l’ACI", ["Egora"], "Les généralistes et l’ACI"),
        ("Les centres – Le Quotidien du Médecin", ["le quotidien du médecin"], "Les centres"),
        ("FNCS", ["FNCS"], "FNCS"),  # never shortened to nothing
        ("Le modèle FNCS en débat", ["FNCS"], "Le modèle FNCS en débat"),  # not a whole part
        ("Santé : le point", [], "Santé : le point"),
    ],
)
def test_strip_site_name(title, names, clean):
    assert strip_site_name(title, names) == clean


def test_affixes_are_what_the_title_tag_adds_around_the_h1():
    assert affixes_from_title("Fin brutale | FNCS", "Fin brutale") == ["fncs"]
    assert affixes_from_title("Egora - Les généralistes", "Les généralistes") == ["egora"]
    assert affixes_from_title("Autre chose", "Fin brutale") == []


def test_site_names_learnt_from_the_suffix_several_pages_share():
    names = SiteNames(min_pages=3)
    for t in (
        "Un | AOC media - Analyse Opinion Critique",
        "Deux | AOC media - Analyse Opinion Critique",
    ):
        names.learn(t)
    assert "aoc media - analyse opinion critique" not in names.names()
    names.learn("Trois | AOC media - Analyse Opinion Critique")
    assert "aoc media - analyse opinion critique" in names.names()
    assert "analyse opinion critique" in names.names()
    assert (
        strip_site_name("Quatre textes | AOC media - Analyse Opinion Critique", names.names())
        == "Quatre textes"
    )


def test_a_series_title_is_not_a_site_name():
    names = SiteNames(min_pages=3)
    for n in range(1, 5):
        t = f"Article {n:02d} : l'expérimentation SECPA prolongée"
        names.learn(t, headline=t)
        names.learn(f"Note {n} - bilan annuel", headline=f"Note {n} - bilan annuel")
    assert names.names() == set()


def test_learnt_names_clean_a_page_that_does_not_declare_its_site():
    html = "<html><head><title>Notre position | Fédé Santé</title></head><body><main><p>x</p></main></body></html>"
    assert parse_article(html, "https://x.example/a").title == "Notre position | Fédé Santé"
    assert (
        parse_article(html, "https://x.example/a", site_names=["Fédé Santé"]).title
        == "Notre position"
    )


def test_a_widget_heading_is_never_the_title():
    html = (
        "<html><head><title>Appel à projets | Assos Santé</title>"
        '<meta property="og:title" content="Appel à projets | Assos Santé">'
        '<meta property="og:site_name" content="Assos Santé"></head><body>'
        "<main><article><p>" + "Texte de l’appel à projets. " * 12 + "</p></article></main>"
        '<aside class="widget"><h1>Restez informés</h1></aside>'
        "<footer><h1>Nous contacter</h1></footer></body></html>"
    )
    a = parse_article(html, "https://x.example/a")
    assert a.title == "Appel à projets"
    assert a.raw_title == "Appel à projets | Assos Santé"
