"""spiders/parse/feeds.py over the fixture sites' bytes (no server)."""

import pytest

from spiders.parse.feeds import discover_feeds, parse_feed
from tests.support.siteserver import Site

BASE = "http://avecsante.test"


@pytest.fixture(scope="module")
def wp():
    return Site("wp_like")


def test_discover_feeds_from_wordpress_head_leaves_comment_feed_out(wp):
    body, _ = wp.fetch("/", BASE)
    assert discover_feeds(body, BASE + "/") == [BASE + "/feed/"]


def test_discover_feeds_none_on_drupal_and_press_pages():
    for key, base in (("drupal_like", "http://fncs.test"), ("listing_only", "http://jsp.test")):
        body, _ = Site(key).fetch("/", base)
        assert discover_feeds(body, base + "/") == []


def test_discover_feeds_resolves_relative_and_atom():
    html = (
        '<html><head><link rel="alternate" type="application/atom+xml" href="atom.xml">'
        '<link rel="alternate" type="application/rss+xml; charset=utf-8" href="/rss.xml">'
        '<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        '<link rel="alternate" hreflang="en" href="/en/"></head></html>'
    )
    assert discover_feeds(html, "http://x.test/news/") == [
        "http://x.test/news/atom.xml",
        "http://x.test/rss.xml",
    ]
    assert discover_feeds("", "http://x.test/") == []


def test_wordpress_feed_entries_field_by_field(wp):
    body, _ = wp.fetch("/feed/", BASE)
    page = parse_feed(body, BASE + "/feed/")
    assert page.ok and page.error is None and page.next_url is None
    assert page.title == "AVECsanté"
    assert [e.url for e in page.entries] == [
        BASE + "/2026/02/10/experimentation-secpa-rencontres-avecsante/",
        BASE + "/2026/01/20/structures-participatives-financement-maintenu/",
        BASE + "/2025/12/09/aci-msp-ouverture-des-negociations/",
    ]
    first = page.entries[0]
    assert first.guid == BASE + "/?p=2187"
    assert (
        first.title
        == "Rencontres AVECsanté : l’avenir de l’expérimentation SECPa au cœur des débats"
    )
    assert first.date_raw == "Tue, 10 Feb 2026 08:12:00 +0000"
    assert first.updated_raw is None
    assert first.author == "Claire Martin"
    assert "l’expérimentation SECPa (Structure d’exercice coordonnée participative)" in (
        first.content_html
    )
    assert first.content_html.rstrip().endswith("</div>")  # content:encoded, not the excerpt
    assert [e.date_raw for e in page.entries[1:]] == [
        "Tue, 20 Jan 2026 16:45:00 +0000",
        "Tue, 09 Dec 2025 09:00:00 +0000",
    ]


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Actualites</title>
  <link rel="self" href="http://x.test/atom/"/>
  <link rel="next" href="/atom/?paged=2"/>
  <entry>
    <title type="html">SEC-Pa &amp;amp; centres</title>
    <link rel="alternate" href="/2026/02/03/sec-pa/"/>
    <id>tag:x.test,2026:42</id>
    <published>2026-02-03T09:12:00+01:00</published>
    <updated>2026-02-04T10:00:00+01:00</updated>
    <author><name>Sophie Durand</name></author>
    <content type="html">&lt;p&gt;Texte&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Sans date de publication</title>
    <link href="http://x.test/b/"/>
    <id>tag:x.test,2026:43</id>
    <updated>2026-02-05T08:00:00Z</updated>
    <summary>court</summary>
  </entry>
</feed>"""


def test_atom_feed_raw_dates_next_link_and_relative_links():
    page = parse_feed(ATOM, "http://x.test/atom/")
    assert page.ok and page.next_url == "http://x.test/atom/?paged=2"
    first, second = page.entries
    assert first.url == "http://x.test/2026/02/03/sec-pa/"
    assert (first.guid, first.author) == ("tag:x.test,2026:42", "Sophie Durand")
    assert first.date_raw == "2026-02-03T09:12:00+01:00"
    assert first.updated_raw == "2026-02-04T10:00:00+01:00"
    assert first.content_html == "<p>Texte</p>"
    assert second.date_raw == second.updated_raw == "2026-02-05T08:00:00Z"
    assert second.content_html == "court"


def test_rss_paged_next_only_when_declared():
    rss = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
        b'<atom:link rel="next" href="http://x.test/feed/?paged=2"/>'
        b"<item><title>a</title><link>http://x.test/a/</link></item></channel></rss>"
    )
    assert parse_feed(rss, "http://x.test/feed/").next_url == "http://x.test/feed/?paged=2"


def test_html_page_served_as_feed_is_not_a_feed():
    body, _ = Site("drupal_like").fetch("/", "http://fncs.test")
    page = parse_feed(body, "http://fncs.test/rss.xml")
    assert not page.ok and page.entries == []
    assert page.error.startswith("an HTML page, not a feed")


def test_truncated_feed_keeps_entries_read_so_far_and_says_so(wp):
    body, _ = wp.fetch("/feed/", BASE)
    page = parse_feed(body[: body.index(b"</item>") + 300], BASE + "/feed/")
    assert page.ok and page.error  # bozo but usable
    assert page.entries[0].title.startswith("Rencontres AVECsanté")


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01garbage", b"<rss><channel>"])
def test_garbage_never_raises(body):
    page = parse_feed(body, "http://x.test/feed/")
    assert page.entries == [] and (not page.ok or page.error is None)


def test_empty_but_valid_feed_is_ok():
    page = parse_feed(b'<rss version="2.0"><channel><title>x</title></channel></rss>', "http://x/")
    assert page.ok and page.entries == [] and page.error is None
