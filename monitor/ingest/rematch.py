"""Re-apply the [watch] terms to every stored item (after the terms changed).

Why no alert: rematching the archive is a change of *our* question, not news from a source;
the items are flagged (``matched``, ``matched_terms``, ``snippet``) so Datasette shows them.

Why batches by rowid and writes only for changed rows (issue 15, a million items): reading the
whole archive at once held every text in memory (gigabytes), and rewriting every row re-indexed
its text in the full-text index. Now the rows are read ``batch`` at a time in rowid order (each
batch one short write transaction, so a crawl can write between two batches), and a row is
updated only when its match result differs from the stored one.
"""

from __future__ import annotations

import json

import sqlite_utils

from monitor.config import Config
from monitor.ingest.match import MATCHED_FIELDS, Matcher
from storage.db import write_tx

_UPDATE = (
    "UPDATE items SET matched = ?, matched_terms = ?, match_fields = ?, snippet = ?, "
    "followed = CASE WHEN kind = 'question' AND ? THEN 1 ELSE followed END WHERE rowid = ?"
)


def rematch_all(db: sqlite_utils.Database, cfg: Config, batch: int = 2000) -> tuple[int, int]:
    """Match every item again; return (items read, items whose matched/terms changed)."""
    matcher = Matcher(cfg.watch.terms, cfg.watch.exclude)
    total = changed = 0
    cols = ", ".join(MATCHED_FIELDS)
    select = (
        f"SELECT rowid, {cols}, matched, matched_terms, match_fields, snippet, "
        "kind = 'question' AND NOT coalesce(followed, 0) FROM items "
        "WHERE rowid > ? ORDER BY rowid LIMIT ?"
    )
    last = -(2**63)
    while True:
        with write_tx(db):
            rows = db.conn.execute(select, [last, batch]).fetchall()
            updates = []
            for rowid, *texts, matched, terms, fields, snippet, unfollowed_q in rows:
                r = matcher.match(dict(zip(MATCHED_FIELDS, texts, strict=True)))
                new_terms = json.dumps(r.terms, ensure_ascii=False)
                new_fields = json.dumps(r.fields, ensure_ascii=False)
                if int(r.matched) != (matched or 0) or new_terms != terms:
                    changed += 1
                if (
                    int(r.matched) != matched
                    or new_terms != terms
                    or new_fields != fields
                    or r.snippet != snippet
                    or (r.matched and unfollowed_q)
                ):
                    updates.append(
                        (int(r.matched), new_terms, new_fields, r.snippet, int(r.matched), rowid)
                    )
            db.conn.executemany(_UPDATE, updates)
        total += len(rows)
        if len(rows) < batch:
            return total, changed
        last = rows[-1][0]
