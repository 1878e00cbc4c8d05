"""Per-source progress that is not an item: e.g. the last daily publication list fully read.

Why a key/value table: each family has one or two such markers; a column per marker in
``runs`` or ``source_health`` would grow with every family.
"""

from __future__ import annotations

import sqlite_utils


def get_state(db: sqlite_utils.Database, source: str, key: str) -> str | None:
    row = db.conn.execute(
        "SELECT value FROM source_state WHERE source = ? AND key = ?", [source, key]
    ).fetchone()
    return row[0] if row else None


def set_state(db: sqlite_utils.Database, source: str, key: str, value: str, now: str) -> None:
    """Inside the caller's transaction, so the marker moves with the items it covers."""
    db.conn.execute(
        "INSERT INTO source_state (source, key, value, updated) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
        [source, key, value, now],
    )
