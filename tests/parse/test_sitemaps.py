"""spiders/parse/sitemaps.py over the fixture sites' bytes (no server)."""

import gzip

import pytest

from spiders.parse.sitemaps import SitemapUrl, parse_sitemap, sitemaps_from_robots
from tests.support.siteserver import Site

WP, DRUPAL = "http://avecsante.test", "http://fncs.test"


def test_wordpress_sitemap_index_lists_sub_sitemaps():
    body, _ = Site("wp_like").fetch("/wp-sitemap.xml", WP)
    page = parse_sitemap(body, WP + "/wp-sitemap.xml")
    assert page.ok and page.urls == []
    assert page.sitemaps == [
        WP + "/wp-sitemap-posts-post-1.xml",
        WP + "/wp-sitemap-posts-page-1.xml",
    ]


def test_wordpress_posts_sitemap_with_lastmod_including_the_disallowed_one():
    body, _ = Site("wp_like").fetch("/wp-sitemap-posts-post-1.xml", WP)
    page = parse_sitemap(body, WP + "/wp-sitemap-posts-post-1.xml")
    assert page.ok and page.sitemaps == []
    assert page.urls[0] == SitemapUrl(
        WP + "/2026/02/10/experimentation-secpa-rencontres-avecsante/", "2026-02-11T13:30:05+00:00"
    )
    assert len(page.urls) == 5
    assert page.urls[-1].loc == WP + "/private/compte-rendu-conseil-administration-janvier-2026/"


def test_drupal_sitemap_pages_and_articles():
    body, _ = Site("drupal_like").fetch("/sitemap.xml", DRUPAL)
    page = parse_sitemap(body, DRUPAL + "/sitemap.xml")
    assert page.ok
    by_loc = {u.loc: u.lastmod_raw for u in page.urls}
    assert by_loc[DRUPAL + "/actualites"] is None
    assert by_loc[DRUPAL + "/fin-brutale-de-l-experimentation-secpa-article-51"] == (
        "2026-02-13T10:20:31+01:00"
    )
    assert by_loc[DRUPAL + "/rapport-igas-sur-les-centres-de-sante"] == "2017-04-10T12:00:00+02:00"
    assert len(page.urls) == 7


def test_gzip_body_detected_by_magic_bytes():
    body, _ = Site("drupal_like").fetch("/sitemap.xml", DRUPAL)
    assert parse_sitemap(gzip.compress(body), DRUPAL + "/sitemap.xml.gz").urls == (
        parse_sitemap(body, DRUPAL + "/sitemap.xml").urls
    )


@pytest.mark.parametrize(
    "xml",
    [
        b"<urlset><url><loc> http://x.test/a </loc><lastmod>2024-10-03</lastmod></url></urlset>",
        b'<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url><loc>http://x.test/a'
        b"</loc><lastmod>2024-10-03</lastmod></url></urlset>",
        b'<?xml version="1.0"?><s:urlset xmlns:s="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><s:url><s:loc>'
        b"http://x.test/a</s:loc><image:image><image:loc>http://x.test/i.jpg</image:loc>"
        b"</image:image><s:lastmod>2024-10-03</s:lastmod></s:url></s:urlset>",
    ],
    ids=["no-namespace", "old-google-namespace", "prefixed-with-images"],
)
def test_namespaces_do_not_matter(xml):
    page = parse_sitemap(xml, "http://x.test/sitemap.xml")
    assert page.ok and page.urls == [SitemapUrl("http://x.test/a", "2024-10-03")]


def test_malformed_xml_is_reported_with_what_could_be_read():
    body, _ = Site("wp_like").fetch("/wp-sitemap-posts-post-1.xml", WP)
    page = parse_sitemap(body[:300], WP + "/s.xml")
    assert not page.ok and page.error.startswith("malformed XML:")
    assert page.urls[0].loc == WP + "/2026/02/10/experimentation-secpa-rencontres-avecsante/"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "empty body"),
        (b"\x1f\x8b\x08\x00broken", "bad gzip data"),
        (b"<html><body>404</body></html>", "not a sitemap (root element <html>)"),
        (b"<!DOCTYPE html><html><body>&nbsp;</body></html>", "not a sitemap (an HTML page)"),
        (b"<rss version='2.0'/>", "not a sitemap (root element <rss>)"),
        (b"hello world", "not a sitemap (neither XML nor a list of URLs)"),
    ],
)
def test_not_sitemaps(body, error):
    page = parse_sitemap(body, "http://x.test/sitemap.xml")
    assert not page.ok and page.error.startswith(error)


def test_text_sitemap():
    page = parse_sitemap(b"http://x.test/a\r\nhttp://x.test/b\n", "http://x.test/sitemap.txt")
    assert page.ok and [u.loc for u in page.urls] == ["http://x.test/a", "http://x.test/b"]


def test_xml_entities_are_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>http://x.test/&e;</loc></url></urlset>"
    )
    page = parse_sitemap(bomb, "http://x.test/s.xml")
    assert all("root:" not in u.loc for u in page.urls)


def test_sitemaps_from_robots():
    body, _ = Site("wp_like").fetch("/robots.txt", WP)
    assert sitemaps_from_robots(body.decode(), WP + "/robots.txt") == [WP + "/wp-sitemap.xml"]
    text = "User-agent: *\nsitemap:/s1.xml # first\nSITEMAP: http://x.test/s2.xml\nSitemap:\n"
    assert sitemaps_from_robots(text, "http://x.test/robots.txt") == [
        "http://x.test/s1.xml",
        "http://x.test/s2.xml",
    ]
    body, _ = Site("drupal_like").fetch("/robots.txt", DRUPAL)
    assert sitemaps_from_robots(body.decode(), DRUPAL) == []
