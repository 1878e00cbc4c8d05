"""Re-apply each profile's terms to every stored item (after the terms changed).

Why no alert: rematching the archive is a change of *our* question, not news from a source;
the items are flagged (``matched``, ``matched_terms``, ``snippet``: the union over profiles) so
Datasette shows them, and ``item_profiles`` says which profile matches which item. Nothing is
enqueued, nothing is sent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from monitor.config import Config
from monitor.ingest.match import MATCHED_FIELDS, MatchResult
from monitor.ingest.normalize import is_followed
from monitor.ingest.profiles import profiles_of, union
from storage import item_profiles
from storage import items as store_items
from storage.db import write_tx

if TYPE_CHECKING:
    import sqlite_utils


def rematch_all(db: sqlite_utils.Database, cfg: Config, batch: int = 1000) -> tuple[int, int]:
    """Rematch every item for every profile; return (items, items whose union match changed).
    Per-profile counts afterwards: :func:`storage.item_profiles.counts`."""
    profiles = profiles_of(cfg)
    total = changed = 0
    known = item_profiles.all_known(db)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for rows in store_items.match_batches(db, MATCHED_FIELDS, batch):
        updates = []
        per_item: list[tuple[str, dict[str, list[str]]]] = []
        for row in rows:
            total += 1
            fields = {f: row[f] for f in MATCHED_FIELDS}
            results: dict[str, MatchResult] = {
                p.name: p.matcher.match(fields)
                for p in profiles
                if p.covers(row["source"], row["kind"])
            }
            r = union(list(results.values()))
            per_item.append((row["id"], {n: x.terms for n, x in results.items() if x.matched}))
            new_terms = json.dumps(r.terms, ensure_ascii=False)
            if int(r.matched) != (row["matched"] or 0) or new_terms != row["matched_terms"]:
                changed += 1
            followed = is_followed(row["kind"], matched=r.matched, already=bool(row["followed"]))
            new_fields = json.dumps(r.fields, ensure_ascii=False)
            was_followed = row["followed"] or 0
            if (int(r.matched), new_terms, new_fields, r.snippet) == (
                row["matched"] or 0,
                row["matched_terms"],
                row["match_fields"],
                row["snippet"],
            ) and max(was_followed, int(followed)) == was_followed:
                continue  # unchanged: no write, no re-index (issue 15)
            updates.append(
                (
                    row["id"],
                    r.matched,
                    new_terms,
                    new_fields,
                    r.snippet,
                    followed,
                )
            )
        store_items.set_match(db, updates)
        with write_tx(db):
            for item_id, hits in per_item:
                if hits or any(known.get(item_id, {}).values()):
                    item_profiles.sync(db, item_id, hits, now, known=known.get(item_id, {}))
    return total, changed
