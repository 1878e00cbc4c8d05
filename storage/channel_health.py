"""Each chat channel's delivery health: consecutive failed passes, down since, last alert.

Why a table: a channel that refuses every message for days must be noticed by someone, through
another way out (like a broken source is), and ``vigie alerts list`` shows each channel's state.
One statement per update (``INSERT … ON CONFLICT … RETURNING``), so concurrent senders never
lose a count.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils


def _rows(cur: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def record_failure(
    db: sqlite_utils.Database, channel: str, error: str, now: str, threshold: int
) -> bool:
    """Count one failed pass; True exactly once per outage: when it reaches ``threshold``."""
    cur = db.conn.execute(
        "INSERT INTO channel_health (channel, state, consecutive_failures, last_error,"
        " last_failure) VALUES (?, 'ok', 1, ?, ?) ON CONFLICT (channel) DO UPDATE SET"
        " consecutive_failures = consecutive_failures + 1, last_error = excluded.last_error,"
        " last_failure = excluded.last_failure RETURNING consecutive_failures, state",
        [channel, error, now],
    )
    failures, state = cur.fetchone()
    if failures >= threshold and state != "down":
        db.conn.execute(
            "UPDATE channel_health SET state = 'down', down_since = ?, last_alert = ?"
            " WHERE channel = ?",
            [now, now, channel],
        )
        return True
    return False


def record_success(db: sqlite_utils.Database, channel: str, now: str) -> bool:
    """A message went through; True when the channel was down (it has recovered)."""
    cur = db.conn.execute("SELECT state FROM channel_health WHERE channel = ?", [channel])
    row = cur.fetchone()
    db.conn.execute(
        "INSERT INTO channel_health (channel, state, consecutive_failures, last_success)"
        " VALUES (?, 'ok', 0, ?) ON CONFLICT (channel) DO UPDATE SET state = 'ok',"
        " consecutive_failures = 0, last_success = excluded.last_success, down_since = NULL",
        [channel, now],
    )
    return bool(row and row[0] == "down")


def states(db: sqlite_utils.Database) -> dict[str, dict]:
    """channel → its health row."""
    return {r["channel"]: r for r in _rows(db.conn.execute("SELECT * FROM channel_health"))}
