"""spiders/parse/wp_rest.py over the fixture sites' bytes (no server)."""

import pytest

from spiders.parse.wp_rest import parse_wp_posts, wp_api_root, wp_posts_url
from tests.support.siteserver import Site

BASE = "http://avecsante.test"


@pytest.fixture(scope="module")
def wp():
    return Site("wp_like")


def test_api_root_from_wordpress_head(wp):
    body, _ = wp.fetch("/", BASE)
    assert wp_api_root(body, BASE + "/") == BASE + "/wp-json/"
    drupal, _ = Site("drupal_like").fetch("/", "http://fncs.test")
    assert wp_api_root(drupal, "http://fncs.test/") is None
    assert wp_api_root(b"", BASE) is None


def test_posts_url():
    assert wp_posts_url(BASE + "/wp-json/", page=2, per_page=2) == (
        BASE + "/wp-json/wp/v2/posts?per_page=2&page=2"
    )
    assert wp_posts_url(BASE + "/?rest_route=/", search="secpa") == (
        BASE + "/?rest_route=/wp/v2/posts&per_page=100&page=1&search=secpa"
    )


def test_first_page_field_by_field(wp):
    body, headers = wp.fetch("/wp-json/wp/v2/posts?per_page=2&page=1", BASE)
    page = parse_wp_posts(body, BASE + "/wp-json/wp/v2/posts?per_page=2&page=1", headers)
    assert page.ok and (page.total_pages, page.total) == (2, 4)
    first = page.posts[0]
    assert first.id == 2187
    assert first.url == BASE + "/2026/02/10/experimentation-secpa-rencontres-avecsante/"
    assert (
        first.title
        == "Rencontres AVECsanté : l’avenir de l’expérimentation SECPa au cœur des débats"
    )
    assert (first.date_raw, first.date_gmt) == ("2026-02-10T09:12:00", "2026-02-10T08:12:00")
    assert first.updated_raw == "2026-02-11T13:30:05"
    assert first.author_name == "Claire Martin"
    assert "expérimentation SECPa" in first.content_html
    assert page.posts[1].id == 2154


def test_second_page_author_only_when_embedded(wp):
    body, headers = wp.fetch("/wp-json/wp/v2/posts?per_page=2&page=2", BASE)
    page = parse_wp_posts(body, BASE, {k.lower(): v for k, v in headers.items()})
    assert page.total_pages == 2
    assert [(p.id, p.author_name) for p in page.posts] == [(2120, "Julien Robert"), (2098, None)]


def test_wordpress_error_object(wp):
    body, headers = wp.fetch("/wp-json/wp/v2/posts?per_page=2&page=3", BASE)
    page = parse_wp_posts(body, BASE, headers)
    assert not page.ok and page.posts == []
    assert page.error.startswith("rest_post_invalid_page_number: ")


def test_php_notice_before_json_and_bom_are_tolerated():
    body = '\ufeff<br />\n<b>Notice</b>: Undefined index\n[{"id": 7, "link": "/p/"}]'.encode()
    page = parse_wp_posts(body, BASE + "/wp-json/wp/v2/posts", {})
    assert page.ok and [(p.id, p.url) for p in page.posts] == [(7, BASE + "/p/")]


@pytest.mark.parametrize("body", [b"", b"<html>maintenance</html>", b'"string"', b"[{"])
def test_not_posts(body):
    page = parse_wp_posts(body, BASE, {"X-WP-TotalPages": "x"})
    assert not page.ok and page.error and page.total_pages is None
