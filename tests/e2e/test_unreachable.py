"""A source that cannot be reached says why in one line, without a traceback (issue 10); and
robots.txt is asked once per crawl (issue 15).

Real parts: a port on 127.0.0.1 that nobody listens on (connection refused), a host under the
reserved ``.invalid`` TLD (RFC 2606: resolution fails, with or without network), a plain-HTTP
server asked for https:// (TLS handshake fails), and the fixture sites over real HTTP.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import db_of, vigie, write_config
from tests.support.smtpserver import free_port

pytestmark = pytest.mark.e2e


def test_unreachable_sources_one_line_each_naming_the_cause(tmp_path, site_server):
    plain = site_server("wp_like")
    sources = {
        "refused": {"spider": "site", "url": f"http://127.0.0.1:{free_port()}"},
        "nodns": {"spider": "site", "url": "http://vigie-test.invalid"},
        "notls": {"spider": "site", "url": plain.base_url.replace("http://", "https://")},
    }
    cfg = write_config(tmp_path, sources)
    res = vigie("crawl", config=cfg)
    assert res.returncode == 1, res.stderr[-3000:]
    assert "Traceback" not in res.stderr, res.stderr[:5000]
    causes = {
        "refused": "connection refused",
        "nodns": "DNS lookup failed",
        "notls": "TLS handshake failed",
    }
    crawl_lines = [line for line in res.stderr.splitlines() if " vigie.spider: " in line]
    for source, cause in causes.items():
        mine = [line for line in crawl_lines if f"vigie.spider: {source}: " in line]
        assert len(mine) == 1, (source, mine)
        assert "cannot reach " in mine[0] and cause in mine[0], mine[0]
    # nothing else from the crawl than those lines, the run lines and the summary
    others = [
        line
        for line in res.stderr.splitlines()
        if line not in crawl_lines and " vigie.crawl: run " not in line
    ]
    assert others == ["Error: 3 of 3 sources failed: refused, nodns, notls"], others
    # the cause reaches the run record (and so the status, the health alert, the run line),
    # in monitor/runs/outcome.py's words ("site unreachable: TLS error", no empty_ok hint)
    in_reason = {"refused": "connection refused", "nodns": "DNS lookup failed", "notls": "TLS"}
    runs = {r["source"]: r for r in db_of(cfg).query("select source, outcome, reason from runs")}
    for source, cause in in_reason.items():
        assert runs[source]["outcome"] == "failed"
        assert cause in runs[source]["reason"], runs[source]
        assert "empty_ok" not in runs[source]["reason"], runs[source]
    assert plain.count("/robots.txt") == 0  # the TLS attempts never reached the HTTP handler


@pytest.mark.parametrize("obey", [True, False], ids=["obey_robots", "ignore_robots"])
def test_robots_txt_requested_once_per_crawl(tmp_path, site_server, obey):
    srv = site_server("wp_like")
    cfg = write_config(
        tmp_path, {"avec": {"spider": "site", "url": srv.base_url}}, crawl={"obey_robots": obey}
    )
    res = vigie("crawl", config=cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    assert srv.count("/robots.txt") == 1
    assert re.search(r"^avec: ok", res.stdout, re.M), res.stdout
    if obey:  # its rules are still obeyed
        assert srv.count("/private/compte-rendu-conseil-administration-janvier-2026/") == 0


def test_robots_txt_server_error_retried_once_not_twice(tmp_path, site_server):
    """A robots.txt answering 503 is retried by the middleware's fetch only (retry_times = 1:
    two requests); the spider gets that answer without asking again, and the crawl goes on
    (Scrapy's rule: a robots.txt that cannot be read allows everything)."""
    srv = site_server("wp_like")
    srv.override("/robots.txt", status=503, body="busy")
    cfg = write_config(tmp_path, {"avec": {"spider": "site", "url": srv.base_url}})
    res = vigie("crawl", config=cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Traceback" not in res.stderr
    assert srv.count("/robots.txt", status=503) == 2
    assert srv.count("/robots.txt") == 2
    assert len(list(db_of(cfg).query("select id from items where source = 'avec'"))) >= 4
