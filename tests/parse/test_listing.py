"""spiders/parse/listing.py over the fixture sites' listing pages (no server)."""

import pytest

from spiders.parse.listing import parse_listing
from tests.support.siteserver import Site

BASE = "http://127.0.0.1:8123"


def listing(key: str, target: str, **kwargs):
    body, _ = Site(key).fetch(target, BASE)
    return parse_listing(body, BASE + target, **kwargs)


def test_wordpress_home_keeps_posts_drops_menus_sidebar_footer_and_private():
    page = listing("wp_like", "/")
    assert page.article_links == [
        BASE + "/2026/02/10/experimentation-secpa-rencontres-avecsante/",
        BASE + "/2026/01/20/structures-participatives-financement-maintenu/",
        BASE + "/2025/12/09/aci-msp-ouverture-des-negociations/",
        BASE + "/2025/11/18/journee-nationale-des-coordinateurs/",
    ]
    assert page.next_url is None


def test_drupal_views_listing_and_query_pager():
    first = listing("drupal_like", "/actualites")
    assert first.article_links == [
        BASE + "/fin-brutale-de-l-experimentation-secpa-article-51",
        BASE + "/centres-et-maisons-de-sante-participatifs-une-tribune",
    ]
    assert first.next_url == BASE + "/actualites?page=1"
    second = listing("drupal_like", "/actualites?page=1")
    assert second.article_links == [
        BASE + "/rapport-igas-sur-les-centres-de-sante",
        BASE + "/congres-national-des-centres-de-sante-2025",
    ]
    assert second.next_url is None


def test_drupal_home_block_only():
    assert listing("drupal_like", "/").article_links == [
        BASE + "/fin-brutale-de-l-experimentation-secpa-article-51",
        BASE + "/centres-et-maisons-de-sante-participatifs-une-tribune",
        BASE + "/rapport-igas-sur-les-centres-de-sante",
    ]


def test_press_home_dedups_fragments_and_drops_taxonomy_ads_assets():
    page = listing("listing_only", "/")
    assert page.article_links == [
        BASE + "/articles/centres-participatifs-la-mobilisation-s-organise",
        BASE + "/articles/deserts-medicaux-la-regulation-a-l-installation-revient",
        BASE + "/articles/secpa-l-experimentation-prolongee-d-un-an",
    ]
    assert page.next_url == BASE + "/page/2/"
    last = listing("listing_only", "/page/2/")
    assert last.article_links == [BASE + "/articles/assistants-medicaux-premier-bilan"]
    assert last.next_url is None


def test_link_selector_replaces_the_guess():
    page = listing("listing_only", "/", link_selector=".fil h2 a")
    assert page.article_links == [
        BASE + "/articles/centres-participatifs-la-mobilisation-s-organise",
        BASE + "/articles/deserts-medicaux-la-regulation-a-l-installation-revient",
        BASE + "/articles/secpa-l-experimentation-prolongee-d-un-an",
    ]


def test_same_host_means_same_port_too():
    html = (
        '<main><a href="http://127.0.0.1:9999/a-1">other port</a>'
        '<a href="http://127.0.0.2:8123/a-2">other host</a>'
        '<a href="//127.0.0.1:8123/a-3">same</a><a href="a-4#x">relative</a></main>'
    )
    page = parse_listing(html, BASE + "/news/")
    assert page.article_links == [BASE + "/a-3", BASE + "/news/a-4"]


@pytest.mark.parametrize(
    "href",
    [
        "mailto:x@y.fr",
        "tel:+33100",
        "javascript:void(0)",
        "#top",
        "/",
        "/files/cp.pdf",
        "/img/a.JPG",
        "/feed/",
        "/rss.xml",
        "/category/actualites/",
        "/tag/secpa/",
        "/taxonomy/term/4",
        "/user/login",
        "/wp-login.php",
        "/contact",
        "/page/3/",
        "/actualites?page=2",
        "/?s=secpa",
    ],
)
def test_never_articles(href):
    assert (
        parse_listing(f'<main><a href="{href}">x</a></main>', BASE + "/news/").article_links == []
    )


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        ('<head><link rel="next" href="/blog/page/3/"></head>', "/blog/page/2/", "/blog/page/3/"),
        ('<a href="/news?page=4">Page suivante</a>', "/news?page=3", "/news?page=4"),
        ('<a href="/x/2">›</a><a href="/x/9">Dernier »</a>', "/x", "/x/2"),
        ('<a href="/x/9">Dernier »</a>', "/x", None),
        ('<a href="/news/page/2/">2</a><a href="/news/page/3/">3</a>', "/news/", "/news/page/2/"),
        (
            '<a href="/news?page=0">1</a><a href="/news?page=2">3</a>',
            "/news?page=1",
            "/news?page=2",
        ),
        ('<a href="http://elsewhere.test/p2" rel="next">»</a>', "/news", None),
    ],
)
def test_next_page(html, url, expected):
    assert parse_listing(html, BASE + url).next_url == (BASE + expected if expected else None)


@pytest.mark.parametrize("html", [b"", "", "<html", b"\xff\xfe\x00", "<a href='http://[::1'>x</a>"])
def test_garbage_never_raises(html):
    assert parse_listing(html, BASE + "/").article_links == []
