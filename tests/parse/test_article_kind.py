"""Issue 13: article or listing, with the reason the spider logs (spiders/parse/page_kind.py)."""

from __future__ import annotations

from spiders.parse.article import parse_article
from spiders.parse.page_kind import decide

TEXT = "<p>" + "Le réseau des centres de santé participatifs s’agrandit cette année. " * 5 + "</p>"
CARDS = "".join(
    f'<article class="card"><h3><a href="/autre-{k}">Autre {k}</a></h3><p>Publié le 0{k + 1}/01/2026</p></article>'
    for k in range(3)
)


def html(head: str = "", article: str = TEXT, after: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>Le réseau s’agrandit</title>{head}</head><body>"
        f"<main><article><h1>Le réseau s’agrandit</h1>{article}</article>{after}</main></body></html>"
    )


def test_an_article_followed_by_cards_of_related_posts_is_kept():
    a = parse_article(
        html(
            article='<p class="date">Publié le 20 novembre 2025</p>' + TEXT,
            after=f"<div>{CARDS}</div>",
        ),
        "https://x.example/a",
    )
    assert a.is_article, a.decision
    assert a.decision.startswith("article: ") and "3 cards of other posts" in a.decision
    assert a.date_raw == "20 novembre 2025"  # not a card's date


def test_cards_without_any_sign_of_one_article_are_a_listing():
    page = f"<html><head><title>Actualités</title></head><body><main><h1>Actualités</h1>{CARDS}</main></body></html>"
    a = parse_article(page, "https://x.example/actualites")
    assert not a.is_article
    assert a.decision == "listing: 3 post cards and no sign of a single article"


def test_a_short_press_release_with_its_pdf_is_stored():
    body = (
        "<p>La fédération demande un moratoire. Le communiqué complet est disponible ci-dessous.</p>"
        '<p><a href="/files/cp.pdf">Télécharger le communiqué (PDF)</a></p>'
    )
    a = parse_article(
        html('<meta property="article:published_time" content="2026-01-12T09:00:00+01:00">', body),
        "https://x.example/cp",
    )
    assert a.is_article
    assert a.decision.startswith("short article: ") and "article:published_time" in a.decision
    assert a.pdf_links == ["https://x.example/files/cp.pdf"]


def test_a_short_page_without_any_sign_of_an_article_is_not_one():
    a = parse_article(html(article="<p>Écrivez-nous.</p>"), "https://x.example/contact")
    assert not a.is_article and a.decision.startswith("too short: ")


def test_decide_reasons():
    assert decide(
        title=None,
        body_chars=900,
        cards=0,
        declared=True,
        published_meta=True,
        byline=True,
        min_body=200,
    ) == (False, "no title")
    ok, why = decide(
        title="T",
        body_chars=900,
        cards=0,
        declared=False,
        published_meta=False,
        byline=False,
        min_body=200,
    )
    assert ok and why == "article: 900 characters of text"
    ok, why = decide(
        title="T",
        body_chars=20,
        cards=0,
        declared=True,
        published_meta=False,
        byline=False,
        min_body=200,
    )
    assert not ok and why == "too short: 20 characters of text, even for a short article"
