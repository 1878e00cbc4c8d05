"""Read-side of the legislative watch: what is held, what is followed, what cites what.

``held_versions`` answers the spider's "do I already hold this record at this version?" in one
grouped scan of the source's rows (a legislature's amendments are ~100,000 rows: one pass, no
query per record). Keys are the record uid the dumps and daily lists use: the item uid for
amendments, documents and dossiers, the meeting or sitting uid for agenda points and sitting
sections (``extra.record_uid``).
"""

from __future__ import annotations

import sqlite_utils


def held_versions(db: sqlite_utils.Database, source: str) -> tuple[dict[str, str], dict[str, str]]:
    """(record uid → newest source_ts held, record uid → fingerprint held)."""
    known: dict[str, str] = {}
    prints: dict[str, str] = {}
    for key, ts, fp in db.conn.execute(
        "SELECT coalesce(json_extract(extra, '$.record_uid'), id), max(source_ts), "
        "max(fingerprint) FROM items WHERE source = ? GROUP BY 1",
        [source],
    ):
        if ts:
            known[key] = ts
        if fp:
            prints[key] = fp
    return known, prints


#: read from the partial index of followed rows (migration ``_followed_sets``)
FOLLOWED_ROOTS_SQL = "SELECT id FROM items WHERE followed = 1 AND kind IN ('document', 'dossier')"


def followed_roots(db: sqlite_utils.Database) -> set[str]:
    """Followed documents and dossiers of every source (plus what is followed by uid)."""
    return {r[0] for r in db.conn.execute(FOLLOWED_ROOTS_SQL)}


def resolve_citation(
    db: sqlite_utils.Database, kind: str, number: str, text_number: str | None
) -> str | None:
    """The item a citation names, when the archive holds exactly one candidate."""
    if kind == "bill":
        sql = (
            "SELECT id FROM items WHERE kind = 'document' AND number = ? "
            "AND (id LIKE 'PION%' OR id LIKE 'PRJL%') ORDER BY legislature DESC LIMIT 2"
        )
        args: list = [int(number)]
    elif kind == "question":
        sql = (
            "SELECT id FROM items WHERE kind = 'question' AND qtype = 'QE' AND number = ? "
            "AND chamber = 'AN' ORDER BY legislature DESC LIMIT 2"
        )
        args = [int(number)]
    elif kind == "amendment" and text_number:
        sql = (
            "SELECT id FROM items WHERE kind = 'amendment' AND number = ? "
            "AND json_extract(extra, '$.text_number') = ? LIMIT 2"
        )
        args = [int(number), str(text_number)]
    else:
        return None
    rows = [r[0] for r in db.conn.execute(sql, args)]
    if kind in ("bill", "question"):
        return rows[0] if rows else None  # newest legislature first
    return rows[0] if len(rows) == 1 else None


def resolve_pending(db: sqlite_utils.Database) -> int:
    """Citations written before their target was stored (``ref:kind:number[:text]``) now point
    at it when it arrived. Inside the caller's transaction."""
    n = 0
    pending = db.conn.execute(
        "SELECT DISTINCT to_id FROM links WHERE relation = 'cites' AND to_id LIKE 'ref:%'"
    ).fetchall()
    for (ref,) in pending:
        parts = ref.split(":")
        target = resolve_citation(db, parts[1], parts[2], parts[3] if len(parts) > 3 else None)
        if target:
            db.conn.execute(
                "UPDATE OR IGNORE links SET to_id = ? WHERE to_id = ? AND relation = 'cites' "
                "AND from_id != ?",
                [target, ref, target],
            )
            db.conn.execute("DELETE FROM links WHERE to_id = ?", [ref])
            n += 1
    return n
