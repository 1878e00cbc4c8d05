"""Which watch profiles an item matched (``item_profiles``): the archive's per-profile facet
and feed, and the memory of who followed an item when its later events come.

A row is written when a profile first matches an item and kept afterwards with ``matched = 0``
once the profile's terms stop matching: the profile still "followed" the item, so its later
events (an answer, a status) still reach that profile.
"""

from __future__ import annotations

import json

import sqlite_utils


def of_item(db: sqlite_utils.Database, item_id: str) -> dict[str, int]:
    """profile → matched (1 now, 0 matched once) for one item."""
    cur = db.conn.execute("SELECT profile, matched FROM item_profiles WHERE item_id = ?", [item_id])
    return {p: m for p, m in cur.fetchall()}


def sync(
    db: sqlite_utils.Database,
    item_id: str,
    matches: dict[str, list[str]],
    now: str,
    *,
    known: dict[str, int] | None = None,
) -> None:
    """Record that ``item_id`` now matches exactly the profiles in ``matches`` (profile →
    terms found). Runs inside the caller's transaction."""
    known = of_item(db, item_id) if known is None else known
    for profile, terms in matches.items():
        db.conn.execute(
            "INSERT INTO item_profiles (item_id, profile, matched, matched_terms, first_matched,"
            " last_matched) VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (item_id, profile) DO UPDATE"
            " SET matched = 1, matched_terms = excluded.matched_terms,"
            " last_matched = excluded.last_matched",
            [item_id, profile, json.dumps(terms, ensure_ascii=False), now, now],
        )
    gone = [p for p, m in known.items() if m and p not in matches]
    for profile in gone:
        db.conn.execute(
            "UPDATE item_profiles SET matched = 0 WHERE item_id = ? AND profile = ?",
            [item_id, profile],
        )


def has_any(db: sqlite_utils.Database) -> bool:
    return db.conn.execute("SELECT 1 FROM item_profiles LIMIT 1").fetchone() is not None


def all_known(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    """item id → {profile: matched} for every recorded pair (for a whole-archive rematch)."""
    out: dict[str, dict[str, int]] = {}
    for item_id, profile, matched in db.conn.execute(
        "SELECT item_id, profile, matched FROM item_profiles"
    ):
        out.setdefault(item_id, {})[profile] = matched
    return out


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """profile → items it matches now."""
    cur = db.conn.execute(
        "SELECT profile, count(*) FROM item_profiles WHERE matched = 1 GROUP BY profile"
    )
    return {p: n for p, n in cur.fetchall()}
