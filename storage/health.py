"""Per-source health state (``source_health``): read and write one row, nothing decided here.

``state`` is ``ok``, ``broken`` (N failed runs in a row) or ``stale`` (runs succeed but nothing
new for longer than the source's ``stale_after``). The rules live in ``monitor/runs/health.py``.
"""

from __future__ import annotations

import sqlite_utils

COLUMNS = (
    "source",
    "state",
    "consecutive_failures",
    "last_success",
    "last_failure",
    "last_reason",
    "last_new_item",
    "last_items_seen",
    "broken_since",
    "last_alert",
)


def get_state(db: sqlite_utils.Database, source: str) -> dict | None:
    cur = db.conn.execute("SELECT * FROM source_health WHERE source = ?", [source])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def save_state(db: sqlite_utils.Database, state: dict) -> None:
    """Insert or replace the row of ``state['source']`` (inside the caller's transaction)."""
    row = {c: state.get(c) for c in COLUMNS}
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" * len(COLUMNS))
    db.conn.execute(
        f"INSERT OR REPLACE INTO source_health ({names}) VALUES ({marks})", list(row.values())
    )


def all_states(db: sqlite_utils.Database) -> list[dict]:
    cur = db.conn.execute("SELECT * FROM source_health ORDER BY source")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def newest_item(db: sqlite_utils.Database, source: str) -> str | None:
    """When the newest item of ``source`` was first seen (ISO text as stored), or None."""
    row = db.conn.execute("SELECT max(first_seen) FROM items WHERE source = ?", [source]).fetchone()
    return row[0] if row else None
