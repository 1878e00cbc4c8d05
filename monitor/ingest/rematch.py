"""Re-apply the [watch] terms to every stored item (after the terms changed).

Why no alert: rematching the archive is a change of *our* question, not news from a source;
the items are flagged (``matched``, ``matched_terms``, ``snippet``) so Datasette shows them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from monitor.config import Config
from monitor.ingest.match import MATCHED_FIELDS, Matcher
from monitor.ingest.normalize import is_followed
from storage import items as store_items

if TYPE_CHECKING:
    import sqlite_utils


def rematch_all(db: sqlite_utils.Database, cfg: Config, batch: int = 1000) -> tuple[int, int]:
    matcher = Matcher(cfg.watch.terms, cfg.watch.exclude)
    total = changed = 0
    rows = store_items.match_rows(db, MATCHED_FIELDS)
    for i in range(0, len(rows), batch):
        updates = []
        for row in rows[i : i + batch]:
            total += 1
            r = matcher.match({f: row[f] for f in MATCHED_FIELDS})
            new_terms = json.dumps(r.terms, ensure_ascii=False)
            if int(r.matched) != (row["matched"] or 0) or new_terms != row["matched_terms"]:
                changed += 1
            followed = is_followed(row["kind"], matched=r.matched, already=bool(row["followed"]))
            updates.append(
                (
                    row["id"],
                    r.matched,
                    new_terms,
                    json.dumps(r.fields, ensure_ascii=False),
                    r.snippet,
                    followed,
                )
            )
        store_items.set_match(db, updates)
    return total, changed
