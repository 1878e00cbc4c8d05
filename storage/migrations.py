"""The archive's tables, created and upgraded in order; ``PRAGMA user_version`` counts them.

Why hand-rolled steps: each step is a few lines of sqlite-utils calls, applied once, in order,
inside one transaction. The table shapes live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

#: the ``items`` table as step 1 created it (history: never edit; later steps change it)
_V1_ITEM_COLUMNS: dict[str, type] = {
    "id": str,  # see ITEM_COLUMNS
    "source": str,
    "kind": str,  # article | question
    "url": str,
    "title": str,
    "author": str,
    "published": str,  # ISO 8601, Europe/Paris offset; NULL when unknown
    "published_raw": str,  # the date text as found
    # "date_source": str, added by _v3 (issue 13)
    "body": str,
    "matched": int,
    "matched_terms": str,  # JSON list
    "match_fields": str,  # JSON {term: [fields]}
    "snippet": str,
    "followed": int,
    "first_seen": str,
    "last_seen": str,
    "content_hash": str,
    "source_updated": str,  # split by step 3 into discovery_hints and fingerprint
    # parliament questions (NULL for articles)
    "chamber": str,
    "legislature": int,
    "qtype": str,
    "number": int,
    "rubrique": str,
    "analysis": str,
    "group_name": str,
    "circonscription": str,
    "ministry_asked": str,
    "ministry_answering": str,
    "question_jo_page": str,
    "status": str,  # pending | answered | signalee | closed
    "closed_reason": str,
    "answered_on": str,
    "answer_jo_page": str,
    "answer_text": str,
}


#: the ``items`` table now (after every step). ``id`` is the item's stable identity:
#: for an article its URL (the canonical URL the page declares, else the URL it was fetched
#: at), for a question its official uid (AN
#: ``QANR5L17QE13024``, Sénat reference such as ``SEQ260201234``). It is *not* prefixed with the
#: source: one URL is one document whichever source found it.
ITEM_COLUMNS: dict[str, type] = {
    **{k: v for k, v in _V1_ITEM_COLUMNS.items() if k != "source_updated"},
    # articles: JSON {discovery path: lastmod/updated hint} announced by feeds and sitemaps
    "discovery_hints": str,
    # questions: checksum of the open-data record ("<parser version>:<crc>"): unchanged → skip
    "fingerprint": str,
    # legislative work (step 4): official decision label, kind-specific fields (JSON), how new
    # the version held is (ISO UTC)
    "status_label": str,
    "extra": str,
    "source_ts": str,
    # articles (step 5): where the publication date was read (byline, jsonld, meta, …)
    "date_source": str,
}


def _v1(db: sqlite_utils.Database) -> None:
    db.table("items").create(_V1_ITEM_COLUMNS, pk="id", not_null={"source", "kind", "url"})
    db.table("items").create_index(["source"])
    db.table("items").create_index(["published"])
    db.table("items").create_index(["matched"])
    db.table("items").create_index(["url"])
    db.table("items").enable_fts(
        ["title", "body", "answer_text"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    db.table("item_versions").create(
        {
            "id": int,
            "item_id": str,
            "run_id": int,
            "changed_at": str,
            "event": str,  # text | answered | status | ministry | ...
            "changed_fields": str,  # JSON list
            "previous": str,  # JSON {field: previous value}
        },
        pk="id",
        foreign_keys=[("item_id", "items", "id")],
    )
    db.table("item_versions").create_index(["item_id"])
    db.table("runs").create(
        {
            "id": int,
            "source": str,
            "started": str,
            "ended": str,
            "outcome": str,  # running | ok | failed | interrupted
            "reason": str,
            "pid": int,
            "pages_fetched": int,
            "not_modified": int,
            "bytes_received": int,
            "items_seen": int,
            "items_new": int,
            "items_changed": int,
            "items_unchanged": int,
            "items_skipped": int,
            "errors": int,
            "gaps": int,
        },
        pk="id",
    )
    db.table("runs").create_index(["source", "started"])
    db.table("http_validators").create(
        {
            "url": str,
            "source": str,
            "etag": str,
            "last_modified": str,
            "checked_at": str,
        },
        pk="url",
    )
    db.table("alerts").create(
        {
            "id": int,
            "event": str,  # new_match | item_changed | health_broken | health_recovered | health_reminder | test
            "item_id": str,
            "source": str,
            "run_id": int,
            "recipients": str,  # JSON list, frozen when the alert is created
            "mode": str,  # immediate | digest
            "payload": str,  # JSON snapshot: what to say (changed fields, previous values, reason)
            "status": str,  # pending | sent | failed
            "attempts": int,
            "last_error": str,
            "next_attempt": str,
            "created": str,
            "sent": str,
            "message_id": str,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0},
    )
    db.table("alerts").create_index(["status", "next_attempt"])
    db.table("deliveries").create(
        {
            "alert_id": int,
            "recipient": str,
            "message_id": str,
            "state": str,  # sending | accepted
            "attempted_at": str,
            "accepted_at": str,
        },
        pk=("alert_id", "recipient"),
    )
    db.table("source_health").create(
        {
            "source": str,
            "state": str,  # ok | broken
            "consecutive_failures": int,
            "last_success": str,
            "last_failure": str,
            "last_reason": str,
            "last_new_item": str,
            "last_items_seen": int,
            "broken_since": str,
            "last_alert": str,
        },
        pk="source",
    )
    db.table("daemon").create(
        {"id": int, "pid": int, "started": str, "heartbeat": str, "state": str},
        pk="id",
    )


def _v2(db: sqlite_utils.Database) -> None:
    """Gap detection and per-deputy queries on a whole legislature."""
    db.table("items").create_index(
        ["chamber", "qtype", "legislature", "number"], if_not_exists=True
    )
    db.table("items").create_index(["author"], if_not_exists=True)


def _v3(db: sqlite_utils.Database) -> None:
    """``source_updated`` held two things: an article's discovery hints (JSON) and a question's
    record checksum. Each gets its own column; every value moves, none is lost (issue 10)."""
    items = db.table("items")
    items.add_column("discovery_hints", str)
    items.add_column("fingerprint", str)
    db.conn.execute(
        "UPDATE items SET discovery_hints = source_updated "
        "WHERE kind != 'question' AND source_updated IS NOT NULL"
    )
    db.conn.execute(
        "UPDATE items SET fingerprint = source_updated "
        "WHERE kind = 'question' AND source_updated IS NOT NULL"
    )
    db.conn.execute("ALTER TABLE items DROP COLUMN source_updated")


def _legislative(db: sqlite_utils.Database) -> None:
    """Legislative watch (issue 11): amendments, documents, dossiers, agenda points, debate
    sections live in ``items`` with their kind-specific fields in ``extra``; ``links`` ties
    them together and to what cites them; ``source_state`` remembers per-source progress
    (the last daily publication list fully read)."""
    items = db.table("items")
    for column in ("status_label", "extra", "source_ts"):
        if column not in items.columns_dict:
            items.add_column(column, str)
    items.create_index(["kind", "number"], if_not_exists=True)
    db.table("links").create(
        {"from_id": str, "to_id": str, "relation": str},
        pk=("from_id", "to_id", "relation"),
        if_not_exists=True,
    )
    db.table("links").create_index(["to_id", "relation"], if_not_exists=True)
    db.table("source_state").create(
        {"source": str, "key": str, "value": str, "updated": str},
        pk=("source", "key"),
        if_not_exists=True,
    )


def _date_source(db: sqlite_utils.Database) -> None:
    """Issue 13: where the publication date was read (byline, jsonld, meta, time, url,
    htmldate, selector, pdf-metadata, pdf-text, feed), next to ``published_raw``."""
    db.table("items").add_column("date_source", str)


def _v_channels(db: sqlite_utils.Database) -> None:
    """Channels and profiles (issue 14): an alert belongs to one profile and goes to frozen
    e-mail recipients *and* channels; a delivery row says which channel it is for; which
    profiles an item matched is its own table; each channel's health has a row."""
    alerts = db.table("alerts")
    alerts.add_column("profile", str)
    alerts.add_column("channels", str)  # JSON list of [channels.NAME], frozen at creation
    db.conn.execute("UPDATE alerts SET profile = 'default' WHERE profile IS NULL")
    db.conn.execute("UPDATE alerts SET channels = '[]' WHERE channels IS NULL")
    alerts.create_index(["profile", "status", "mode"], if_not_exists=True)
    db.table("deliveries").add_column("channel", str)  # "email" or a channel name
    db.conn.execute("UPDATE deliveries SET channel = 'email' WHERE channel IS NULL")
    db.table("item_profiles").create(
        {
            "item_id": str,
            "profile": str,
            "matched": int,  # 1 while the profile's terms match the item, 0 once they stop
            "matched_terms": str,  # JSON list
            "first_matched": str,
            "last_matched": str,
        },
        pk=("item_id", "profile"),
    )
    db.table("item_profiles").create_index(["profile", "matched"])
    db.table("channel_health").create(
        {
            "channel": str,
            "state": str,  # ok | down
            "consecutive_failures": int,
            "last_error": str,
            "last_failure": str,
            "last_success": str,
            "down_since": str,
            "last_alert": str,
        },
        pk="channel",
    )


def _deputies(db: sqlite_utils.Database) -> None:
    """The last AMO10 deputies dump read (storage/deputies.py), so it can be asked conditionally."""
    db.table("deputies").create(
        {
            "source": str,
            "uid": str,  # PA... actor id
            "name": str,
            "circonscription": str,
            "group_name": str,
            "updated": str,
        },
        pk=("source", "uid"),
    )


def _large_archive(db: sqlite_utils.Database) -> None:
    """Indexes and an FTS trigger for an archive of a million items (issue 15, bench/million.py).

    - The full-text update trigger fires only when an indexed text changes: every crawl touches
      ``last_seen`` of the items it sees and ``vigie rematch`` rewrites match columns, and each
      such UPDATE used to delete and re-insert the item's whole text in the FTS index.
    - One index per default facet of the items table (Datasette counts each facet with
      ``GROUP BY column``: with an index that is a scan of the index, not of the rows and their
      texts).
    - Indexes in the order the canned queries read: pending questions by date asked
      (``awaiting_answer``), matched items by date (``latest_mentions``), answers by date
      (``answers_this_week``), an author's items by date (``items_by_author``), alerts by
      creation (``alert_outbox``).
    """
    conn = db.conn
    conn.execute("DROP TRIGGER IF EXISTS items_au")
    conn.execute(
        'CREATE TRIGGER "items_au" AFTER UPDATE OF title, body, answer_text ON "items" BEGIN\n'
        '  INSERT INTO "items_fts" ("items_fts", rowid, "title", "body", "answer_text") '
        'VALUES(\'delete\', old.rowid, old."title", old."body", old."answer_text");\n'
        '  INSERT INTO "items_fts" (rowid, "title", "body", "answer_text") '
        'VALUES (new.rowid, new."title", new."body", new."answer_text");\nEND'
    )
    items = db.table("items")
    for column in ("kind", "status", "rubrique", "ministry_answering", "group_name"):
        items.create_index([column], if_not_exists=True)
    # (equality column first, then the order: the planner picks them without ANALYZE stats)
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_awaiting ON items (kind, julianday(published)) "
        "WHERE status IN ('pending', 'signalee')"
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_mentions "
        "ON items (matched, coalesce(published, first_seen))"
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_answered_on ON items (kind, answered_on) "
        "WHERE answered_on IS NOT NULL"
    )
    # a deputy's questions, newest first: names are tested in the index, dates read from it
    # (it replaces the author-only index of step 2, its prefix)
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_author_dates ON items (author, published, first_seen)"
    )
    conn.execute("DROP INDEX IF EXISTS idx_items_author")
    db.table("alerts").create_index(["created"], if_not_exists=True)


def _not_article(db: sqlite_utils.Database) -> None:
    """Issue 13: pages the site spider judged not to be articles (listings, contact pages),
    counted in the run so that the run line says which pages were left out."""
    db.table("runs").add_column("pages_not_article", int)


def _followed_facet(db: sqlite_utils.Database) -> None:
    """Issue 15: ``followed`` became a default facet of the items table after step 8 indexed
    the others; without an index its ``GROUP BY`` reads every row and its text (1.4–1.7 s on a
    million items, past Datasette's facet time limit), with one it is a scan of the index."""
    db.table("items").create_index(["followed"], if_not_exists=True)


def _followed_sets(db: sqlite_utils.Database) -> None:
    """Issue 15: every crawl starts by reading what is followed (the pipeline's ``followed``
    set: the source's followed items, and every followed document and dossier). Through the
    ``followed`` index that was one row lookup per followed item of the whole archive (37,636
    in the million-item bench: 65 + 80 ms of every crawl's start, growing with the archive).
    Two partial indexes hold only the followed rows, keyed as those two queries ask (both
    equality columns first, so that the planner prefers them without statistics), and answer
    from the index alone; unfollowed rows, nearly all of them, cost them nothing on insert."""
    conn = db.conn
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_followed_sources "
        "ON items (followed, source, id) WHERE followed = 1"
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_followed_kinds "
        "ON items (followed, kind, id) WHERE followed = 1"
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    _v2,
    _v3,
    _legislative,
    _date_source,
    _v_channels,
    _deputies,
    _large_archive,
    _not_article,
    _followed_facet,
    _followed_sets,
]


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the missing steps; return the schema version now in force."""
    conn = db.conn
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= len(MIGRATIONS):
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in MIGRATIONS[version:]:
            step(db)
            version += 1
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version
