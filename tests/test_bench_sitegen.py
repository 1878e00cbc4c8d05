"""bench/sitegen.py writes a site the fixture server serves as its manifest says (no timing here:
timing belongs to `make bench`)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from bench.sitegen import generate
from spiders.parse.listing import parse_listing
from spiders.parse.sitemaps import parse_sitemap
from tests.support.siteserver import Site, SiteServer


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return generate(
        tmp_path_factory.mktemp("benchsite"),
        45,
        per_page=10,
        feed_size=5,
        secpa_every=10,
        changed_fraction=0.05,
    )


def get(url: str, **headers: str):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), b""


def test_manifest_is_valid_and_complete(site):
    s = Site(site.folder)  # raises on a missing file or a 200 entry without provenance
    assert len(site.articles) == 45 and len(set(site.articles)) == 45
    for path in [*site.articles, "/", "/rss.xml", "/sitemap.xml", "/actualites?page=4"]:
        entry = s.lookup(path)
        assert entry is not None and entry.status == 200, path
        assert "charset=" in entry.headers["Content-Type"] and entry.headers["ETag"], path
    assert set(s.states) == {"changed"}
    assert site.changed and set(site.changed) <= set(site.articles)
    assert set(site.changed).isdisjoint(site.articles[: site.feed_size])


def test_server_serves_pages_with_validators_and_304(site):
    with SiteServer(site.folder) as srv:
        status, headers, body = get(srv.url(site.articles[3]))
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
        assert b"application/ld+json" in body and b"{{BASE}}" not in body
        assert srv.base_url.encode() in body  # canonical link made absolute
        status, _, body = get(srv.url(site.articles[3]), **{"If-None-Match": headers["ETag"]})
        assert status == 304 and body == b""
        assert (
            get(srv.url("/robots.txt"))[2].decode().strip().endswith(f"{srv.base_url}/sitemap.xml")
        )
        assert get(srv.url("/feed/"))[0] == 404
        assert srv.count(status=304) == 1


def test_sitemap_feed_and_listings_cover_the_articles(site):
    with SiteServer(site.folder) as srv:
        sitemap = parse_sitemap(get(srv.url("/sitemap.xml"))[2], srv.url("/sitemap.xml"))
        locs = {u.loc.removeprefix(srv.base_url) for u in sitemap.urls}
        assert set(site.articles) <= locs
        assert all(
            u.lastmod_raw for u in sitemap.urls if u.loc.removeprefix(srv.base_url) in locs - {"/"}
        )
        feed = get(srv.url("/rss.xml"))[2].decode()
        assert feed.count("<item>") == site.feed_size
        found, url = [], srv.url("/")
        while url:
            page = parse_listing(get(url)[2], url)
            found += [u.removeprefix(srv.base_url) for u in page.article_links]
            url = page.next_url
        assert found == site.articles


def test_text_mentions_secpa_only_where_announced(site):
    with SiteServer(site.folder) as srv:
        for path in site.articles:
            text = get(srv.url(path))[2].decode()
            mentions = bool(re.search(r"secpa|sepca|participati", text, re.I))
            assert mentions == (path in site.matching), path
    assert len(site.matching) == 5


def test_changed_state_changes_articles_and_sitemap(site):
    with SiteServer(site.folder) as srv:
        before = {p: get(srv.url(p)) for p in [*site.changed, "/sitemap.xml", site.articles[0]]}
        srv.set_state("changed")
        for path, (_, headers, body) in before.items():
            status, new_headers, new_body = get(srv.url(path), **{"If-None-Match": headers["ETag"]})
            if path == site.articles[0]:
                assert status == 304
            else:
                assert status == 200 and new_headers["ETag"] != headers["ETag"] and new_body != body
