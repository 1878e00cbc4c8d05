"""Links between items: what hangs on what, and who cites whom.

Two relations, one table (``links``: from_id, to_id, relation):

- ``attached``: an amendment to its text, a text to its dossier, an agenda point or a sitting
  section to the dossier it treats. Written from the official records' references, so the
  target may not be stored yet (a dossier absorbed by another, a text of another
  legislature); the row is kept anyway and starts to count the day the target arrives.
- ``cites``: a text names another document ("proposition de loi n° 2504", "question écrite
  n° 13024"); found by ``monitor.ingest.citations`` and resolved to an item id when one is known.

Why a table and not a JSON column: Datasette shows a table's rows on both items' pages, facets
on ``relation``, and the dossier timeline is one indexed query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils


def add_links(db: sqlite_utils.Database, rows: Iterable[tuple[str, str, str]]) -> int:
    """Insert (from_id, to_id, relation) rows, each once. Inside the caller's transaction.

    One ``executemany`` per batch: a dump's first ingest writes two links per amendment."""
    wanted = [(f, t, r) for f, t, r in rows if f and t and f != t]
    if not wanted:
        return 0
    return db.conn.executemany(
        "INSERT OR IGNORE INTO links (from_id, to_id, relation) VALUES (?, ?, ?)", wanted
    ).rowcount


def follow_attached(db: sqlite_utils.Database, roots: Iterable[str]) -> int:
    """Mark followed every stored item attached, directly or through a text, to ``roots``.

    Why here and not only at ingest: an amendment may be stored before its text starts to
    match (the dump order is not ours); following the text must then reach it. Two levels
    cover the real shapes: dossier ← text ← amendment, dossier ← agenda point/sitting section.
    Returns how many items became followed (no version, no alert: bookkeeping)."""
    roots = [r for r in roots if r]
    if not roots:
        return 0
    tree = [
        r[0]
        for r in db.conn.execute(
            "WITH RECURSIVE tree(id, depth) AS ("
            " SELECT value, 0 FROM json_each(?)"
            " UNION SELECT l.from_id, t.depth + 1 FROM links l JOIN tree t ON l.to_id = t.id"
            " WHERE l.relation = 'attached' AND t.depth < 2)"
            " SELECT DISTINCT id FROM tree",
            [_json(roots)],
        )
    ]
    return db.conn.execute(
        "UPDATE items SET followed = 1 WHERE followed IS NOT 1 "
        "AND id IN (SELECT value FROM json_each(?))",
        [_json(tree)],
    ).rowcount


def _json(values: list[str]) -> str:
    return json.dumps(values)
