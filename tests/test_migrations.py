"""Migrations move existing data losslessly: a database created at the previous schema
version is opened by the current code and keeps every value."""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils

from storage import migrations
from storage.db import open_db
from storage.items import fingerprints, known_articles


def _at_version(path, n: int) -> None:
    """A database as the code of schema version ``n`` left it."""
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    for step in migrations.MIGRATIONS[:n]:
        step(db)
    db.conn.execute(f"PRAGMA user_version = {n}")
    hints = json.dumps({"feed": "2026-02-01", "sitemap": "2026-02-03"})
    db["items"].insert_all(
        [
            {
                "id": "https://x.test/a",
                "source": "press",
                "kind": "article",
                "url": "https://x.test/a",
                "title": "Article SECPA",
                "body": "texte",
                "source_updated": hints,
            },
            {
                "id": "QANR5L17QE13024",
                "source": "an",
                "kind": "question",
                "url": "https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE13024",
                "title": "Question SECPA",
                "source_updated": "1:3735928559",
            },
            {
                "id": "https://x.test/b",
                "source": "press",
                "kind": "article",
                "url": "https://x.test/b",
                "title": "Sans indice",
                "source_updated": None,
            },
        ]
    )
    db.conn.close()


def test_source_updated_split_keeps_every_value(tmp_path):
    path = tmp_path / "old.db"
    _at_version(path, 2)
    before = {
        r["id"]: r for r in sqlite_utils.Database(path).query("select * from items order by id")
    }

    db = open_db(path)
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
    cols = {c.name for c in db["items"].columns}
    assert cols == set(migrations.ITEM_COLUMNS)
    assert "source_updated" not in cols
    after = {r["id"]: r for r in db.query("select * from items order by id")}
    a, q, b = after["https://x.test/a"], after["QANR5L17QE13024"], after["https://x.test/b"]
    assert a["discovery_hints"] == before["https://x.test/a"]["source_updated"]
    assert a["fingerprint"] is None
    assert (q["fingerprint"], q["discovery_hints"]) == ("1:3735928559", None)
    assert (b["fingerprint"], b["discovery_hints"]) == (None, None)
    for id_, row in before.items():  # nothing else moved
        for k, v in row.items():
            if k != "source_updated":
                assert after[id_][k] == v, (id_, k)
    # the readers see the moved values, and full-text search still works
    assert known_articles(db, "press")["https://x.test/a"] == {
        "feed": "2026-02-01",
        "sitemap": "2026-02-03",
    }
    assert fingerprints(db, "an") == {"QANR5L17QE13024": "1:3735928559"}
    hits = db.query("select rowid from items_fts where items_fts match 'SECPA'")
    assert len(list(hits)) == 2


def test_a_new_database_has_the_current_shape(tmp_path):
    db = open_db(tmp_path / "new.db")
    assert {c.name for c in db["items"].columns} == set(migrations.ITEM_COLUMNS)
