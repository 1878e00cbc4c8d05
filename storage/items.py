"""Store one item: insert, update (with an ``item_versions`` row) or no-op, decided by hash.

Why a content hash: comparing the hash of the normalized content fields (computed by the
caller) makes "a reformatted date or whitespace is not a change" a property of normalization,
and keeps the unchanged path — by far the most common — to one primary-key lookup and one
small UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, Literal

import sqlite_utils

from storage.db import write_tx

Outcome = Literal["new", "changed", "unchanged"]

#: bookkeeping columns refreshed on every sighting without making a version
_SOFT = (
    "matched",
    "matched_terms",
    "match_fields",
    "snippet",
    "followed",
    "discovery_hints",
    "fingerprint",
    "published_raw",
    "source_ts",
    "date_source",
)


def upsert_item(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    *,
    content_fields: tuple[str, ...],
    now: str,
    run_id: int | None,
    classify: Callable[[dict[str, Any], dict[str, Any], list[str]], str] | None = None,
    sticky: tuple[str, ...] = ("followed",),
    held: dict[str, dict[str, Any] | None] | None = None,
    pending: dict[str, dict[str, Any]] | None = None,
) -> tuple[Outcome, dict[str, Any] | None, list[str]]:
    """Write ``row`` (which carries ``content_hash``); return outcome, previous row, changed fields.

    ``classify(previous, row, changed)`` names the change for ``item_versions.event``;
    ``sticky`` flags, once set, stay set (a followed question is followed until closed).
    ``held``: the stored rows of a whole batch read beforehand (:func:`held_items`); the entry
    of ``row`` is used once, then dropped (a second copy of the same id in the batch reads the
    row just written). ``pending``: a new row is not written at once but kept there, for
    :func:`write_new` to insert with the batch's other new rows (a second copy of a pending id
    writes them first). Must run inside the caller's write transaction.
    """
    conn = db.conn
    if pending and row["id"] in pending:
        write_new(db, pending)
    if held is not None and row["id"] in held:
        previous = held.pop(row["id"])
    else:
        previous = _stored(db, row["id"])
    if previous is None:
        new = dict(row, first_seen=now, last_seen=now)
        if pending is not None:
            pending[row["id"]] = new
        else:
            conn.execute(_insert_sql(tuple(new)), list(new.values()))
        return "new", None, []
    for flag in sticky:
        if previous.get(flag):
            row[flag] = previous[flag]
    older = bool(row.get("source_ts") and (previous.get("source_ts") or "") > row["source_ts"])
    if older:
        # an older copy (last night's dump) of a document already held in a newer version
        # (read from the daily publication list): seen, never allowed to undo the newer one
        conn.execute("UPDATE items SET last_seen = ? WHERE id = ?", [now, row["id"]])
        return "unchanged", previous, []
    if previous["content_hash"] == row["content_hash"]:
        soft = {c: row[c] for c in _SOFT if c in row and row[c] != previous.get(c)}
        soft["last_seen"] = now
        sets = ", ".join(f"[{c}] = ?" for c in soft)
        conn.execute(f"UPDATE items SET {sets} WHERE id = ?", [*soft.values(), row["id"]])
        return "unchanged", previous, []
    changed = [f for f in content_fields if f in row and row[f] != previous.get(f)]
    conn.execute(
        "INSERT INTO item_versions (item_id, run_id, changed_at, event, changed_fields, previous) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            row["id"],
            run_id,
            now,
            classify(previous, row, changed) if classify else "changed",
            json.dumps(changed, ensure_ascii=False),
            json.dumps({f: previous.get(f) for f in changed}, ensure_ascii=False),
        ],
    )
    update = {c: v for c, v in row.items() if c not in ("id", "first_seen")}
    update["last_seen"] = now
    sets = ", ".join(f"[{c}] = ?" for c in update)
    conn.execute(f"UPDATE items SET {sets} WHERE id = ?", [*update.values(), row["id"]])
    return "changed", previous, changed


def write_new(db: sqlite_utils.Database, pending: dict[str, dict[str, Any]]) -> int:
    """Insert the batch's new rows kept by :func:`upsert_item`, many rows per statement, and
    empty ``pending``; returns how many were written.

    Why: SQLite pays a fixed cost per statement on this table (its indexes and the full-text
    trigger), and one INSERT per row made a first ingest spend most of its time there; the same
    rows in statements of up to ``INSERT_ROWS`` rows take about a sixth of the time (measured on
    20,000 questions: 9.0 s one per row, 1.5 s a hundred per statement, 3.7 s through
    sqlite-utils' ``insert_all``). Rows keep their order (rowids, and so full-text order, as
    before)."""
    if not pending:
        return 0
    rows = list(pending.values())
    pending.clear()
    start = 0
    while start < len(rows):
        columns = tuple(rows[start])
        end = start + 1
        limit = max(1, min(INSERT_ROWS, MAX_VARIABLES // len(columns)))
        while end < len(rows) and end - start < limit and tuple(rows[end]) == columns:
            end += 1
        part = rows[start:end]
        db.conn.execute(_insert_sql(columns, len(part)), [v for r in part for v in r.values()])
        start = end
    return len(rows)


INSERT_ROWS = 100  # rows per INSERT statement: past ~100 the gain is flat (write_new)
MAX_VARIABLES = 32766  # SQLite's bound on ? parameters per statement since 3.32


@lru_cache(maxsize=256)
def _insert_sql(columns: tuple[str, ...], rows: int = 1) -> str:
    """The INSERT of ``rows`` rows with these columns (the same few shapes over a whole dump)."""
    cols = ", ".join(f"[{c}]" for c in columns)
    one = f"({', '.join('?' * len(columns))})"
    return f"INSERT INTO items ({cols}) VALUES {', '.join([one] * rows)}"


def _stored(db: sqlite_utils.Database, item_id: str) -> dict[str, Any] | None:
    cur = db.conn.execute("SELECT * FROM items WHERE id = ?", [item_id])
    found = cur.fetchone()
    return None if found is None else dict(zip([d[0] for d in cur.description], found, strict=True))


def held_items(
    db: sqlite_utils.Database, ids: list[str], chunk: int = 500
) -> dict[str, dict[str, Any] | None]:
    """id → stored row (None when not stored) for every id of a batch, in one SELECT per
    ``chunk`` ids. Why: a first ingest of a dump is tens of thousands of new ids, and one
    primary-key lookup per record was a fifth of the storage time (issue 15)."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    out: dict[str, dict[str, Any] | None] = dict.fromkeys(wanted)
    for i in range(0, len(wanted), chunk):
        part = wanted[i : i + chunk]
        cur = db.conn.execute(
            f"SELECT * FROM items WHERE id IN ({', '.join('?' * len(part))})", part
        )
        names = [d[0] for d in cur.description]
        for found in cur.fetchall():
            rec = dict(zip(names, found, strict=True))
            out[rec["id"]] = rec
    return out


def touch_items(db: sqlite_utils.Database, ids: list[str], now: str) -> int:
    """Mark known items as seen again without refetching them."""
    n = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        n += db.conn.execute(
            f"UPDATE items SET last_seen = ? WHERE id IN ({', '.join('?' * len(chunk))})",
            [now, *chunk],
        ).rowcount
    return n


def add_hints(db: sqlite_utils.Database, hints: list[tuple[str, str, str]]) -> None:
    """Merge (url, discovery path, hint) into ``items.discovery_hints`` (no version: bookkeeping)."""
    for url, via, hint in hints:
        db.conn.execute(
            "UPDATE items SET discovery_hints = json_set(CASE WHEN json_valid(discovery_hints) "
            "THEN discovery_hints ELSE '{}' END, '$.' || json_quote(?), ?) WHERE url = ?",
            [via, hint, url],
        )


def known_articles(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, str]]:
    """url -> change hints stored for it ({discovery path: lastmod/updated}), for one source."""
    out: dict[str, dict[str, str]] = {}
    for url, hints in db.conn.execute(
        "SELECT url, discovery_hints FROM items WHERE source = ?", [source]
    ):
        try:
            parsed = json.loads(hints) if hints else {}
        except ValueError:
            parsed = {}
        out[url] = parsed if isinstance(parsed, dict) else {}
    return out


def fingerprints(db: sqlite_utils.Database, source: str) -> dict[str, str]:
    """id -> checksum of the source record stored last time (questions from open-data dumps)."""
    return {
        r[0]: r[1]
        for r in db.conn.execute(
            "SELECT id, fingerprint FROM items WHERE source = ? AND kind = 'question' "
            "AND fingerprint IS NOT NULL",
            [source],
        )
    }


#: read from the partial index of followed rows (migration ``_followed_sets``)
FOLLOWED_IDS_SQL = "SELECT id FROM items WHERE followed = 1 AND source = ?"


def followed_ids(db: sqlite_utils.Database, source: str) -> set[str]:
    return {r[0] for r in db.conn.execute(FOLLOWED_IDS_SQL, [source])}


def get_item(db: sqlite_utils.Database, item_id: str | None) -> dict[str, Any] | None:
    """One stored item by id, None when absent."""
    if not item_id:
        return None
    return next(iter(db.query("SELECT * FROM items WHERE id = ?", [item_id])), None)


def match_batches(
    db: sqlite_utils.Database, fields: tuple[str, ...], batch: int = 2000
) -> Iterator[list[dict[str, Any]]]:
    """id, source, kind, followed, ``fields`` and the stored match of every item, ``batch``
    rows at a time in rowid order, for re-applying the watch terms.

    Why batches: a million items' texts do not fit in memory at once (issue 15); each batch is
    one short read, so a crawl can write between two."""
    cols = ", ".join(f"[{f}]" for f in fields)
    last = -(2**63)
    while True:
        cur = db.conn.execute(
            f"SELECT rowid, id, source, kind, followed, {cols}, matched, matched_terms, "
            "match_fields, snippet FROM items WHERE rowid > ? ORDER BY rowid LIMIT ?",
            [last, batch],
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = rows[-1]["rowid"]


def set_match(
    db: sqlite_utils.Database, updates: list[tuple[str, bool, str, str, str | None, bool]]
) -> None:
    """Store new match results (id, matched, terms JSON, fields JSON, snippet, followed) in
    one transaction; ``followed`` is sticky (never unset here)."""
    with write_tx(db):
        for id_, matched, terms, fields, snippet, followed in updates:
            db.conn.execute(
                "UPDATE items SET matched = ?, matched_terms = ?, match_fields = ?, snippet = ?, "
                "followed = max(coalesce(followed, 0), ?) WHERE id = ?",
                [int(matched), terms, fields, snippet, int(followed), id_],
            )
