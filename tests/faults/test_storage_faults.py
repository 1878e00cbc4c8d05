"""The database under pressure: locked by another writer, read all along, and a full disk.

Disk full is simulated with ``RLIMIT_FSIZE`` on ``vigie crawl`` (inherited by the crawl child,
with SIGXFSZ ignored so writes fail with EFBIG instead of killing the process): the database
file and its WAL cannot grow past the limit, which is what a full disk does to SQLite.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from storage.db import open_db
from tests.conftest import ROOT, db_of
from tests.faults.conftest import (
    SOURCE,
    alerts,
    crawl,
    integrity,
    items,
    output,
    press_config,
    runs,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

HOLD = 4.0
# Applies the limit, ignores SIGXFSZ, then becomes `python -m monitor.cli.main ...` (no preexec_fn:
# forking a process that runs server threads is safer through exec).
LIMITED = (
    "import os, resource, signal, sys; limit = int(sys.argv[1]); "
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])"
)


def migrated(cfg) -> None:
    """Create the database (tables, WAL) as a first crawl would, and checkpoint it."""
    db = open_db(cfg.parent / "vigie.db")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def test_crawl_waits_for_a_writer_and_is_never_blocked_by_a_reader(tmp_path, press_site):
    srv = press_site()
    cfg = press_config(tmp_path, srv)
    migrated(cfg)
    path = tmp_path / "vigie.db"
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM items").fetchone() == (0,)  # snapshot taken
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # another process's write transaction, held for seconds
    writer.execute(
        "INSERT INTO daemon (id, pid, started, heartbeat, state) VALUES (1, 1, 'x', 'x', 'x')"
    )
    started = time.monotonic()
    release = threading.Timer(HOLD, writer.execute, ["COMMIT"])
    release.start()
    try:
        res = crawl(cfg)
    finally:
        release.join()
    assert res.returncode == 0, output(res)[-3000:]
    assert time.monotonic() - started >= HOLD  # it had to wait for the lock
    assert "locked" not in output(res)
    (run,) = runs(cfg)
    assert run["outcome"] == "ok" and run["items_new"] == 4
    # the reader's transaction stayed open through the whole crawl and still sees its snapshot
    assert reader.execute("SELECT count(*) FROM items").fetchone() == (0,)
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM items").fetchone() == (4,)
    reader.close()
    writer.close()


def test_disk_full_fails_clearly_and_leaves_the_database_sound(tmp_path, press_site):
    srv = press_site()
    cfg = press_config(tmp_path, srv)
    migrated(cfg)
    path = tmp_path / "vigie.db"
    limit = 40_000  # room for the run row, not for a batch of articles with their FTS rows
    assert path.stat().st_size > limit  # the database cannot grow: the WAL is all there is
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            LIMITED,
            str(limit),
            "-m",
            "monitor.cli.main",
            "--config",
            str(cfg),
            "crawl",
            SOURCE,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
    )
    assert res.returncode == 1, output(res)[-3000:]
    assert (
        f"{SOURCE}: cannot write to the database {path}: disk I/O error; stopping the crawl"
        in res.stderr
    )
    assert "Error: 1 of 1 sources failed: press" in res.stderr
    assert integrity(path) == "ok"
    (run,) = runs(cfg)
    assert run["outcome"] == "failed" and run["reason"] == "database write failed: disk I/O error"
    # the failed batch rolled back whole: nothing half-written, nothing counted that is not there
    assert items(cfg) == {} and run["items_new"] == 0 and alerts(cfg) == []

    res = crawl(cfg)  # space again: the next crawl stores everything
    assert res.returncode == 0, output(res)[-3000:]
    assert len(items(cfg)) == 4 and integrity(path) == "ok"
    assert [r["outcome"] for r in runs(cfg)] == ["failed", "ok"]
    assert (
        sum(r["items_new"] for r in runs(cfg))
        == db_of(cfg).execute("select count(*) from items").fetchone()[0]
    )
