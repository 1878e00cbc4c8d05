"""`vigie status` data and table over a real SQLite file (no daemon, no crawl)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import parse_config
from monitor.daemon.status import collect, render
from storage import health as store_health
from storage import runs as store_runs
from storage.db import open_db, write_tx
from tests.conftest import TERMS, vigie, write_config

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _iso(d: datetime) -> str:
    return d.isoformat(timespec="seconds")


@pytest.fixture
def setup(tmp_path):
    data = {
        "storage": {"path": str(tmp_path / "vigie.db")},
        "watch": {"terms": TERMS},
        "daemon": {"heartbeat_every": 60},
        "sources": {
            "fncs": {"spider": "site", "url": "http://127.0.0.1:1", "schedule": "0 7 * * *"},
            "avec": {
                "spider": "site",
                "url": "http://127.0.0.1:2",
                "schedule": "30 7,13 * * mon-fri",
            },
            "off": {"spider": "site", "url": "http://127.0.0.1:3", "enabled": False},
        },
    }
    cfg = parse_config(data, base_dir=str(tmp_path))
    db = open_db(cfg.db_path)
    rid = store_runs.start_run(db, "fncs", _iso(NOW - timedelta(hours=3)))
    with write_tx(db):
        store_runs.update_counters(db, rid, {"items_seen": 12, "items_new": 2, "pages_fetched": 14})
    store_runs.finish_run(db, rid, "failed", "zero items", _iso(NOW - timedelta(hours=3)))
    with write_tx(db):
        store_health.save_state(
            db, {"source": "fncs", "state": "broken", "consecutive_failures": 3}
        )
    return cfg, db


def _beat(db, *, age: timedelta, pid: int, state: str = "running") -> None:
    store_runs.heartbeat(db, _iso(NOW - age), state, started=_iso(NOW - timedelta(days=1)))
    with write_tx(db):
        db.conn.execute("UPDATE daemon SET pid = ?", [pid])


def test_sources_last_next_health(setup):
    cfg, db = setup
    data = collect(db, cfg, NOW)
    by = {s["source"]: s for s in data["sources"]}
    fncs = by["fncs"]
    assert fncs["last_run"]["outcome"] == "failed" and fncs["last_run"]["reason"] == "zero items"
    assert fncs["last_run"]["counts"]["items_seen"] == 12
    assert fncs["next_run"] == "2026-03-03T07:00:00+01:00"  # Paris time, tomorrow
    assert fncs["health"] == {
        "state": "broken",
        "consecutive_failures": 3,
        "last_reason": None,
        "broken_since": None,
    }
    assert by["avec"]["last_run"] is None and by["avec"]["health"] is None
    assert by["avec"]["next_run"] == "2026-03-02T13:30:00+01:00"  # Monday
    assert by["off"]["next_run"] is None
    assert data["daemon"] == {
        "alive": False,
        "state": "never started",
        "pid": None,
        "started": None,
        "heartbeat": None,
    }
    json.dumps(data)  # --json must not fail on any value

    table = render(data)
    lines = table.splitlines()
    assert lines[0] == "daemon: not running (never started on this database)"
    assert lines[2].split() == [
        "SOURCE",
        "LAST",
        "RUN",
        "OUTCOME",
        "COUNTS",
        "NEXT",
        "RUN",
        "HEALTH",
    ]
    fncs_line = next(x for x in lines if x.startswith("fncs "))
    assert "failed (zero items)" in fncs_line and "12 seen, 2 new" in fncs_line
    assert fncs_line.endswith("broken (3 failures in a row)")
    assert next(x for x in lines if x.startswith("avec ")).endswith("never run")
    assert next(x for x in lines if x.startswith("off ")).endswith("disabled")


@pytest.mark.parametrize(
    ("age", "pid", "state", "alive"),
    [
        (timedelta(seconds=30), os.getpid(), "running", True),
        (timedelta(seconds=181), os.getpid(), "running", False),  # heartbeat older than 3 × 60 s
        (timedelta(seconds=30), 2**22 + 12345, "running", False),  # pid gone
        (timedelta(seconds=30), os.getpid(), "stopped", False),
    ],
)
def test_daemon_alive(setup, age, pid, state, alive):
    cfg, db = setup
    _beat(db, age=age, pid=pid, state=state)
    data = collect(db, cfg, NOW)
    assert data["daemon"]["alive"] is alive
    first = render(data).splitlines()[0]
    assert first.startswith("daemon: alive" if alive else "daemon: NOT RUNNING")


def test_status_command_exit_code_and_json(tmp_path):
    config = write_config(tmp_path, {"lo": {"spider": "site", "url": "http://127.0.0.1:1"}})
    table = vigie("status", config=config)
    assert table.returncode == 0, table.stderr
    assert "daemon: not running" in table.stdout and "never run" in table.stdout
    as_json = vigie("status", "--json", config=config)
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["sources"][0]["source"] == "lo"
