"""Migration step 4 (issue 15): what keeps a million-item archive fast, checked on a real SQLite
file: bookkeeping updates leave the full-text index alone, text updates keep it in sync, and the
canned queries read their ordered indexes (query plans, not timings: timings are in bench/)."""

from __future__ import annotations

import yaml

from monitor.web.serve import METADATA
from storage import web_queries as q
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


def test_every_facet_column_of_the_items_table_counts_from_an_index(tmp_path):
    # the default facets and those a user picks in a column's menu (issue 15: `followed`
    # read every row and its text, 1.4-1.7 s at a million items)
    conn = _db(tmp_path).conn
    for column in ("source", "kind", "chamber", "status", "followed", "rubrique",
                   "ministry_answering", "group_name", "matched"):  # fmt: skip
        sql = (f"select {column} as value, count(*) as count from (select * from items) "
               f"where {column} is not null group by {column} order by count desc, value limit 31")  # fmt: skip
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "COVERING INDEX" in plan, (column, plan)


def test_a_crawl_reads_what_is_followed_from_an_index_alone(tmp_path):
    """Issue 15: the pipeline's followed sets, read at every crawl's start, came through the
    ``followed`` index with one row lookup per followed item of the whole archive."""
    from storage.items import FOLLOWED_IDS_SQL, followed_ids
    from storage.legis import FOLLOWED_ROOTS_SQL, followed_roots

    db = _db(tmp_path)
    db.conn.executemany(
        "INSERT INTO items (id, source, kind, url, followed) VALUES (?, ?, ?, ?, ?)",
        [("q1", "an", "question", "u1", 1), ("d1", "an", "dossier", "u2", 1),
         ("d2", "an", "dossier", "u3", 0), ("q2", "senat", "question", "u4", 1)],
    )  # fmt: skip
    for sql, params, index in (
        (FOLLOWED_IDS_SQL, ["an"], "idx_items_followed_sources"),
        (FOLLOWED_ROOTS_SQL, [], "idx_items_followed_kinds"),
    ):
        plan = " | ".join(r[3] for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert f"COVERING INDEX {index}" in plan, plan
    assert followed_ids(db, "an") == {"q1", "d1"}
    assert followed_roots(db) == {"d1"}


def test_a_search_keeps_the_most_recently_collected_matches(tmp_path):
    conn = _db(tmp_path).conn  # 'a': "ancien texte", collected first
    for i in range(4):
        conn.execute(
            "INSERT INTO items (id, source, kind, url, title, body, published) "
            "VALUES (?, 's', 'article', ?, 'Titre', 'un texte', ?)",
            [f"n{i}", f"u{i}", f"2026-01-0{4 - i}"],  # collected n0..n3, published backwards
        )
    newest = f"select id from items where {q.newest_matches_clause('items_fts', 'm', 3)}"
    assert [r[0] for r in conn.execute(newest + " order by id", {"m": "texte"})] == [
        "n1",
        "n2",
        "n3",
    ]
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + newest, {"m": "texte"}))
    assert "TEMP B-TREE" not in plan  # read from the end of the FTS index, not sorted
    assert q.matches_beyond_window(conn, "items_fts", "texte", 3)
    assert not q.matches_beyond_window(conn, "items_fts", "texte", 5)
    assert not q.matches_beyond_window(conn, "items_fts", "ancien", 1)
    # /recherche: the newest publications first among the window's matches
    assert [r["id"] for r in q.search(conn, "texte")] == ["n0", "n1", "n2", "n3", "a"]
