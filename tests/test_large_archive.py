"""Migration step 4 (issue 15): what keeps a million-item archive fast, checked on a real SQLite
file: bookkeeping updates leave the full-text index alone, text updates keep it in sync, and the
canned queries read their ordered indexes (query plans, not timings: timings are in bench/)."""

from __future__ import annotations

import yaml

from monitor.web.serve import METADATA
from storage.db import open_db


def _db(tmp_path):
    db = open_db(tmp_path / "vigie.db")
    db.conn.execute(
        "INSERT INTO items (id, source, kind, url, title, body) "
        "VALUES ('a', 's', 'article', 'u', 'Titre', 'ancien texte')"
    )
    return db


def test_touching_last_seen_does_not_reindex_the_text(tmp_path):
    conn = _db(tmp_path).conn
    before = conn.total_changes
    conn.execute("UPDATE items SET last_seen = 'x', matched = 1, snippet = 's' WHERE id = 'a'")
    assert conn.total_changes - before == 1  # the row only: no FTS delete + insert


def test_text_update_keeps_full_text_search_in_sync(tmp_path):
    conn = _db(tmp_path).conn
    before = conn.total_changes
    conn.execute("UPDATE items SET body = 'nouveau texte' WHERE id = 'a'")
    assert conn.total_changes - before > 1  # the row, then the FTS delete and insert
    match = "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?"
    assert conn.execute(match, ["nouveau"]).fetchone()[0] == 1
    assert conn.execute(match, ["ancien"]).fetchone()[0] == 0


def test_canned_queries_read_ordered_indexes_not_the_whole_table(tmp_path):
    conn = _db(tmp_path).conn
    queries = yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["vigie"]["queries"]
    params = {"q": "texte", "author": "Vidal", "item_id": "a", "status": ""}

    def plan(name: str) -> str:
        rows = conn.execute("EXPLAIN QUERY PLAN " + queries[name]["sql"], params).fetchall()
        return " | ".join(r[3] for r in rows)

    assert "idx_items_mentions" in plan("latest_mentions")
    assert "idx_items_awaiting" in plan("awaiting_answer")
    assert "idx_items_answered_on" in plan("answers_this_week")
    assert "COVERING INDEX idx_items_author_dates" in plan("items_by_author")
    assert "idx_alerts_created" in plan("alert_outbox")
    for name in ("latest_mentions", "awaiting_answer", "alert_outbox"):
        assert "TEMP B-TREE FOR ORDER BY" not in plan(name), name  # no sort of all rows
