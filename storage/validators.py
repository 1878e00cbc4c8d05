"""HTTP validators (ETag / Last-Modified) per URL, so the next run can get a 304."""

from __future__ import annotations

import sqlite_utils


def load_validators(
    db: sqlite_utils.Database, source: str
) -> dict[str, tuple[str | None, str | None]]:
    return {
        url: (etag, lm)
        for url, etag, lm in db.conn.execute(
            "SELECT url, etag, last_modified FROM http_validators WHERE source = ?", [source]
        )
    }


def save_validators(db: sqlite_utils.Database, rows: list[dict], now: str) -> None:
    """Upsert rows of {url, source, etag, last_modified} (inside the caller's transaction)."""
    for r in rows:
        db.conn.execute(
            "INSERT INTO http_validators (url, source, etag, last_modified, checked_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET source = excluded.source, "
            "etag = excluded.etag, last_modified = excluded.last_modified, "
            "checked_at = excluded.checked_at",
            [r["url"], r["source"], r.get("etag"), r.get("last_modified"), now],
        )
