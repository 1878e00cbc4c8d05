"""HTTP faults on the wire: 5xx bursts, 429 + Retry-After, timeouts, resets, truncated bodies.

One crawl of a 10-article site where each article carries one fault (a messy night on one
source, as in real life), shared by the tests below: each asserts what the user sees (exit
code, the log line naming the URL, the run row) and what is stored. One crawl instead of
seven keeps the suite inside its time budget (a crawl child costs seconds to start).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.conftest import (
    SOURCE,
    article_path,
    build_site,
    crawl,
    items,
    output,
    press_config,
    runs,
    stamp_requests,
)
from tests.support.siteserver import SiteServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

RECOVERED = (1, 5, 7)  # 503 twice; connection reset once; 429 once
LOST = (2, 3, 4, 6)  # 500 always; timeout; reset always; truncated body
HEALTHY = (8, 9, 10)


@dataclass
class Crawled:
    srv: SiteServer
    cfg: Path
    res: object
    stamps: list

    def url(self, n: int) -> str:
        return self.srv.url(article_path(n))


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> Crawled:
    tmp = tmp_path_factory.mktemp("http_faults")
    srv = SiteServer(build_site(tmp / "site", 10)).start()
    try:
        stamps = stamp_requests(srv)
        srv.override("/", status=502, times=1)
        srv.override(article_path(1), status=503, times=2)
        srv.override(article_path(2), status=500)
        srv.override(article_path(3), delay=2.5)  # download_timeout is 1 s
        srv.override(article_path(4), drop_connection=True)
        srv.override(article_path(5), drop_connection=True, times=1)
        srv.override(article_path(6), truncate_at=400)  # Content-Length announces the whole page
        srv.override(article_path(7), status=429, headers={"Retry-After": "1"}, times=1)
        cfg = press_config(
            tmp, srv, crawl={"download_timeout": 1, "retry_times": 2, "retry_backoff": 0.05}
        )
        res = crawl(cfg)
    finally:
        srv.stop()
    return Crawled(srv, cfg, res, stamps)


def failed_line(night: Crawled, n: int) -> str:
    prefix = f"{SOURCE}: failed {night.url(n)}: "
    lines = [line for line in night.res.stderr.splitlines() if prefix in line]
    assert len(lines) == 1, (
        f"expected one failure line for {night.url(n)}:\n{night.res.stderr[-4000:]}"
    )
    return lines[0].split(prefix, 1)[1]


def test_the_run_succeeds_with_its_errors_counted(night):
    assert night.res.returncode == 0, output(night.res)[-3000:]
    (run,) = runs(night.cfg)
    assert run["outcome"] == "ok" and run["reason"] == f"{len(LOST)} errors"
    assert run["errors"] == len(LOST)
    assert f"{SOURCE}: ok ({len(LOST)} errors)" in night.res.stdout
    assert sorted(items(night.cfg)) == sorted(night.url(n) for n in RECOVERED + HEALTHY)
    assert run["items_new"] == len(RECOVERED + HEALTHY)


def test_5xx_burst_is_recovered_by_retries(night):
    assert night.srv.count(article_path(1), status=503) == 2
    assert night.srv.count(article_path(1), status=200) == 1
    assert night.srv.count("/", status=502) == 1  # the listing too
    stored = items(night.cfg)[night.url(1)]
    assert stored["matched"] == 1 and "SECPA" in stored["title"]
    assert f"failed {night.url(1)}" not in night.res.stderr


def test_persistent_500_is_logged_with_its_url_after_the_retries(night):
    assert failed_line(night, 2) == "HTTP 500"
    assert night.srv.count(article_path(2)) == 3  # first try + retry_times = 2
    assert night.url(2) not in items(night.cfg)


def test_429_retry_after_is_honoured(night):
    hits = [(t, status) for t, path, status in night.stamps if path == article_path(7)]
    assert [status for _, status in hits] == [429, 200]
    waited = hits[1][0] - hits[0][0]
    # retry_backoff is 0.05 s: only the header can explain a wait of a second
    assert 1.0 <= waited < 5.0, f"retried {waited:.2f} s after a 429 with Retry-After: 1"


def test_timeout_is_logged_and_not_stored(night):
    assert failed_line(night, 3) == "timeout"
    assert night.url(3) not in items(night.cfg)


def test_connection_reset_once_is_retried_always_is_logged(night):
    assert failed_line(night, 4).startswith("connection lost before a complete answer")
    assert night.srv.count(article_path(4)) == 3
    assert night.url(5) in items(night.cfg)


def test_truncated_body_fails_the_data_loss_check_and_is_not_stored(night):
    assert failed_line(night, 6).startswith("incomplete answer")
    assert night.url(6) not in items(night.cfg)  # no half page stored as an article
