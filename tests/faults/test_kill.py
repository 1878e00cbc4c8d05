"""kill -9 at random points of a crawl: the database stays sound, nothing reported stored is
lost, no alert is doubled, the orphan run is closed, and the next crawl completes.

Two ways to die, alternated: the crawl child alone (its parent records the failure), or the
child and the ``vigie crawl`` parent together (nobody is left to record it: the next crawl
closes the orphan run). Kills land at a random delay after the first article request, on a
site slowed down so that the crawl spans several pipeline batches (one every 2 s).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.conftest import ROOT, db_of
from tests.faults.conftest import SOURCE, article_path, crawl, integrity, output, press_config, runs

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(170)]

N = 16
MATCHING = tuple(range(1, N + 1, 2))  # every other article matches: alerts to double, if any
KILLS = 4
SEED = 20260301


def crawl_child(parent: subprocess.Popen, timeout: float = 30) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in psutil.Process(parent.pid).children(recursive=True):
            try:
                if "monitor.runs.child" in " ".join(child.cmdline()):
                    return child
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.05)
    raise AssertionError("the crawl child never started")


def wait_first_article(srv, timeout: float = 30) -> None:
    """Until this crawl got its first article: after its home page, so that late answers to the
    previous, killed crawl (the server still sleeps on them) do not count."""
    deadline = time.monotonic() + timeout
    while True:
        paths = [path for _, path, _, _ in list(srv.requests)]
        if "/" in paths and any(p.startswith("/articles/") for p in paths[paths.index("/") :]):
            return
        assert time.monotonic() < deadline, "no article requested"
        time.sleep(0.02)


def check_consistent(cfg) -> None:
    db = db_of(cfg)
    assert integrity(cfg.parent / "vigie.db") == "ok"
    stored = db.execute("select count(*) from items").fetchone()[0]
    counted = db.execute("select coalesce(sum(items_new), 0) from runs").fetchone()[0]
    assert stored == counted, f"{stored} items stored, {counted} reported stored by the run rows"
    matched = {r[0] for r in db.execute("select id from items where matched = 1").fetchall()}
    new_alerts = [
        r[0] for r in db.execute("select item_id from alerts where event = 'new_match'").fetchall()
    ]
    assert sorted(new_alerts) == sorted(matched), (
        "one new_match alert per matched item, no more, no less"
    )
    doubled = db.execute(
        "select alert_id, recipient, count(*) from deliveries"
        " group by alert_id, recipient having count(*) > 1"
    ).fetchall()
    assert doubled == []


def test_kill_9_at_random_points_of_a_crawl(tmp_path, press_site):
    rng = random.Random(SEED)
    srv = press_site(N, matching=MATCHING)
    for n in range(1, N + 1):
        # staggered answers over ~4 s whatever the client's concurrency: items reach the
        # pipeline one by one, across several of its 2-second batches
        srv.override(article_path(n), delay=0.25 * n)  # at most 4 s: under download_timeout (5 s)
    # revalidate_known: every run fetches all articles again, so each run is as long as the first
    cfg = press_config(tmp_path, srv, {"revalidate_known": True})
    cmd = [sys.executable, "-m", "monitor.cli.main", "--config", str(cfg), "crawl", SOURCE]
    killed: list[
        tuple[str, float, int]
    ] = []  # (who, seconds after the first article, items stored)
    orphans: list[int] = []
    for i in range(KILLS):
        srv.reset_counts()
        parent = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        child = crawl_child(parent)
        wait_first_article(srv)
        delay = rng.uniform(
            0.3, 1.5
        )  # a re-crawl may fetch only the home page's articles: over in ~2 s
        time.sleep(delay)
        mode = "child" if i % 2 == 0 else "both"
        assert child.is_running() and parent.poll() is None, (
            f"crawl over before kill {i} ({delay:.2f} s): {killed}"
        )
        child.send_signal(signal.SIGKILL)
        if mode == "both":
            parent.send_signal(signal.SIGKILL)
        out, err = parent.communicate(timeout=60)
        killed.append(
            (mode, round(delay, 2), db_of(cfg).execute("select count(*) from items").fetchone()[0])
        )
        check_consistent(cfg)
        last = runs(cfg)[-1]
        if last["outcome"] == "ok":  # killed while exiting, after it recorded its run: fine too
            continue
        if mode == "child":
            assert parent.returncode == 1, (killed, err.decode()[-2000:])
            assert (last["outcome"], last["reason"]) == (
                "failed",
                "crawler process exited with code -9",
            ), killed
        else:
            assert last["outcome"] == "running", killed  # nobody left to record it ...
            orphans.append(last["id"])

    # the kills landed mid-crawl: some after the first batch was committed, before the last one,
    # and at least one orphan was left for the next crawl to close
    assert any(0 < stored < N for *_, stored in killed) and orphans, killed
    print(
        "kills:",
        killed,
        [(r["items_new"], r["items_unchanged"], r["items_seen"]) for r in runs(cfg)],
    )
    srv.clear_overrides()
    res = crawl(cfg)  # ... until the next crawl, which also completes the archive
    assert res.returncode == 0, (killed, output(res)[-3000:])
    check_consistent(cfg)
    all_runs = runs(cfg)
    assert all_runs[-1]["outcome"] == "ok"
    assert {r["outcome"] for r in all_runs[:-1]} <= {"failed", "interrupted", "ok"}, killed
    if orphans:
        assert "run(s) left running by a stopped process marked interrupted" in res.stderr
        assert {r["outcome"] for r in all_runs if r["id"] in orphans} == {"interrupted"}
    assert db_of(cfg).execute("select count(*) from items").fetchone()[0] == N
    assert db_of(cfg).execute("select count(*) from alerts where event = 'new_match'").fetchone()[
        0
    ] == len(MATCHING)
