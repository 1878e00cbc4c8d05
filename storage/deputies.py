"""The deputies table: the last AMO10 dump read, so the next night can ask it conditionally.

Why stored: question records carry only the author's ``PA…`` id. Without a copy of the last
deputies dump, a 304 on AMO10 would leave new questions without names, so the dump used to be
downloaded in full on every night a question dump changed. With this table the dump is asked
with its ETag and a 304 means "the names stored here are current".

The legislative source (``an_legis``) also keeps the bodies of the same dump here (political
groups, commissions: ``uid`` ``PO…``, ``name`` = their label, other columns empty): amendments
name their author's group and agenda points their commission by ``PO…`` ref (issue 15).
"""

from __future__ import annotations

import sqlite_utils

COLUMNS = ("uid", "name", "circonscription", "group_name")


def load_deputies(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, str | None]]:
    """``{PA id: {name, circonscription, group_name}}`` stored for ``source``."""
    return {
        uid: {"name": name, "circonscription": circo, "group_name": group}
        for uid, name, circo, group in db.conn.execute(
            "SELECT uid, name, circonscription, group_name FROM deputies WHERE source = ?",
            [source],
        )
    }


def replace_deputies(
    db: sqlite_utils.Database, source: str, rows: list[dict[str, str | None]], now: str
) -> None:
    """The whole table of ``source`` replaced by ``rows`` (inside the caller's transaction):
    a deputy who left is not in the new dump and must not keep naming new questions."""
    db.conn.execute("DELETE FROM deputies WHERE source = ?", [source])
    db.conn.executemany(
        "INSERT INTO deputies (source, uid, name, circonscription, group_name, updated) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (source, r["uid"], r["name"], r.get("circonscription"), r.get("group_name"), now)
            for r in rows
        ],
    )
