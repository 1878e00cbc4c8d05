"""Content faults: wrong charset, compression bomb, over-size page, redirect loop, redirect off
the source's host, malformed feed and sitemap, a non-HTML "article", a date in the future.

One crawl of a 10-article site with one fault per article (see test_http_faults.py for why one
crawl), plus a second server on 127.0.0.2 (Linux routes all of 127/8 to lo) that must never be
asked anything.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.conftest import (
    SOURCE,
    article_html,
    article_path,
    build_site,
    crawl,
    items,
    output,
    press_config,
    runs,
)
from tests.support.siteserver import SiteServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

MAX_PAGE = 100_000
FUTURE = "2031-06-01T09:00:00+02:00"
STORED = (1, 6, 8, 9, 10)


@dataclass
class Crawled:
    srv: SiteServer
    far: SiteServer
    cfg: Path
    res: object

    def url(self, n: int | str) -> str:
        return self.srv.url(article_path(n) if isinstance(n, int) else n)


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> Crawled:
    tmp = tmp_path_factory.mktemp("content_faults")
    srv = SiteServer(build_site(tmp / "site", 10)).start()
    far = SiteServer(build_site(tmp / "far", 2), host="127.0.0.2").start()
    try:
        # 1: a Windows-1252 page announced as UTF-8 (header and meta)
        srv.override(article_path(1), body=article_html(1).encode("cp1252"))
        # 2: 20 MB of spaces gzipped to ~20 kB, served with Content-Encoding: gzip
        bomb = gzip.compress(b" " * 20_000_000, compresslevel=9)
        srv.override(article_path(2), body=bomb, headers={"Content-Encoding": "gzip"})
        # 3: an honest page three times the limit
        srv.override(article_path(3), body=b"<p>" + b"x" * (3 * MAX_PAGE))
        # 4: a04 -> /moved -> a04
        srv.override(article_path(4), status=302, headers={"Location": "/moved"})
        srv.override("/moved", status=302, headers={"Location": article_path(4)})
        # 5: a05 -> the same page on another host
        srv.override(article_path(5), status=301, headers={"Location": far.url(article_path(1))})
        # 6: published in the future
        srv.override(article_path(6), body=article_html(6, date=FUTURE))
        # 7: a PDF where an article was expected
        srv.override(
            article_path(7),
            body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            headers={"Content-Type": "application/pdf"},
        )
        srv.override("/news.rss", body=b'<?xml version="1.0"?><rss><channel><item><link>oops')
        srv.override("/sitemap-news.xml", body=b"<urlset><url><loc>" + b"\x00" * 8)
        cfg = press_config(
            tmp,
            srv,
            {"feeds": ["/news.rss"], "sitemaps": ["/sitemap-news.xml"]},
            crawl={"max_page_bytes": MAX_PAGE, "retry_times": 1},
        )
        res = crawl(cfg)
    finally:
        srv.stop()
        far.stop()
    return Crawled(srv, far, cfg, res)


def lines_about(night: Crawled, url: str) -> list[str]:
    return [line for line in night.res.stderr.splitlines() if url in line and " vigie." in line]


def reason(night: Crawled, n: int | str) -> str:
    prefix = f"{SOURCE}: failed {night.url(n)}: "
    found = [line.split(prefix, 1)[1] for line in night.res.stderr.splitlines() if prefix in line]
    assert len(found) == 1, (
        f"expected one failure line for {night.url(n)}:\n{night.res.stderr[-4000:]}"
    )
    return found[0]


def test_the_run_ends_with_the_good_pages_stored(night):
    assert night.res.returncode == 0, output(night.res)[-3000:]
    assert sorted(items(night.cfg)) == sorted(night.url(n) for n in STORED)
    (run,) = runs(night.cfg)
    assert run["outcome"] == "ok"
    # 4 refused downloads (bomb, size, loop, off-host) + 3 unusable documents (PDF, feed, sitemap)
    assert run["errors"] == 7, run


def test_wrong_charset_is_read_as_windows_1252_without_mojibake(night):
    stored = items(night.cfg)[night.url(1)]
    assert (
        stored["title"] == "Article 01 : l'expérimentation SECPA prolongée"
    )  # ’ folded by normalize
    assert "\ufffd" not in stored["title"] + stored["body"]
    assert (
        "Les équipes des centres de santé" in stored["body"] and "accès aux soins" in stored["body"]
    )
    assert stored["matched"] == 1
    (line,) = lines_about(night, night.url(1))
    assert "declared UTF-8" in line and "Windows-1252" in line


def test_gzip_bomb_is_refused_with_a_clear_log(night):
    assert reason(night, 2).startswith(
        "refused: compressed page inflates past crawl.max_page_bytes"
    )
    assert night.url(2) not in items(night.cfg)


def test_page_over_the_size_limit_is_refused_with_a_clear_log(night):
    assert reason(night, 3) == (
        "refused: page larger than crawl.max_page_bytes "
        f"({3 * MAX_PAGE + 3} bytes announced, limit {MAX_PAGE})"
    )
    assert night.srv.count(article_path(3)) == 1  # a refusal is final, not retried


def test_redirect_loop_is_logged_and_not_followed_forever(night):
    assert night.srv.count(article_path(4)) == 1 and night.srv.count("/moved") == 1
    line = reason(night, "/moved")
    assert line.startswith("redirect loop: ") and night.url(4) in line


def test_redirect_off_the_sources_host_is_not_followed(night):
    assert night.far.requests == []
    assert (
        reason(night, 5)
        == f"redirect off the source's host to {night.far.url(article_path(1))} (not followed)"
    )
    assert not [u for u in items(night.cfg) if u.startswith(night.far.base_url)]


def test_future_date_is_stored_as_unknown_with_the_raw_text_kept(night):
    stored = items(night.cfg)[night.url(6)]
    assert stored["published"] is None and stored["published_raw"] == FUTURE
    assert any("date left unknown" in line for line in lines_about(night, night.url(6)))


def test_non_html_article_is_logged_and_skipped(night):
    assert any(
        f"{SOURCE}: skipped {night.url(7)}: not an HTML page" in line
        for line in lines_about(night, night.url(7))
    )
    assert night.url(7) not in items(night.cfg)


def test_malformed_feed_and_sitemap_are_logged_and_listing_discovery_still_works(night):
    assert any(
        f"{SOURCE}: skipped {night.url('/news.rss')}: malformed feed" in x
        for x in lines_about(night, "/news.rss")
    )
    assert any(
        f"{SOURCE}: skipped {night.url('/sitemap-news.xml')}: malformed sitemap" in x
        for x in lines_about(night, "/sitemap-news.xml")
    )
    assert night.url(8) in items(night.cfg)  # reached through the home listing
