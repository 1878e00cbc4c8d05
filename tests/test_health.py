"""monitor.runs.health: N failures → one broken alert, reminders, recovery, zero items, stale sources.

Real SQLite file, real config; run rows are plain dicts shaped like ``runs`` rows.
"""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from email import policy

import pytest

from monitor.alerts.deliver import deliver_pending
from monitor.config import load_config
from monitor.runs import health
from storage import health as store
from storage.db import open_db
from tests.support.smtpserver import write_config

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path):
    sources = {
        "fncs": {"recipients": ["fncs-watch@example.org"]},
        "quiet": {"empty_ok": True},
        "news": {"stale_after": "10d"},
    }
    path = write_config(
        tmp_path,
        alerts={"failures_before_alert": 3, "reminder_every": "1d", "outbox_dir": "outbox"},
        sources=sources,
    )
    cfg = load_config(path)
    return cfg, open_db(cfg.db_path)


class Runs:
    """Feeds runs to after_run, one per hour unless told otherwise; collects alert events."""

    def __init__(self, cfg, db, source="fncs"):
        self.cfg, self.db, self.source, self.now, self.n = cfg, db, source, T0, 0

    def run(self, outcome="ok", seen=10, new=0, reason=None, after=timedelta(hours=1), **counts):
        self.now += after
        self.n += 1
        row = {
            "id": self.n,
            "source": self.source,
            "outcome": outcome,
            "reason": reason,
            "items_seen": seen,
            "items_new": new,
            "errors": 0,
            **counts,
        }
        ids = health.after_run(self.db, self.cfg, self.source, row, self.now)
        return [self.db["alerts"].get(i)["event"] for i in ids]


def test_broken_after_n_failures_then_one_reminder_then_recovery(env):
    cfg, db = env
    r = Runs(cfg, db)
    assert r.run() == []
    assert r.run("failed", seen=0, reason="HTTP 503") == []
    assert r.run("failed", seen=0, reason="HTTP 503") == []
    assert r.run("failed", seen=0, reason="HTTP 503") == ["health_broken"]
    assert store.get_state(db, "fncs")["state"] == "broken"
    assert [r.run("failed", seen=0) for _ in range(5)] == [[]] * 5  # no flood within a day
    assert r.run("failed", seen=0, after=timedelta(hours=20)) == ["health_reminder"]
    assert r.run("failed", seen=0) == []
    assert r.run("interrupted", seen=0) == []  # daemon stopped: neither failure nor success
    assert r.run() == ["health_recovered"]
    assert r.run() == []
    state = store.get_state(db, "fncs")
    assert (
        state["state"] == "ok"
        and state["consecutive_failures"] == 0
        and state["broken_since"] is None
    )

    broken = db["alerts"].get(1)
    assert broken["mode"] == "immediate" and broken["source"] == "fncs"
    assert json.loads(broken["recipients"]) == ["alice@example.org", "fncs-watch@example.org"]
    payload = json.loads(broken["payload"])
    assert payload["reason"] == "HTTP 503" and payload["failures"] == 3 and payload["last_success"]


def test_a_success_resets_the_count(env):
    cfg, db = env
    r = Runs(cfg, db)
    for _ in range(3):
        assert r.run("failed", seen=0) == []
        assert r.run("failed", seen=0) == []
        assert r.run() == []


def test_zero_items_from_a_source_that_used_to_yield_counts_as_failure(env):
    cfg, db = env
    r = Runs(cfg, db)
    assert r.run(seen=0) == []  # never yielded anything yet: nothing to compare with
    assert r.run(seen=12) == []
    assert r.run(seen=0) == [] and r.run(seen=0) == []
    assert r.run(seen=0) == ["health_broken"]
    assert json.loads(db["alerts"].get(1)["payload"])["reason"] == "zero items"
    assert r.run(seen=12) == ["health_recovered"]


def test_zero_items_because_everything_answered_304_is_not_a_failure(env):
    cfg, db = env
    r = Runs(cfg, db)
    assert r.run(seen=12) == []
    quiet = [r.run(seen=0, not_modified=2) for _ in range(4)]  # home page and sitemap 304
    assert quiet == [[]] * 4
    assert health_state(db)["consecutive_failures"] == 0
    # zero items with a 304 *and* errors is not a quiet night
    assert [r.run(seen=0, not_modified=1, errors=2) for _ in range(3)][-1] == ["health_broken"]


def health_state(db):
    return db["source_health"].get("fncs")


def test_empty_ok_source_never_alerts_on_zero_items(env):
    cfg, db = env
    r = Runs(cfg, db, "quiet")
    r.run(seen=3)
    assert [r.run(seen=0) for _ in range(6)] == [[]] * 6


def test_stale_source_alerts_once_then_recovers_with_new_items(env):
    cfg, db = env
    r = Runs(cfg, db, "news")
    assert r.run(new=2) == []
    assert r.run(after=timedelta(days=5)) == []
    assert r.run(after=timedelta(days=6)) == ["health_stale"]
    assert r.run(after=timedelta(days=3)) == []  # one alert, no reminders for staleness
    assert health.status(db, cfg, r.now)[1]["stale"] is True  # for `vigie status`
    assert r.run(new=1) == ["health_recovered"]
    assert store.get_state(db, "news")["state"] == "ok"


def test_health_alert_is_delivered_immediately(env, tmp_path):
    cfg, db = env
    r = Runs(cfg, db)
    for _ in range(3):
        r.run("failed", seen=0, reason="robots.txt forbids /actualites")
    report = deliver_pending(db, cfg, r.now)
    assert report.sent == 1
    emls = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(emls) == 2
    msg = email.message_from_bytes(emls[0].read_bytes(), policy=policy.default)
    assert msg["Subject"] == "Source en panne — fncs"
    assert "Raison : robots.txt forbids /actualites" in msg.get_body(("plain",)).get_content()
