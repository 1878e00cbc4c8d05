"""A broken source raises a health alert instead of failing silently, and its recovery says so.

Two failing runs (``alerts.failures_before_alert = 2``) of different kinds — a layout change
(the home no longer lists any article: zero items) and HTTP errors on every page — then a
healthy run.
"""

from __future__ import annotations

import json

import pytest

from tests.faults.conftest import SOURCE, alerts, crawl, items, press_config, runs

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(150)]

NEW_LAYOUT = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Le Courrier</title></head>
<body><div id="app" data-src="/api/v2/home.json">Chargement…</div></body></html>"""


def test_zero_items_then_http_errors_raise_one_broken_alert_then_one_recovered(
    tmp_path, press_site
):
    srv = press_site()
    cfg = press_config(tmp_path, srv, crawl={"retry_times": 0}, alerts={"failures_before_alert": 2})

    srv.override("/", body=NEW_LAYOUT)  # layout change: no article link anywhere
    res = crawl(cfg)
    assert res.returncode == 1
    run = runs(cfg)[-1]
    assert run["outcome"] == "failed" and run["reason"].startswith("zero items")
    assert "empty_ok" in run["reason"]  # the message tells how to declare an empty source
    assert f"{SOURCE}: failed (zero items" in res.stdout
    assert "1 of 1 sources failed: press" in res.stderr
    assert alerts(cfg, "health_broken") == []  # one failure is not yet an alarm

    srv.override("/", status=503)  # then the whole site answers errors
    for n in range(1, 5):
        srv.override(f"/articles/a{n:02d}", status=503)
    res = crawl(cfg)
    assert res.returncode == 1
    assert f"{SOURCE}: failed {srv.base_url}/: HTTP 503" in res.stderr
    run = runs(cfg)[-1]
    assert run["outcome"] == "failed" and run["errors"] >= 1
    (broken,) = alerts(cfg, "health_broken")
    assert broken["source"] == SOURCE and broken["status"] == "sent"  # .eml transport
    payload = json.loads(broken["payload"])
    assert payload["failures"] == 2 and payload["reason"] == run["reason"]
    assert items(cfg) == {}

    srv.clear_overrides()
    res = crawl(cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    assert runs(cfg)[-1]["outcome"] == "ok" and len(items(cfg)) == 4
    (recovered,) = alerts(cfg, "health_recovered")
    assert recovered["source"] == SOURCE
    assert len(alerts(cfg, "health_broken")) == 1  # no second alarm
    state = next(iter(db_rows(cfg, "source_health")))
    assert state["state"] == "ok" and state["consecutive_failures"] == 0


def db_rows(cfg, table):
    from tests.conftest import db_of

    return db_of(cfg)[table].rows
