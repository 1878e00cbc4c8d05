"""The real daemon (`python -m monitor.cli.main --config X run`) as a child process, against fixture sites.

Cron's finest unit is a minute, so every test sets VIGIE_SCHEDULE_SECONDS (the documented
test/benchmark knob of monitor/daemon/service.py) to replace the sources' cron with a short interval.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest

from monitor.config import parse_config
from monitor.daemon.service import catch_up_plan, previous_fire, source_trigger
from monitor.logs import RedactSecrets
from storage import runs as store_runs
from storage.db import open_db
from tests.conftest import ROOT, TERMS, vigie, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FAST = {"stop_timeout": 3, "heartbeat_every": 1, "send_every": 5}


class Daemon:
    """`vigie run` in a child process, its output in a file (a pipe could fill up and block it)."""

    def __init__(self, config: Path, seconds: int):
        self.config, self.log = config, config.parent / "daemon.log"
        self.env = {**os.environ, "VIGIE_SCHEDULE_SECONDS": str(seconds)}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "monitor.cli.main", "--config", str(config), "run"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, float]:
        t = time.monotonic()
        self.proc.send_signal(sig)
        return self.proc.wait(timeout), time.monotonic() - t

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@pytest.fixture
def daemons() -> Iterator[Callable[[Path, int], Daemon]]:
    started: list[Daemon] = []

    def start(config: Path, seconds: int) -> Daemon:
        d = Daemon(config, seconds)
        started.append(d)
        return d

    yield start
    for d in started:
        for child in (
            psutil.Process(d.proc.pid).children(recursive=True) if d.proc.poll() is None else []
        ):
            child.kill()
        d.kill()


def rows(config: Path, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(config.parent / "vigie.db", timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    except sqlite3.OperationalError:  # no table yet: the daemon has not opened the database
        return []
    finally:
        conn.close()


def runs(config: Path, source: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE source = ?", (source,)) if source else ("", ())
    return rows(config, f"SELECT * FROM runs {where} ORDER BY id", params)


def wait_for(check: Callable[[], Any], timeout: float, daemon: Daemon | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        if daemon is not None and daemon.proc.poll() is not None:
            pytest.fail(f"daemon exited with {daemon.proc.returncode}:\n{daemon.output()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s" + (f":\n{daemon.output()[-3000:]}" if daemon else ""))


def finished(config: Path, source: str, n: int, outcome: str | None = None) -> Callable[[], bool]:
    return lambda: (
        len(
            [
                r
                for r in runs(config, source)
                if r["outcome"] != "running" and outcome in (None, r["outcome"])
            ]
        )
        >= n
    )


def integrity(config: Path) -> str:
    return rows(config, "PRAGMA integrity_check")[0]["integrity_check"]


# -- the real daemon -------------------------------------------------------------------------


def test_runs_status_and_sigterm(tmp_path, site_server, daemons):
    site = site_server("listing_only")
    config = write_config(tmp_path, {"lo": {"spider": "site", "url": site.base_url}}, daemon=FAST)
    d = daemons(config, 2)
    wait_for(finished(config, "lo", 2, "ok"), 25, d)

    shown = vigie("status", config=config, env=d.env)
    assert shown.returncode == 0, shown.stderr
    assert "daemon: alive" in shown.stdout
    line = next(x for x in shown.stdout.splitlines() if x.startswith("lo "))
    assert " seen," in line and line.split()[-1] in ("ok", "ok)")
    as_json = vigie("status", "--json", config=config, env=d.env)
    assert '"alive": true' in as_json.stdout and '"source": "lo"' in as_json.stdout

    code, seconds = d.stop()
    assert code == 0
    assert seconds < FAST["stop_timeout"] + 12  # grace + kill grace + final flush
    assert rows(config, "SELECT state FROM daemon")[0]["state"] == "stopped"
    assert not [r for r in runs(config) if r["outcome"] == "running"]
    log = d.output()
    done = [r for r in runs(config) if r["outcome"] == "ok"]
    assert log.count("vigie.crawl: run lo: ok") == len(done)  # one line per run, with counts
    assert "seen=" in log and "new=" in log
    assert "daemon stopped" in log
    after = vigie("status", config=config)
    assert after.returncode == 0 and "daemon: NOT RUNNING" in after.stdout


def test_no_overlap_when_crawl_is_slower_than_period(tmp_path, site_server, daemons):
    site = site_server("listing_only")
    site.override("/", delay=2.5)  # every crawl takes > 2.5 s, the period is 1 s
    config = write_config(tmp_path, {"lo": {"spider": "site", "url": site.base_url}}, daemon=FAST)
    d = daemons(config, 1)
    deadline = time.monotonic() + 30
    while not finished(config, "lo", 3)():
        assert len([r for r in runs(config, "lo") if r["outcome"] == "running"]) <= 1
        assert time.monotonic() < deadline, d.output()[-3000:]
        time.sleep(0.1)
    site.clear_overrides()
    assert d.stop()[0] == 0
    done = [r for r in runs(config, "lo") if r["ended"]]
    for before, after in zip(done, done[1:], strict=False):
        assert before["ended"] <= after["started"], (before, after)
    assert "skipped: maximum number of running instances" in d.output()


def test_kill9_mid_crawl_then_restart(tmp_path, site_server, daemons):
    site = site_server("listing_only")
    site.override("/", delay=20, times=1)  # the first crawl hangs on the home page
    config = write_config(tmp_path, {"lo": {"spider": "site", "url": site.base_url}}, daemon=FAST)
    first = daemons(config, 60)  # nothing but the catch-up run within the test
    wait_for(lambda: [r for r in runs(config, "lo") if r["outcome"] == "running"], 15, first)
    time.sleep(1.0)
    first.kill()  # SIGKILL: no cleanup at all; its crawl child is orphaned and keeps going
    orphan = runs(config, "lo")[-1]
    assert orphan["outcome"] == "running"

    second = daemons(config, 60)
    wait_for(finished(config, "lo", 1, "ok"), 30, second)
    assert "crawl process" in second.output()  # the orphaned crawl was stopped
    assert second.stop()[0] == 0
    assert integrity(config) == "ok"
    all_runs = runs(config, "lo")
    assert all_runs[0]["id"] == orphan["id"] and all_runs[0]["outcome"] == "interrupted"
    assert [r["outcome"] for r in all_runs[1:]] == ["ok"]  # one catch-up run, not two
    assert not [
        p
        for p in psutil.process_iter(["cmdline"])
        if "--run-id" in (p.info["cmdline"] or [])
        and str(orphan["id"]) in p.info["cmdline"]
        and str(config) in " ".join(p.info["cmdline"])
    ]


def test_hanging_source_stopped_by_timeout_others_keep_schedule(tmp_path, site_server, daemons):
    hang, fine = site_server("listing_only"), site_server("listing_only")
    hang.override("/", delay=40, times=1)
    config = write_config(
        tmp_path,
        {
            # 12 s: room for two crawls of "fine" (about 4 s each on a loaded 2-core machine)
            "hang": {"spider": "site", "url": hang.base_url, "timeout": 12},
            "fine": {"spider": "site", "url": fine.base_url},
        },
        daemon=FAST,
        crawl={"download_timeout": 60},  # the page hangs past the run timeout, not the request's
    )
    d = daemons(config, 2)
    failed = wait_for(lambda: [r for r in runs(config, "hang") if r["outcome"] == "failed"], 45, d)[
        0
    ]
    assert failed["reason"].startswith("timeout"), failed
    began, ended = failed["started"], failed["ended"]
    during = [
        r for r in runs(config, "fine") if began <= r["started"] <= ended and r["outcome"] == "ok"
    ]
    assert len(during) >= 2, (failed, runs(config, "fine"))
    assert d.stop()[0] == 0


# -- catch-up rule and log scrubbing (in-process, no daemon) ----------------------------------


def _cfg(tmp_path: Path, schedule: str = "0 7 * * *"):
    data = {
        "storage": {"path": str(tmp_path / "vigie.db")},
        "watch": {"terms": TERMS},
        "sources": {"lo": {"spider": "site", "url": "http://127.0.0.1:1", "schedule": schedule}},
    }
    return parse_config(data, base_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("last_ok", "last_any", "catch_up", "missed"),
    [
        (None, None, True, False),  # never ran: run at once, nothing missed
        (
            "2026-03-02T06:00:10+00:00",
            "2026-03-02T06:00:10+00:00",
            False,
            False,
        ),  # today's 07:00 ran
        (
            "2026-03-01T06:00:10+00:00",
            "2026-03-01T06:00:10+00:00",
            True,
            True,
        ),  # daemon down at 07:00
        (
            "2026-03-01T06:00:10+00:00",
            "2026-03-02T06:00:05+00:00",
            True,
            False,
        ),  # today's run failed
    ],
)
def test_catch_up_plan(tmp_path, last_ok, last_any, catch_up, missed):
    cfg = _cfg(tmp_path)
    db = open_db(cfg.db_path)
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 10:30 Paris
    for started, outcome in ((last_ok, "ok"), (last_any, "failed")):
        if started and not (outcome == "failed" and started == last_ok):
            rid = store_runs.start_run(db, "lo", started)
            store_runs.finish_run(db, rid, outcome, None, started)
    plan = catch_up_plan(db, cfg, now)["lo"]
    assert (plan["catch_up"], plan["missed"]) == (catch_up, missed)
    assert plan["previous_fire"] == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_previous_fire_weekdays_and_dst():
    trigger = source_trigger("30 7 * * mon-fri")
    sunday = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # DST day in Paris
    assert previous_fire(trigger, sunday) == datetime(2026, 3, 27, 6, 30, tzinfo=UTC)  # Friday, CET
    monday = sunday + timedelta(days=1)
    assert previous_fire(trigger, monday) == datetime(2026, 3, 30, 5, 30, tzinfo=UTC)  # CEST


def test_log_lines_are_scrubbed():
    scrub = RedactSecrets(["hunter2-secret"])
    line = (
        "SMTP AUTH failed for alice / hunter2-secret; url smtp://alice:pw123@mail password=abc123"
    )
    clean = scrub.redact(line)
    assert "hunter2-secret" not in clean and "pw123" not in clean and "abc123" not in clean
    assert "alice" in clean and "***" in clean


@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_stops_a_hanging_crawl_within_bound(tmp_path, site_server, daemons, signals):
    """One SIGTERM: grace, crawl stopped, exit 0. A second one: exit at once, still consistent."""
    site = site_server("listing_only")
    site.override("/", delay=30)
    config = write_config(tmp_path, {"lo": {"spider": "site", "url": site.base_url}}, daemon=FAST)
    d = daemons(config, 60)
    wait_for(lambda: [r for r in runs(config, "lo") if r["outcome"] == "running"], 15, d)
    crawler = psutil.Process(d.proc.pid).children(recursive=True)
    if signals == 2:
        d.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
    code, seconds = d.stop()
    if signals == 1:
        assert (code, d.output().count("daemon stopped")) == (0, 1)
        assert seconds < FAST["stop_timeout"] + 12, seconds
    else:
        assert code == 128 + signal.SIGTERM and seconds < 2, (code, seconds)
        psutil.wait_procs(crawler, timeout=2)
        assert not [p for p in crawler if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert runs(config, "lo")[-1]["outcome"] == "interrupted"
    assert rows(config, "SELECT state FROM daemon")[0]["state"] == "stopped"
    assert integrity(config) == "ok"


def test_changed_config_refused_then_reloaded(tmp_path, site_server, daemons):
    """An invalid edit is refused (one log line, one health alert, crawls go on with the old
    config); a valid edit is applied without a restart (a new source gets its schedule)."""
    site = site_server("listing_only")
    config = write_config(tmp_path, {"lo": {"spider": "site", "url": site.base_url}}, daemon=FAST)
    good = config.read_text("utf-8")
    d = daemons(config, 2)
    wait_for(finished(config, "lo", 1), 25, d)

    config.write_text(good.replace('spider = "site"', 'spider = "sitee"'), "utf-8")
    wait_for(lambda: "changed but is invalid" in d.output(), 15, d)
    refused = [x for x in d.output().splitlines() if "changed but is invalid" in x]
    assert len(refused) == 1 and "sources.lo.spider" in refused[0], refused
    assert "did you mean" in refused[0]
    alerts = rows(config, "SELECT * FROM alerts WHERE event = 'health_config'")
    assert len(alerts) == 1 and alerts[0]["source"] == "config.toml"
    assert "sources.lo.spider" in alerts[0]["payload"]
    before = len(runs(config, "lo"))
    wait_for(finished(config, "lo", before + 1, "ok"), 25, d)  # still crawling on the old one

    second = write_config(
        tmp_path,
        {
            "lo": {"spider": "site", "url": site.base_url},
            "lo2": {"spider": "site", "url": site.base_url},
        },
        daemon=FAST,
    )
    assert second == config
    wait_for(lambda: "reloaded: sources lo" in d.output(), 15, d)
    wait_for(finished(config, "lo2", 1, "ok"), 25, d)
    assert len(rows(config, "SELECT * FROM alerts WHERE event = 'health_config'")) == 1
    code, _ = d.stop()
    assert code == 0
