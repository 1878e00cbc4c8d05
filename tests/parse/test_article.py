"""spiders/parse/article.py over the fixture sites' article pages (no server)."""

import pytest

from spiders.parse.article import parse_article
from tests.support.seeds import seed_text
from tests.support.siteserver import Site

BASE = "http://127.0.0.1:8123"

WP_SECPA = "/2026/02/10/experimentation-secpa-rencontres-avecsante/"
FNCS_SECPA = "/fin-brutale-de-l-experimentation-secpa-article-51"
PRESS_TEXT_DATE = "/articles/centres-participatifs-la-mobilisation-s-organise"


def article(key: str, target: str, **kwargs):
    body, _ = Site(key).fetch(target, BASE)
    return parse_article(body, BASE + target, **kwargs)


def test_wordpress_yoast_graph_first():
    a = article("wp_like", WP_SECPA)
    assert (
        a.title == "Rencontres AVECsanté : l’avenir de l’expérimentation SECPa au cœur des débats"
    )
    assert a.author == "Claire Martin"
    assert (a.date_raw, a.updated_raw) == ("2026-02-10T09:12:00+01:00", "2026-02-11T14:30:05+01:00")
    assert a.canonical_url == BASE + WP_SECPA
    assert a.is_article and a.problems == []
    assert a.body.startswith("Cette année encore, les Rencontres AVECsanté ont mobilisé")
    assert "l’expérimentation SECPa (Structure d’exercice coordonnée participative)" in a.body
    assert "Articles récents" not in a.body and "Qui sommes-nous" not in a.body


def test_wordpress_og_and_time_only():
    a = article("wp_like", "/2025/12/09/aci-msp-ouverture-des-negociations/")
    assert a.title == "ACI MSP : ouverture des négociations conventionnelles"
    assert a.date_raw == "2025-12-09T10:00:00+01:00"  # <time datetime>
    assert a.updated_raw is None
    assert a.author == "Julien Robert"  # trafilatura's "Par Julien Robert", prefix removed
    assert a.is_article
    assert "SECPa" not in a.body  # the sidebar naming the SECPa post is left out


@pytest.mark.parametrize(
    ("key", "target", "seed", "left_out"),
    [
        ("wp_like", WP_SECPA, "004", {"Télécharger le communiqué"}),  # a PDF link, not text
        ("drupal_like", FNCS_SECPA, "000", {"Sources :"}),  # fixture has no Sources line
    ],
)
def test_body_is_complete_against_the_seed(key, target, seed, left_out):
    a = article(key, target)
    text = seed_text(seed).replace("SECPA", "SECPa")
    if key == "drupal_like":
        text = text.replace("SECPa", "SECPA")
    lines = [line.removeprefix("- ").strip() for line in text.splitlines()]
    wanted = [
        ln for ln in lines if ln and ln != "-" and ln != a.title and not ln.startswith("http")
    ]
    missing = [ln for ln in wanted if ln not in a.body and ln not in left_out]
    assert missing == []
    assert "\n" in a.body and len(a.body) > 2000  # paragraphs kept, nothing truncated


def test_drupal_page_date_at_the_end_label_at_the_top():
    a = article("drupal_like", FNCS_SECPA)
    assert (
        a.title
        == "Un signal politique pour les soins primaires… mais une vigilance qui reste de mise"
    )
    assert a.date_raw == "Vendredi 13 février 2026"
    assert a.updated_raw is None and a.author is None
    assert a.canonical_url == BASE + FNCS_SECPA
    assert a.body.startswith("En début d’année, l’annonce d’une fin brutale")
    assert a.is_article and a.problems == []


def test_drupal_node_path_gives_the_alias_as_canonical():
    assert article("drupal_like", "/node/51").canonical_url == BASE + FNCS_SECPA
    assert article("drupal_like", "/node/12").date_raw == "Lundi 10 avril 2017"


def test_drupal_standalone_date_wins_over_dates_inside_sentences():
    a = article("drupal_like", "/congres-national-des-centres-de-sante-2025")
    assert a.date_raw == "Jeudi 5 juin 2025"  # not "3 octobre 2025" from the first sentence


def test_press_json_ld_with_two_authors():
    a = article("listing_only", "/articles/secpa-l-experimentation-prolongee-d-un-an")
    assert a.author == "Sophie Durand, Marc Lefèvre"
    assert (a.date_raw, a.updated_raw) == ("2026-01-22T18:04:00+01:00", "2026-01-23T09:15:00+01:00")
    assert a.body.startswith("Après des semaines d’incertitude")
    assert "À lire aussi" not in a.body and "Commentaires" not in a.body


def test_press_abbreviated_month_in_text_only():
    a = article("listing_only", PRESS_TEXT_DATE)
    assert a.date_raw == "3 févr. 2026"  # only the date words, not "Publié le … à 11h42"
    assert a.title == "Centres de santé participatifs : la mobilisation s’organise"
    assert a.author == "Sophie Durand"
    assert "SEC-Pa, les structures d’exercice coordonné participatives" in a.body
    assert a.is_article and a.problems == []


@pytest.mark.parametrize(
    ("key", "target", "problem"),
    [
        ("wp_like", "/contact/", "too short"),
        ("drupal_like", "/contact", "too short"),
        ("wp_like", "/", "listing: "),
        ("listing_only", "/", "listing: "),
        ("drupal_like", "/actualites", "listing: "),
    ],
)
def test_not_articles(key, target, problem):
    a = article(key, target)
    assert not a.is_article
    assert a.decision.startswith(problem), a.decision


def test_selectors_override_when_they_match_and_report_when_not():
    a = article(
        "listing_only",
        PRESS_TEXT_DATE,
        selectors={"title": "h1.titre", "body": ".corps", "date": ".meta .date", "author": ".nope"},
    )
    assert a.title == "Centres de santé participatifs : la mobilisation s’organise"
    assert a.date_raw == "Publié le 3 févr. 2026 à 11h42"  # a selector gives the element's text
    assert a.body.splitlines()[0].startswith("Usagers, soignants et élus locaux")
    assert len(a.body.splitlines()) == 4
    assert a.author == "Sophie Durand"
    assert "selector author='.nope' matched nothing" in a.problems
    b = article("wp_like", WP_SECPA, selectors={"date": ".entry-meta time"})
    assert b.date_raw == "2026-02-10T09:12:00+01:00"  # datetime attribute preferred
    c = article("wp_like", WP_SECPA, selectors={"body": "p:::bad"})
    assert any(p.startswith("selector body='p:::bad' is invalid") for p in c.problems)


def test_canonical_on_another_host_is_ignored():
    html = '<link rel="canonical" href="https://www.example.org/x"><h1>T</h1>'
    a = parse_article(html, BASE + "/x")
    assert a.canonical_url is None
    assert "canonical URL on another host ignored: https://www.example.org/x" in a.problems


def test_truncated_page_keeps_what_it_has():
    body, _ = Site("drupal_like").fetch(FNCS_SECPA, BASE)
    a = parse_article(body[: len(body) // 2], BASE + FNCS_SECPA)
    assert a.title.startswith("Un signal politique")
    assert a.body.startswith("En début d’année")
    assert "no date found" in a.problems  # the date line was in the lost half


def test_charset_from_meta_in_bytes():
    html = '<html><head><meta charset="windows-1252"><title>Accès</title></head><body>'
    html += "<article><h1>Mesure adoptée</h1>" + "<p>Texte accentué é è à.</p>" * 20
    a = parse_article(html.encode("cp1252"), BASE + "/a")
    assert a.title == "Mesure adoptée" and "accentué" in a.body


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        b"<html",
        "<html><body><article><h1>T</h1><p>x</p>",
        b"\x00\xff" * 100,
        '<?xml version="1.0" encoding="utf-8"?><html><body><h1>T</h1></body></html>',
        '<script type="application/ld+json">{bad</script><h1>x</h1>',
        '<script type="application/ld+json">[1, {"@type": ["NewsArticle"], "headline": 5, '
        '"author": [null, 3, {"@id": "x"}], "datePublished": {}}]</script>',
        '<link rel="canonical" href="http://[::1"><h1>x</h1>',
    ],
)
def test_malformed_never_raises(html):
    a = parse_article(html, BASE + "/a")
    assert not a.is_article and a.problems


# -- trafilatura reads the article holding the title first (issue 15, CPU per page) ------------
TEXT = (
    "<p>La fédération rappelle que les centres de santé participatifs accueillent des publics "
    "éloignés du soin et que leur financement conditionne la continuité des équipes.</p>"
)


def test_trafilatura_is_given_the_article_holding_the_title_not_a_teaser_before_it():
    from spiders.parse.article import _article_only, _document, _title_element

    doc = _document(
        "<html><head><title>T</title><meta name='author' content='A. B.'></head><body>"
        "<nav><a href='/'>Accueil</a></nav><article class='teaser'><h2>Autre</h2></article>"
        f"<article class='full'><h1>Le vrai titre</h1>{TEXT * 2}</article>Publicité<footer>F"
        "</footer></body>"
    )
    page = _article_only(doc, _title_element(doc, {}))
    assert [child.tag for child in page] == ["head", "body"]
    assert page.find("head/meta").get("content") == "A. B."  # metadata still readable
    assert [a.get("class") for a in page.iter("article")] == ["full"]
    assert page.find(".//nav") is None and page.find(".//footer") is None
    assert "Publicité" not in page.text_content()  # the text after </article> stays out
    assert _article_only(doc, None) is None
    no_container = _document(f"<html><body><div><h1>Titre</h1>{TEXT}</div></body></html>")
    assert _article_only(no_container, _title_element(no_container, {})) is None
    short = _document(f"<html><body><article><h1>Titre</h1>{TEXT}</article></body></html>")
    assert _article_only(short, _title_element(short, {})) is None  # too little text to try


def test_a_body_outside_the_element_holding_the_title_is_still_found():
    """Some themes wrap only the title and byline in <article>: the article alone gives too
    little text, so the whole page is read (what it found before the change)."""
    html = (
        "<html><head><title>Rapport annuel | Fédération</title></head><body>"
        "<article class='entry-header'><h1>Rapport annuel</h1><p>Publié le 12 mars 2026</p>"
        "</article><div class='entry-content'>"
        + "".join(TEXT.replace("rappelle", f"rappelle ({n})") for n in range(1, 5))
        + "</div></body></html>"
    )
    a = parse_article(html, BASE + "/rapport")
    assert a.title == "Rapport annuel"
    assert a.body is not None
    assert [n for n in range(1, 5) if f"rappelle ({n})" in a.body] == [1, 2, 3, 4]
