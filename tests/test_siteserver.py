"""The fixture server itself: manifest lookups, validators, states, faults, counting."""

import gzip
import http.client
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.siteserver import SITES_DIR, Site, SiteServer


def get(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) without raising on 3xx/4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def wp():
    with SiteServer("wp_like") as server:
        yield server


@pytest.mark.parametrize("key", sorted(p.parent.name for p in SITES_DIR.glob("*/MANIFEST.toml")))
def test_every_manifest_loads_with_files_and_provenance(key):
    site = Site(key)  # raises on a missing file or a 200 entry without provenance
    assert site.paths and site.captured


def test_serves_manifest_entry_with_declared_headers(wp):
    status, headers, body = get(wp.url("/feed/"))
    assert status == 200
    assert headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
    assert headers["ETag"] == '"feed-1"'
    assert int(headers["Content-Length"]) == len(body)
    assert b"<rss" in body


def test_base_placeholder_is_replaced_in_bodies_and_headers(wp):
    _, headers, body = get(wp.url("/wp-json/wp/v2/posts?per_page=2&page=1"))
    assert b"{{BASE}}" not in body
    assert f"{wp.base_url}/2026/02/10/experimentation-secpa-rencontres-avecsante/".encode() in body
    assert headers["Link"].startswith(f"<{wp.base_url}/wp-json/wp/v2/posts?per_page=2&page=2>")
    assert headers["X-WP-TotalPages"] == "2"


def test_query_matched_exactly_then_by_path(wp):
    _, _, page2 = get(wp.url("/wp-json/wp/v2/posts?per_page=2&page=2"))
    _, _, other = get(wp.url("/wp-json/wp/v2/posts?search=secpa"))
    _, _, page1 = get(wp.url("/wp-json/wp/v2/posts?per_page=2&page=1"))
    assert b'"id": 2120' in page2
    assert other == page1


def test_unknown_path_is_404_and_declared_404_too(wp):
    assert get(wp.url("/nothing-here/"))[0] == 404
    assert get(wp.url("/comments/feed/"))[0] == 404


def test_robots_served_from_the_folder(wp):
    status, headers, body = get(wp.url("/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"Disallow: /private/" in body
    assert f"Sitemap: {wp.base_url}/wp-sitemap.xml".encode() in body


def test_conditional_requests_get_304_without_body(wp):
    target = "/2026/02/10/experimentation-secpa-rencontres-avecsante/"
    assert get(wp.url(target), {"If-None-Match": '"post-2187-1"'})[:1] == (304,)
    assert get(wp.url(target), {"If-None-Match": '"other", W/"post-2187-1"'})[0] == 304
    assert get(wp.url(target), {"If-None-Match": '"stale"'})[0] == 200
    ims = {"If-Modified-Since": "Thu, 12 Feb 2026 00:00:00 GMT"}
    assert get(wp.url(target), ims)[0] == 304
    assert get(wp.url(target), {"If-Modified-Since": "Mon, 02 Feb 2026 00:00:00 GMT"})[0] == 200
    assert wp.requests[0][2:] == (304, 0)  # no body bytes on a 304


def test_state_switch_serves_changed_article_with_new_etag(wp):
    target = "/2026/02/10/experimentation-secpa-rencontres-avecsante/"
    _, h1, v1 = get(wp.url(target))
    wp.set_state("v2")
    status, h2, v2 = get(wp.url(target), {"If-None-Match": h1["ETag"]})
    assert status == 200 and h2["ETag"] == '"post-2187-2"'
    assert b"Mise \xc3\xa0 jour du 12 f\xc3\xa9vrier 2026" in v2 and v2 != v1
    assert get(wp.url("/feed/"))[0] == 200  # paths not in the state fall back to the base
    wp.set_state(None)
    assert get(wp.url(target))[2] == v1
    with pytest.raises(KeyError):
        wp.set_state("v9")


def test_override_status_body_headers_and_times(wp):
    wp.override("/feed/", status=503, body="busy", headers={"Retry-After": "2"}, times=2)
    assert get(wp.url("/feed/"))[0] == 503
    status, headers, body = get(wp.url("/feed/"))
    assert (status, headers["Retry-After"], body) == (503, "2", b"busy")
    assert get(wp.url("/feed/"))[0] == 200
    wp.override("/made-up", body=b"<html>ok</html>", headers={"Content-Type": "text/html"})
    assert get(wp.url("/made-up"))[2] == b"<html>ok</html>"
    wp.clear_overrides()
    assert get(wp.url("/made-up"))[0] == 404


def test_override_truncate_and_drop_connection(wp):
    wp.override("/feed/", truncate_at=100)
    with pytest.raises(http.client.IncompleteRead):
        get(wp.url("/feed/"))
    wp.override("/feed/", drop_connection=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        get(wp.url("/feed/"))
    assert wp.requests[-1] == ("GET", "/feed/", 0, 0)


def test_override_delay(wp):
    wp.override("/feed/", delay=3)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(wp.url("/feed/"), timeout=0.3)


def test_request_counting_and_reset(wp):
    get(wp.url("/"))
    get(wp.url("/"))
    get(wp.url("/nothing"))
    assert wp.count("/") == 2 and wp.count(status=404) == 1
    assert wp.requests[0][:3] == ("GET", "/", 200)
    assert wp.bytes_sent == sum(r[3] for r in wp.requests) > 0
    wp.reset_counts()
    assert wp.requests == [] and wp.count() == 0


def test_gzip_entry_and_other_host(tmp_path: Path):
    (tmp_path / "s.xml").write_text("<urlset><url><loc>{{BASE}}/a</loc></url></urlset>")
    (tmp_path / "MANIFEST.toml").write_text(
        '[site]\ncaptured = "2026-02-14"\nprovenance = "test"\n'
        '[paths."/s.xml.gz"]\nfile = "s.xml"\ngzip = true\n'
        'headers = { Content-Type = "application/x-gzip" }\n'
    )
    with SiteServer(tmp_path, host="127.0.0.2") as server:
        assert server.base_url.startswith("http://127.0.0.2:")
        _, _, body = get(server.url("/s.xml.gz"))
    assert (
        gzip.decompress(body)
        == f"<urlset><url><loc>{server.base_url}/a</loc></url></urlset>".encode()
    )
