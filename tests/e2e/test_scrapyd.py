"""Vigie on a real Scrapyd: deployed as an egg with scrapyd-deploy (addversion.json), crawls
scheduled through schedule.json, the archive compared with what `vigie crawl` writes.

One node for the module (tests/support/scrapydnode.py): a Scrapyd from PyPI on 127.0.0.1, in
its own folder (eggs, logs, dbs), with a Python that does not see Vigie outside the egg.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.sources.registry import FAMILIES
from tests.conftest import ROOT, vigie, write_config
from tests.support.scrapydnode import ScrapydNode, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: columns that differ between two crawls of the same pages (clocks, run ids)
VOLATILE = {"first_seen", "last_seen", "created", "next_attempt", "sent", "run_id", "id"}
LOCK_ERRORS = re.compile(r"database is locked|database table is locked|SQLITE_BUSY", re.I)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScrapydNode]:
    n = ScrapydNode(tmp_path_factory.mktemp("scrapyd")).start()
    try:
        n.deployed = n.deploy()  # type: ignore[attr-defined]
        yield n
    finally:
        n.stop()


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def rows_now(db: Path, sql: str) -> list[dict[str, Any]]:
    """For polls: nothing yet when the database or its tables do not exist yet."""
    try:
        return rows(db, sql) if db.exists() else []
    except sqlite3.OperationalError:
        return []


def stable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without their clocks and ids; JSON cells parsed (the order in which a crawl's hints
    arrive, hence the key order of ``discovery_hints``, varies from crawl to crawl)."""
    return [{k: _cell(v) for k, v in r.items() if k not in VOLATILE} for r in records]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def differences(got: list[dict], want: list[dict]) -> list[tuple]:
    """(row, column, got, want) for every cell that differs: a readable failure."""
    out: list[tuple] = [("rows", len(got), len(want))] if len(got) != len(want) else []
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        out += [(i, k, g.get(k), w.get(k)) for k in sorted(set(g) | set(w)) if g.get(k) != w.get(k)]
    return out


def test_the_egg_is_deployed_and_lists_one_spider_per_family(node):
    assert node.deployed["status"] == "ok", node.deployed
    assert node.deployed["spiders"] == len(FAMILIES)
    spiders = node.get("listspiders.json", project="vigie")["spiders"]
    assert sorted(spiders) == sorted(FAMILIES)
    # the node's Python sees Vigie's dependencies but not Vigie: the jobs run the egg's code
    probe = subprocess.run(
        [str(node.python), "-c", "import scrapy, pydantic; import monitor"],
        cwd=node.work,
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 1 and "No module named 'monitor'" in probe.stderr, probe.stderr


def test_a_job_archives_exactly_what_vigie_crawl_archives(node, tmp_path, site_server):
    srv = site_server("wp_like")
    sources = {"avec": {"spider": "site", "url": srv.base_url}}
    (tmp_path / "node").mkdir()
    (tmp_path / "local").mkdir()
    on_node, local = (
        write_config(tmp_path / "node", sources),
        write_config(tmp_path / "local", sources),
    )

    job = node.schedule("site", "avec", on_node)
    entry = node.wait_finished([job])[job]
    log = node.log(entry)
    assert "run 1 created for this job" in log and "avec: run 1 ok" in log, log[-3000:]
    res = vigie("crawl", "--no-send", config=local)
    assert res.returncode == 0, res.stderr[-3000:]

    a, b = on_node.parent / "vigie.db", local.parent / "vigie.db"
    items = "select * from items order by id"
    got, want = stable(rows(a, items)), stable(rows(b, items))
    assert [r["url"] for r in got] == [r["url"] for r in want] and len(got) >= 4
    assert differences(got, want) == []
    run_cols = (
        "outcome, reason, pages_fetched, not_modified, items_seen, items_new, "
        "items_changed, items_unchanged, items_skipped, errors, gaps, source"
    )
    run_a = rows(a, f"select {run_cols}, ended is not null as ended from runs")
    run_b = rows(b, f"select {run_cols}, ended is not null as ended from runs")
    assert run_a == run_b and run_a[0]["outcome"] == "ok" and run_a[0]["ended"] == 1
    alerts = "select * from alerts order by item_id"
    got_alerts, want_alerts = stable(rows(a, alerts)), stable(rows(b, alerts))
    assert differences(got_alerts, want_alerts) == []
    assert {r["event"] for r in got_alerts} == {"new_match"} and len(got_alerts) == 2
    assert all(r["status"] == "pending" for r in got_alerts)  # delivery is the sender's job

    # the run appears in `vigie status` like any other, and `vigie alerts send` delivers
    status = vigie("status", "--json", config=on_node)
    assert status.returncode == 0, status.stderr
    assert '"ok"' in status.stdout and "avec" in status.stdout
    sent = vigie("alerts", "send", config=on_node)
    assert sent.returncode == 0, sent.stderr
    assert len(list((on_node.parent / "outbox").glob("*.eml"))) == 2


def test_a_job_on_an_unreachable_site_fails_and_raises_the_health_alert(node, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    cfg = write_config(
        tmp_path, {"gone": {"spider": "site", "url": dead}}, alerts={"failures_before_alert": 1}
    )
    job = node.schedule("site", "gone", cfg)
    node.wait_finished([job])
    db = tmp_path / "vigie.db"
    run = rows(db, "select * from runs")
    assert len(run) == 1 and run[0]["outcome"] == "failed", run
    assert run[0]["reason"].startswith("site unreachable: connection refused"), run[0]["reason"]
    health = rows(db, "select event, source, run_id from alerts")
    assert health == [{"event": "health_broken", "source": "gone", "run_id": run[0]["id"]}]


def test_a_job_with_a_bad_source_name_creates_no_run(node, tmp_path, site_server):
    srv = site_server("listing_only")
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    job = node.schedule("site", "nosuch", cfg)
    entry = node.wait_finished([job])[job]
    assert "argument source='nosuch' is not a source" in node.log(entry)
    assert (
        not (tmp_path / "vigie.db").exists()
        or rows(tmp_path / "vigie.db", "select * from runs") == []
    )


def test_three_jobs_writing_at_once_lose_nothing(node, tmp_path, site_server):
    sites = {"avec": "wp_like", "fncs": "drupal_like", "press": "listing_only"}
    servers = {name: site_server(key) for name, key in sites.items()}
    sources = {name: {"spider": "site", "url": s.base_url} for name, s in servers.items()}
    sources["fncs"]["listings"] = ["/actualites"]
    (tmp_path / "node").mkdir()
    (tmp_path / "local").mkdir()
    cfg = write_config(tmp_path / "node", sources)
    jobs = [node.schedule("site", name, cfg) for name in sources]  # all queued before any starts
    entries = node.wait_finished(jobs)

    db = tmp_path / "node" / "vigie.db"
    runs = rows(db, "select * from runs order by source")
    assert [r["source"] for r in runs] == sorted(sources)
    assert all(r["outcome"] == "ok" for r in runs), runs
    for entry in entries.values():
        log = node.log(entry)
        assert not LOCK_ERRORS.search(log), log[-3000:]
        assert " ERROR " not in log, log[-3000:]
    # nothing lost: every item a run received is stored, counted once, and alerted once
    stored = {
        r["source"]: r["n"]
        for r in rows(db, "select source, count(*) n from items group by source")
    }
    assert stored == {r["source"]: r["items_seen"] for r in runs}
    assert stored == {r["source"]: r["items_new"] for r in runs}
    assert all(n >= 4 for n in stored.values()), stored
    matched = rows(db, "select id from items where matched = 1 order by id")
    alerted = rows(
        db, "select item_id as id from alerts where event = 'new_match' order by item_id"
    )
    assert matched == alerted and len(matched) >= 4


def test_vigie_run_schedules_on_scrapyd_with_timeout_health_and_delivery(
    node, tmp_path, site_server
):
    """`vigie run` with [scrapyd] nodes: jobs scheduled, watched, one cancelled on timeout; the
    health rules and the daemon's sender work as with local children."""
    fast, slow = site_server("wp_like"), site_server("listing_only")
    for path in ("/robots.txt", "/"):
        slow.override(path, delay=30)
    cfg = write_config(
        tmp_path,
        {
            "avec": {"spider": "site", "url": fast.base_url},
            "slow": {"spider": "site", "url": slow.base_url, "timeout": 3},
        },
        scrapyd={"nodes": [node.url], "poll_every": 1},
        alerts={"failures_before_alert": 1},
        daemon={"heartbeat_every": 1, "send_every": 2, "stop_timeout": 3},
    )
    db = tmp_path / "vigie.db"
    env = {**os.environ, "VIGIE_SCHEDULE_SECONDS": "3600"}  # one catch-up run each, then none
    log = (tmp_path / "daemon.log").open("wb")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli.main", "--config", str(cfg), "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        done: list[dict[str, Any]] = []
        while time.monotonic() < deadline and daemon.poll() is None:
            done = rows_now(db, "select * from runs where outcome != 'running' order by source")
            sent = rows_now(db, "select * from alerts where status = 'sent'")
            if len(done) == 2 and len(sent) == 3:
                break
            time.sleep(0.5)
        output = (tmp_path / "daemon.log").read_text("utf-8", errors="replace")
        assert len(done) == 2, output[-3000:]
        avec, slow_run = done
        assert avec["source"] == "avec" and avec["outcome"] == "ok", avec
        assert avec["items_new"] >= 4
        assert slow_run["outcome"] == "failed", slow_run
        assert slow_run["reason"].startswith("timeout: still running after 3s"), slow_run
        # both went through the node (job ids name the source and the run)
        finished = node.get("listjobs.json", project="vigie")["finished"]
        ids = {j["id"].rsplit("-", 1)[0] for j in finished}
        assert {f"avec-{avec['id']}", f"slow-{slow_run['id']}"} <= ids, ids
        # the daemon's sender delivered the two matches and the health alert of the timeout
        alerts = rows(db, "select event, source, status from alerts order by event, source")
        assert alerts == [
            {"event": "health_broken", "source": "slow", "status": "sent"},
            {"event": "new_match", "source": "avec", "status": "sent"},
            {"event": "new_match", "source": "avec", "status": "sent"},
        ], output[-3000:]
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3
    finally:
        if daemon.poll() is None:
            daemon.terminate()
        code = daemon.wait(60)
        log.close()
    assert code == 0
