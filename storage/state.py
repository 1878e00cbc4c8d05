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


def mark_read(db: sqlite_utils.Database, source: str, names: list[str], now: str) -> None:
    """Archives (or any named unit) read whole: one ``read:<name>`` row each."""
    for name in names:
        set_state(db, source, f"read:{name}", "read", now)


def read_names(db: sqlite_utils.Database, source: str) -> list[str]:
    """The names :func:`mark_read` recorded, oldest name first."""
    return [
        r[0][5:]
        for r in db.conn.execute(
            "SELECT key FROM source_state WHERE source = ? AND key LIKE 'read:%' ORDER BY key",
            [source],
        )
    ]
