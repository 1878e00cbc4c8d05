"""Re-apply the [watch] terms to every stored item (after the terms changed).

Why no alert: rematching the archive is a change of *our* question, not news from a source;
the items are flagged (``matched``, ``matched_terms``, ``snippet``) so Datasette shows them.
"""

from __future__ import annotations

import json

import sqlite_utils

from monitor.config import Config
from monitor.ingest.match import MATCHED_FIELDS, Matcher
from storage.db import write_tx


def rematch_all(db: sqlite_utils.Database, cfg: Config, batch: int = 1000) -> tuple[int, int]:
    matcher = Matcher(cfg.watch.terms, cfg.watch.exclude)
    total = changed = 0
    cols = ", ".join(MATCHED_FIELDS)
    rows = db.conn.execute(f"SELECT id, {cols}, matched, matched_terms FROM items").fetchall()
    for i in range(0, len(rows), batch):
        with write_tx(db):
            for id_, *texts, matched, terms in rows[i : i + batch]:
                total += 1
                r = matcher.match(dict(zip(MATCHED_FIELDS, texts, strict=True)))
                new_terms = json.dumps(r.terms, ensure_ascii=False)
                if int(r.matched) != (matched or 0) or new_terms != terms:
                    changed += 1
                db.conn.execute(
                    "UPDATE items SET matched = ?, matched_terms = ?, match_fields = ?, snippet = ?, "
                    "followed = CASE WHEN kind = 'question' AND ? THEN 1 ELSE followed END WHERE id = ?",
                    [
                        int(r.matched),
                        new_terms,
                        json.dumps(r.fields, ensure_ascii=False),
                        r.snippet,
                        int(r.matched),
                        id_,
                    ],
                )
    return total, changed
