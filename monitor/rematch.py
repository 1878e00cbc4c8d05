"""Re-apply the [watch] terms to every stored item (after the terms changed).

Why no alert: rematching the archive is a change of *our* question, not news from a source;
the items are flagged (``matched``, ``matched_terms``, ``snippet``) so Datasette shows them.
"""

from __future__ import annotations

import json

import sqlite_utils

from monitor.config import Config
from monitor.match import Matcher
from storage.db import write_tx


def rematch_all(db: sqlite_utils.Database, cfg: Config, batch: int = 1000) -> tuple[int, int]:
    matcher = Matcher(cfg.watch.terms, cfg.watch.exclude)
    total = changed = 0
    rows = db.conn.execute("SELECT id, title, body, answer_text, matched, matched_terms FROM items").fetchall()
    for i in range(0, len(rows), batch):
        with write_tx(db):
            for id_, title, body, answer, matched, terms in rows[i : i + batch]:
                total += 1
                r = matcher.match({"title": title, "body": body, "answer_text": answer})
                new_terms = json.dumps(r.terms, ensure_ascii=False)
                if int(r.matched) != (matched or 0) or new_terms != terms:
                    changed += 1
                db.conn.execute(
                    "UPDATE items SET matched = ?, matched_terms = ?, match_fields = ?, snippet = ?, "
                    "followed = CASE WHEN kind = 'question' AND ? THEN 1 ELSE followed END WHERE id = ?",
                    [int(r.matched), new_terms, json.dumps(r.fields, ensure_ascii=False), r.snippet,
                     int(r.matched), id_],
                )
    return total, changed
