"""Run records (one per source per crawl) and the daemon heartbeat."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import sqlite_utils

from storage.db import write_tx

COUNTERS = (
    "pages_fetched",
    "not_modified",
    "bytes_received",
    "items_seen",
    "items_new",
    "items_changed",
    "items_unchanged",
    "items_skipped",
    "pages_not_article",
    "errors",
    "gaps",
)


def start_run(db: sqlite_utils.Database, source: str, now: str, pid: int | None = None) -> int:
    with write_tx(db):
        cur = db.conn.execute(
            "INSERT INTO runs (source, started, outcome, pid, "
            + ", ".join(COUNTERS)
            + ") VALUES (?, ?, 'running', ?, "
            + ", ".join("0" * len(COUNTERS))
            + ")",
            [source, now, pid or os.getpid()],
        )
        return int(cur.lastrowid or 0)


def update_counters(db: sqlite_utils.Database, run_id: int, counters: dict[str, int]) -> None:
    """Inside the caller's transaction: the run row moves with the items it counts."""
    known = {k: int(v) for k, v in counters.items() if k in COUNTERS}
    if known:
        sets = ", ".join(f"[{k}] = ?" for k in known)
        db.conn.execute(f"UPDATE runs SET {sets} WHERE id = ?", [*known.values(), run_id])


def finish_run(
    db: sqlite_utils.Database, run_id: int, outcome: str, reason: str | None, now: str
) -> dict[str, Any]:
    with write_tx(db):
        db.conn.execute(
            "UPDATE runs SET outcome = ?, reason = ?, ended = ? WHERE id = ? AND outcome = 'running'",
            [outcome, reason, now, run_id],
        )
    return get_run(db, run_id)


def conclude(
    db: sqlite_utils.Database,
    run_id: int,
    counters: dict[str, int],
    verdict: Callable[[dict[str, Any]], tuple[str, str | None]],
    now: str,
) -> dict[str, Any]:
    """The one step that ends a run: last counters written, the final row judged by
    ``verdict`` (outcome, reason), the outcome recorded, in one transaction. A run the parent
    already closed (timeout, shutdown) is left as it is."""
    with write_tx(db):
        update_counters(db, run_id, counters)
        row = get_run(db, run_id)
        if row["outcome"] == "running":
            outcome, reason = verdict(row)
            db.conn.execute(
                "UPDATE runs SET outcome = ?, reason = ?, ended = ? WHERE id = ?",
                [outcome, reason, now, run_id],
            )
    return get_run(db, run_id)


def overrule(
    db: sqlite_utils.Database, run_id: int, outcome: str, reason: str | None, now: str
) -> dict[str, Any]:
    """Replace a finished run's outcome (a parent's timeout wins over the child's verdict)."""
    with write_tx(db):
        db.conn.execute(
            "UPDATE runs SET outcome = ?, reason = ?, ended = coalesce(ended, ?) WHERE id = ?",
            [outcome, reason, now, run_id],
        )
    return get_run(db, run_id)


def get_run(db: sqlite_utils.Database, run_id: int) -> dict[str, Any]:
    return db.table("runs").get(run_id)


def last_runs(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """The latest run of each source."""
    rows = db.query("SELECT * FROM runs WHERE id IN (SELECT max(id) FROM runs GROUP BY source)")
    return {r["source"]: r for r in rows}


def last_success(db: sqlite_utils.Database, source: str) -> str | None:
    row = db.conn.execute(
        "SELECT max(started) FROM runs WHERE source = ? AND outcome = 'ok'", [source]
    ).fetchone()
    return row[0] if row else None


def running_runs(db: sqlite_utils.Database) -> list[tuple[int, int | None]]:
    """(run id, owner pid) of every run still marked 'running'."""
    return [
        (int(rid), pid)
        for rid, pid in db.conn.execute("SELECT id, pid FROM runs WHERE outcome = 'running'")
    ]


def last_attempt(db: sqlite_utils.Database, source: str) -> str | None:
    """When the source's latest run started, whatever its outcome."""
    row = db.conn.execute("SELECT max(started) FROM runs WHERE source = ?", [source]).fetchone()
    return row[0] if row else None


def daemon_row(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The daemon's heartbeat row (pid, started, heartbeat, state), None before a first start."""
    return next(db["daemon"].rows_where("id = 1"), None)


def close_orphans(db: sqlite_utils.Database, now: str, *, own_runs_too: bool = False) -> int:
    """The one place that closes orphan runs: runs left 'running' by a process that no longer
    exists (killed with -9, machine rebooted) become 'interrupted'.

    ``own_runs_too``: this process's own 'running' rows are orphans as well (a daemon starting
    with a recycled pid, or exiting at once on a second signal after killing its children).
    Returns how many runs were closed."""
    import psutil

    me = os.getpid()
    with write_tx(db):
        rows = db.conn.execute("SELECT id, pid FROM runs WHERE outcome = 'running'").fetchall()
        dead = [
            rid
            for rid, pid in rows
            if not pid or not psutil.pid_exists(pid) or (own_runs_too and pid == me)
        ]
        for rid in dead:
            db.conn.execute(
                "UPDATE runs SET outcome = 'interrupted', reason = 'process stopped before the end "
                "of the run', ended = ? WHERE id = ?",
                [now, rid],
            )
    return len(dead)


def heartbeat(
    db: sqlite_utils.Database, now: str, state: str = "running", started: str | None = None
) -> None:
    with write_tx(db):
        db.conn.execute(
            "INSERT INTO daemon (id, pid, started, heartbeat, state) VALUES (1, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, heartbeat = excluded.heartbeat, "
            "state = excluded.state, started = coalesce(?, daemon.started)",
            [os.getpid(), started or now, now, state, started],
        )
