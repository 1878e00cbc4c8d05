"""Read-only queries behind the archive's front page and item pages (``monitor/web``).

Why plain ``sqlite3.Connection`` functions: Datasette hands its read connection to
``db.execute_fn(fn)``, so the same functions serve the web pages and the tests, and every SQL
statement of the web front stays in ``storage/`` like the rest. Nothing here writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

#: item columns the front page and the item page show (never the whole row: bodies are long)
_LIST_COLUMNS = (
    "id, source, kind, url, title, published, first_seen, snippet, matched_terms, "
    "match_fields, followed, status, qtype, number, chamber"
)


def _rows(
    conn: sqlite3.Connection, sql: str, params: list | tuple | dict[str, Any] = ()
) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def latest_mentions(conn: sqlite3.Connection, limit: int = 15) -> list[dict[str, Any]]:
    """Matched items, newest first (publication date, else first collection)."""
    return _rows(
        conn,
        f"SELECT {_LIST_COLUMNS}, body, coalesce(published, first_seen) AS shown_date FROM items "
        "WHERE matched = 1 ORDER BY coalesce(published, first_seen) DESC, first_seen DESC LIMIT ?",
        [limit],
    )


#: how many matches of a full-text search are kept: the most recently collected ones. A word
#: found in most of a million items would otherwise make every search read, count, facet and
#: sort hundreds of thousands of rows (seconds); the newest matches are read from the end of the
#: FTS index and cost milliseconds whatever the word (bench/million.py, issue 15)
SEARCH_WINDOW = 2000


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def newest_matches_clause(fts_table: str, param: str, window: int = SEARCH_WINDOW) -> str:
    """A ``WHERE`` term: the row is among the ``window`` most recently collected matches of
    the FTS5 query bound to ``:param`` (rowids grow with collection: an external-content FTS
    index keyed by ``items.rowid`` answers ``ORDER BY rowid DESC LIMIT n`` from the end of
    its doclists, without reading the older matches)."""
    fts = _quote(fts_table)
    return (
        f"rowid in (select rowid from {fts} where {fts} match :{param} "
        f"order by rowid desc limit {int(window)})"
    )


def matches_beyond_window(
    conn: sqlite3.Connection, fts_table: str, query: str, window: int = SEARCH_WINDOW
) -> bool:
    """True when the FTS5 query matches more than ``window`` rows (read up to ``window + 1``
    from the end of the index, never the whole doclist); raises ``sqlite3.OperationalError``
    on a query FTS5 cannot parse."""
    fts = _quote(fts_table)
    sql = (
        f"select count(*) from (select rowid from {fts} where {fts} match ? "
        "order by rowid desc limit ?)"
    )
    return conn.execute(sql, [query, window + 1]).fetchone()[0] > window


def search(conn: sqlite3.Connection, query: str, limit: int = 100) -> list[dict[str, Any]]:
    """Full-text search over title, body and answer (FTS5 syntax, accents ignored), newest
    first among the ``SEARCH_WINDOW`` most recently collected matches; raises
    ``sqlite3.OperationalError`` on a query FTS5 cannot parse."""
    return _rows(
        conn,
        f"SELECT {_LIST_COLUMNS}, body, coalesce(published, first_seen) AS shown_date FROM items "
        f"WHERE {newest_matches_clause('items_fts', 'q')} "
        "ORDER BY coalesce(published, first_seen) DESC LIMIT :limit",
        {"q": query, "limit": limit},
    )


def followed_moves(conn: sqlite3.Connection, limit: int = 15) -> list[dict[str, Any]]:
    """What changed on followed or matched items (answers, status, text…), newest first.

    New followed items (a document just collected) come in as ``event = 'new'``.
    """
    return _rows(
        conn,
        "SELECT * FROM ("
        " SELECT v.changed_at AS at, v.event, v.changed_fields, i.id, i.source, i.kind, i.title,"
        " i.url, i.status, i.answered_on, i.qtype, i.number"
        " FROM item_versions v JOIN items i ON i.id = v.item_id"
        " WHERE i.followed = 1 OR i.matched = 1"
        " UNION ALL"
        " SELECT first_seen, 'new', NULL, id, source, kind, title, url, status, answered_on,"
        " qtype, number FROM items WHERE followed = 1"
        ") ORDER BY at DESC LIMIT ?",
        [limit],
    )


def agenda_ahead(conn: sqlite3.Connection, today: str, limit: int = 10) -> list[dict[str, Any]]:
    """Agenda points (``kind = 'agenda'``, from the legislative watch) of followed or matched
    items dated ``today`` (ISO date) or later, soonest first."""
    return _rows(
        conn,
        f"SELECT {_LIST_COLUMNS} FROM items WHERE kind = 'agenda' AND (followed = 1 OR matched = 1)"
        " AND date(published) >= date(?) ORDER BY published LIMIT ?",
        [today, limit],
    )


def source_health(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per source seen in runs or source_health: health row and the latest run."""
    return _rows(
        conn,
        "SELECT s.source, h.state, h.consecutive_failures, h.last_success, h.last_failure,"
        " h.last_reason, h.broken_since, r.outcome AS last_outcome, r.reason AS last_run_reason,"
        " r.started AS last_run, (SELECT max(started) FROM runs WHERE source = s.source"
        " AND outcome = 'ok') AS last_ok_run"
        " FROM (SELECT source FROM runs UNION SELECT source FROM source_health) s"
        " LEFT JOIN source_health h ON h.source = s.source"
        " LEFT JOIN runs r ON r.id = (SELECT max(id) FROM runs WHERE source = s.source)",
    )


def weekly_mentions(conn: sqlite3.Connection, since: str) -> list[dict[str, Any]]:
    """Matched items per (Monday of the week, source, kind) from ``since`` (ISO date) on."""
    return _rows(
        conn,
        "SELECT week, source, kind, count(*) AS n FROM ("
        " SELECT date(coalesce(published, first_seen), 'weekday 0', '-6 days') AS week,"
        " source, kind FROM items WHERE matched = 1"
        ") WHERE week >= date(?, 'weekday 0', '-6 days') GROUP BY week, source, kind ORDER BY week",
        [since],
    )


def item(conn: sqlite3.Connection, item_id: str) -> dict[str, Any] | None:
    found = _rows(conn, "SELECT * FROM items WHERE id = ?", [item_id])
    return found[0] if found else None


def item_versions(conn: sqlite3.Connection, item_id: str) -> list[dict[str, Any]]:
    """The item's changes, oldest first (each ``previous`` holds the values before it)."""
    return _rows(
        conn,
        "SELECT id, changed_at, event, changed_fields, previous FROM item_versions"
        " WHERE item_id = ? ORDER BY changed_at, id",
        [item_id],
    )


def has_links_table(conn: sqlite3.Connection) -> bool:
    """True when a ``links (from_id, to_id, relation)`` table exists (legislative watch)."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(links)")}
    return {"from_id", "to_id", "relation"} <= cols


def related_items(conn: sqlite3.Connection, item_id: str) -> list[dict[str, Any]]:
    """Items linked to ``item_id`` either way; empty when there is no ``links`` table."""
    if not has_links_table(conn):
        return []
    return _rows(
        conn,
        "SELECT l.relation, i.id, i.title, i.source, i.kind, i.qtype, i.published FROM ("
        " SELECT relation, to_id AS other FROM links WHERE from_id = ?"
        " UNION SELECT relation, from_id FROM links WHERE to_id = ?"
        ") l JOIN items i ON i.id = l.other ORDER BY i.published DESC",
        [item_id, item_id],
    )
