"""storage/items.py on a real SQLite file: insert | update with a version | no-op."""

from __future__ import annotations

import json

import pytest

from monitor.ingest.records import CONTENT_FIELDS
from storage.db import open_db, write_tx
from storage.items import (
    add_hints,
    held_items,
    known_articles,
    touch_items,
    upsert_item,
    write_new,
)


def row(**kw):
    base = {
        "id": "https://x.test/a",
        "source": "s",
        "kind": "article",
        "url": "https://x.test/a",
        "title": "T",
        "body": "B",
        "content_hash": "h1",
        "matched": 1,
        "followed": 0,
    }
    return {**base, **kw}


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "v.db")


def up(db, r, now="2026-01-01T00:00:00+00:00"):
    with write_tx(db):
        return upsert_item(
            db, r, content_fields=CONTENT_FIELDS, now=now, run_id=1, classify=lambda p, n, c: "text"
        )


def test_new_changed_unchanged(db):
    assert up(db, row())[0] == "new"
    outcome, prev, changed = up(db, row(matched=0), now="2026-01-02T00:00:00+00:00")
    assert outcome == "unchanged" and changed == []
    got = db["items"].get("https://x.test/a")
    assert got["matched"] == 0 and got["last_seen"].startswith("2026-01-02")
    assert db["item_versions"].count == 0
    outcome, prev, changed = up(
        db, row(body="B2", content_hash="h2"), now="2026-01-03T00:00:00+00:00"
    )
    assert outcome == "changed" and changed == ["body"] and prev["body"] == "B"
    (v,) = db["item_versions"].rows
    assert json.loads(v["previous"]) == {"body": "B"} and v["event"] == "text"
    got = db["items"].get("https://x.test/a")
    assert got["body"] == "B2" and got["first_seen"].startswith("2026-01-01")


def test_followed_is_sticky(db):
    up(db, row(kind="question", followed=1))
    up(db, row(kind="question", followed=0, body="B2", content_hash="h2"))
    assert db["items"].get("https://x.test/a")["followed"] == 1


def test_fts_is_kept_in_sync_and_ignores_accents(db):
    up(db, row(title="Structures d'exercice coordonné participatives", body="SECPa"))
    hits = db.execute("select rowid from items_fts where items_fts match 'coordonne'").fetchall()
    assert len(hits) == 1
    up(db, row(title="Autre", body="rien", content_hash="h2"))
    assert (
        db.execute("select count(*) from items_fts where items_fts match 'coordonne'").fetchone()[0]
        == 0
    )


def test_a_failed_batch_leaves_nothing(db):
    with pytest.raises(RuntimeError):
        with write_tx(db):
            upsert_item(db, row(), content_fields=CONTENT_FIELDS, now="t", run_id=1)
            raise RuntimeError("crash mid-batch")
    assert db["items"].count == 0


def test_hints_and_touch(db):
    up(db, row(discovery_hints=json.dumps({"feed": "a"})))
    with write_tx(db):
        add_hints(db, [("https://x.test/a", "sitemap", "2026-02-01")])
        assert touch_items(db, ["https://x.test/a"], "2026-03-01T00:00:00+00:00") == 1
    assert known_articles(db, "s") == {"https://x.test/a": {"feed": "a", "sitemap": "2026-02-01"}}


def test_batch_read_of_held_rows_gives_the_same_outcomes(db):
    """Issue 15: one SELECT per batch (held_items) instead of one per row; a second copy of an
    id in the same batch sees the row the first copy wrote, not the stale batch read."""
    up(db, row(id="a", url="https://x.test/a"))
    batch = [
        row(id="a", url="https://x.test/a", body="B2", content_hash="h2"),  # changed
        row(id="b", url="https://x.test/b"),  # new
        row(id="b", url="https://x.test/b", body="B3", content_hash="h3"),  # same batch, changed
        row(id="c", url="https://x.test/c"),  # new
    ]
    with write_tx(db):
        held = held_items(db, [r["id"] for r in batch])
        assert held["a"]["body"] == "B" and held["b"] is None and held["c"] is None
        outcomes = [
            upsert_item(db, r, content_fields=CONTENT_FIELDS, now="t2", run_id=2, held=held)[0]
            for r in batch
        ]
    assert outcomes == ["changed", "new", "changed", "new"]
    bodies = {r["id"]: r["body"] for r in db["items"].rows}
    assert bodies == {"a": "B2", "b": "B3", "c": "B"}
    assert [v["item_id"] for v in db["item_versions"].rows] == ["a", "b"]


def test_new_rows_of_a_batch_are_written_together_and_read_back_the_same(tmp_path):
    """Issue 15: a batch's new rows go in multi-row INSERTs (write_new); the stored rows, their
    order (rowids), full text and outcomes are those of one INSERT per row, including rows of
    other column sets, more rows than one statement takes, and a second copy of a pending id."""
    batch = [row(id=f"n{i}", url=f"https://x.test/{i}", body=f"corps {i}") for i in range(250)]
    batch.insert(120, row(id="odd", url="https://x.test/odd", author="Mme A"))  # other columns
    batch.insert(200, row(id="n7", url="https://x.test/7", body="corps 7 bis", content_hash="h2"))

    def store(path, pending):
        db = open_db(path)
        with write_tx(db):
            held = held_items(db, [r["id"] for r in batch])
            outcomes = [
                upsert_item(
                    db, dict(r), content_fields=CONTENT_FIELDS, now="t", run_id=1, held=held,
                    pending=pending,
                )[0]
                for r in batch
            ]  # fmt: skip
            if pending is not None:
                assert len(pending) == 51  # the 200 before n7's copy were written by it
                assert write_new(db, pending) == 51 and pending == {}
        rows = db.execute("SELECT rowid, * FROM items ORDER BY rowid").fetchall()
        fts = db.execute(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH 'corps' ORDER BY rowid"
        ).fetchall()
        return outcomes, rows, fts

    one_by_one = store(tmp_path / "one.db", None)
    together = store(tmp_path / "many.db", {})
    assert together == one_by_one
    outcomes, rows, fts = together
    assert outcomes.count("new") == 251 and outcomes[200] == "changed"
    assert len(rows) == 251 and len(fts) == 250  # "odd" does not say "corps"
    assert open_db(tmp_path / "many.db")["items"].get("n7")["body"] == "corps 7 bis"
