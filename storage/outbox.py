"""The alert outbox and its delivery log: rows in, rows out, never a message lost or doubled.

An alert is a row of ``alerts`` written in the same transaction as the change that caused it
(:func:`enqueue` runs inside the caller's transaction and neither begins nor commits).
A sender :func:`claim` s due rows (one ``UPDATE … RETURNING`` that pushes ``next_attempt`` past a
lease, so two senders never hold the same alert), then for each recipient writes a
``deliveries`` row in state ``sending`` and commits it *before* the SMTP DATA is completed, and
flips it to ``accepted`` after the server's 250. A ``sending`` row found by a later attempt
therefore means a sender died (or the link broke) after handing the message over and before
hearing the answer: the copy may have arrived, so it is never resent automatically
(state ``unconfirmed``); an operator requeues it with :func:`requeue`.

Alert status: ``pending`` (waiting or backing off), ``grouped`` (a digest-mode alert inside a
digest that is being delivered), ``sent`` (every recipient accepted, or accepted/refused),
``unconfirmed`` (some copy's fate is unknown), ``failed`` (every recipient refused).
Delivery state: ``sending`` | ``accepted`` | ``refused`` | ``unconfirmed``.

Timestamps are UTC ISO 8601 strings (``2026-03-01T07:00:00+00:00``) so that string order is
time order in SQL.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlite_utils

FINAL_STATES = ("accepted", "refused", "unconfirmed")


def stamp(now: datetime | str) -> str:
    """``now`` as the UTC ISO string stored in the outbox (naive datetimes are taken as UTC)."""
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).isoformat(timespec="seconds")


def message_id(alert_id: int, recipient: str, sender: str) -> str:
    """The Message-ID of one copy of one alert: stable, so a retry is recognisable."""
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "localhost"
    digest = hashlib.sha1(recipient.strip().lower().encode()).hexdigest()[:12]
    return f"<vigie.{alert_id}.{digest}@{domain or 'localhost'}>"


def enqueue(
    db: sqlite_utils.Database,
    *,
    event: str,
    item_id: str | None,
    source: str | None,
    run_id: int | None,
    recipients: list[str],
    mode: str,
    payload: dict,
    now: datetime | str,
    profile: str = "default",
    channels: Iterable[str] = (),
) -> int:
    """Insert one pending alert and return its id. Call inside the caller's transaction.

    ``recipients`` (e-mail addresses) and ``channels`` (chat channel names) are frozen here:
    the alert is owed to exactly these, whatever the config says later."""
    ts = stamp(now)
    cur = db.conn.execute(
        "INSERT INTO alerts (event, item_id, source, run_id, recipients, mode, payload, status,"
        " attempts, next_attempt, created, profile, channels)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)",
        [
            event,
            item_id,
            source,
            run_id,
            json.dumps(list(recipients), ensure_ascii=False),
            mode,
            json.dumps(payload, ensure_ascii=False, sort_keys=True),
            ts,
            ts,
            profile,
            json.dumps(list(channels), ensure_ascii=False),
        ],
    )
    # lastrowid is only None when no row was inserted, which a successful INSERT rules out
    assert cur.lastrowid is not None, "INSERT INTO alerts returned no rowid"
    return cur.lastrowid


def last_created(db: sqlite_utils.Database, event: str, source: str) -> str | None:
    """When the latest alert of ``event`` for ``source`` was enqueued (None: never)."""
    row = db.conn.execute(
        "SELECT max(created) FROM alerts WHERE event = ? AND source = ?", [event, source]
    ).fetchone()
    return row[0] if row else None


def _rows(cur: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def get(db: sqlite_utils.Database, alert_id: int) -> dict | None:
    rows = _rows(db.conn.execute("SELECT * FROM alerts WHERE id = ?", [alert_id]))
    return rows[0] if rows else None


def due(db: sqlite_utils.Database, now: datetime | str, limit: int = 100) -> list[dict]:
    """Pending immediate-mode alerts whose next attempt has come (read only)."""
    return _rows(
        db.conn.execute(
            "SELECT * FROM alerts WHERE status = 'pending' AND mode = 'immediate'"
            " AND (next_attempt IS NULL OR next_attempt <= ?) ORDER BY id LIMIT ?",
            [stamp(now), limit],
        )
    )


def claim(
    db: sqlite_utils.Database,
    now: datetime | str,
    *,
    lease_seconds: int,
    limit: int = 100,
    ids: Iterable[int] | None = None,
) -> list[dict]:
    """Take due immediate-mode alerts for one delivery pass, atomically.

    Their ``next_attempt`` moves ``lease_seconds`` ahead, so another sender skips them; if this
    sender dies, they become due again when the lease runs out.
    """
    ts = stamp(now)
    lease = stamp(datetime.fromisoformat(ts) + timedelta(seconds=lease_seconds))
    where = (
        "status = 'pending' AND mode = 'immediate' AND (next_attempt IS NULL OR next_attempt <= ?)"
    )
    params: list = [lease, ts]
    if ids is not None:
        id_list = [int(i) for i in ids]
        where += f" AND id IN ({', '.join('?' * len(id_list)) or 'NULL'})"
        params.extend(id_list)
    params.append(limit)
    cur = db.conn.execute(
        f"UPDATE alerts SET next_attempt = ? WHERE id IN "
        f"(SELECT id FROM alerts WHERE {where} ORDER BY id LIMIT ?) RETURNING *",
        params,
    )
    return sorted(_rows(cur), key=lambda r: r["id"])


# -- the delivery log -------------------------------------------------------------------------


def deliveries(db: sqlite_utils.Database, alert_id: int) -> dict[str, dict]:
    """The delivery rows of one alert, by recipient."""
    cur = db.conn.execute("SELECT * FROM deliveries WHERE alert_id = ?", [alert_id])
    return {row["recipient"]: row for row in _rows(cur)}


def mark_sending(
    db: sqlite_utils.Database,
    alert_id: int,
    recipient: str,
    mid: str,
    now: datetime | str,
    *,
    retake: bool = False,
    channel: str = "email",
) -> bool:
    """Record, and commit, that this copy is being handed over (before DATA completes).

    One statement, so it is also the copy's lock: it returns False (and writes nothing) when a
    row already exists, i.e. another sender holds or settled this copy. ``retake=True`` (for
    idempotent transports) takes over a row left in ``sending``.
    """
    conflict = "DO UPDATE SET attempted_at = excluded.attempted_at WHERE state = 'sending'"
    cur = db.conn.execute(
        "INSERT INTO deliveries (alert_id, recipient, message_id, state, attempted_at, channel)"
        " VALUES (?, ?, ?, 'sending', ?, ?) ON CONFLICT (alert_id, recipient) "
        + (conflict if retake else "DO NOTHING"),
        [alert_id, recipient, mid, stamp(now), channel],
    )
    return cur.rowcount == 1


def mark_accepted(
    db: sqlite_utils.Database, alert_id: int, recipient: str, now: datetime | str
) -> None:
    db.conn.execute(
        "UPDATE deliveries SET state = 'accepted', accepted_at = ? WHERE alert_id = ? AND recipient = ?",
        [stamp(now), alert_id, recipient],
    )


def mark_refused(
    db: sqlite_utils.Database,
    alert_id: int,
    recipient: str,
    mid: str,
    now: datetime | str,
    channel: str = "email",
) -> None:
    """A 5xx for this copy (at RCPT, before any ``sending`` row, or at the end of DATA)."""
    db.conn.execute(
        "INSERT INTO deliveries (alert_id, recipient, message_id, state, attempted_at, channel)"
        " VALUES (?, ?, ?, 'refused', ?, ?) ON CONFLICT (alert_id, recipient) DO UPDATE SET"
        " state = 'refused'",
        [alert_id, recipient, mid, stamp(now), channel],
    )


def mark_unconfirmed(db: sqlite_utils.Database, alert_id: int, recipient: str) -> None:
    db.conn.execute(
        "UPDATE deliveries SET state = 'unconfirmed' WHERE alert_id = ? AND recipient = ?",
        [alert_id, recipient],
    )


def forget_attempt(db: sqlite_utils.Database, alert_id: int, recipient: str) -> None:
    """The server certainly did not take this copy (refused before the end of DATA, or 4xx)."""
    db.conn.execute(
        "DELETE FROM deliveries WHERE alert_id = ? AND recipient = ? AND state = 'sending'",
        [alert_id, recipient],
    )


# -- the end of an attempt --------------------------------------------------------------------


def finish_attempt(
    db: sqlite_utils.Database,
    alert: dict,
    recipients: list[str],
    *,
    now: datetime | str,
    error: str | None,
    max_backoff: int,
) -> str:
    """Set the alert's status from its delivery rows after one attempt; return the status.

    Recipients still without a final row make it ``pending`` again, with
    ``next_attempt = now + min(2**attempts minutes, max_backoff)``.
    """
    rows = deliveries(db, alert["id"])
    states = [rows[r]["state"] if r in rows else None for r in recipients]
    attempts = (alert.get("attempts") or 0) + 1
    ts = stamp(now)
    if not recipients or any(s not in FINAL_STATES for s in states):
        status = "pending"
        delay = min(60 * 2**attempts, max_backoff)
        nxt = stamp(datetime.fromisoformat(ts) + timedelta(seconds=delay))
    elif all(s == "refused" for s in states):
        status, nxt = "failed", None
    elif "unconfirmed" in states:
        status, nxt = "unconfirmed", None
    else:
        status, nxt = "sent", None
    accepted = [
        rows[r]["message_id"] for r in recipients if r in rows and rows[r]["state"] == "accepted"
    ]
    db.conn.execute(
        "UPDATE alerts SET status = ?, attempts = ?, last_error = ?, next_attempt = ?,"
        " sent = CASE WHEN ? = 'sent' THEN ? ELSE sent END, message_id = ? WHERE id = ?",
        [status, attempts, error, nxt, status, ts, " ".join(accepted) or None, alert["id"]],
    )
    if alert["event"] == "digest":
        members = json.loads(alert["payload"] or "{}").get("alert_ids", [])
        member_status = "grouped" if status == "pending" else status
        for mid in members:
            db.conn.execute(
                "UPDATE alerts SET status = ?, sent = CASE WHEN ? = 'sent' THEN ? ELSE sent END,"
                " last_error = ? WHERE id = ?",
                [member_status, member_status, ts, f"digest #{alert['id']}", mid],
            )
    return status


# -- digests ----------------------------------------------------------------------------------


def pending_digest(db: sqlite_utils.Database, profile: str | None = None) -> list[dict]:
    """Digest-mode alerts not yet in a digest (of one profile, or all), oldest first."""
    sql = "SELECT * FROM alerts WHERE status = 'pending' AND mode = 'digest'"
    params: list = []
    if profile is not None:
        sql += " AND coalesce(profile, 'default') = ?"
        params.append(profile)
    return _rows(db.conn.execute(sql + " ORDER BY id", params))


def digest_profiles(db: sqlite_utils.Database) -> list[str]:
    """Profiles with digest-mode alerts waiting."""
    cur = db.conn.execute(
        "SELECT DISTINCT coalesce(profile, 'default') FROM alerts"
        " WHERE status = 'pending' AND mode = 'digest' ORDER BY 1"
    )
    return [r[0] for r in cur.fetchall()]


def enqueue_digest(db: sqlite_utils.Database, members: list[dict], now: datetime | str) -> int:
    """Group ``members`` (one profile's) into one digest alert, delivered like an immediate one,
    to every recipient and channel the members are owed to. In a transaction."""
    recipients: list[str] = []
    channels: list[str] = []
    for m in members:
        for r in json.loads(m["recipients"] or "[]"):
            if r not in recipients:
                recipients.append(r)
        for c in json.loads(m.get("channels") or "[]"):
            if c not in channels:
                channels.append(c)
    ids = [m["id"] for m in members]
    digest_id = enqueue(
        db,
        event="digest",
        item_id=None,
        source=None,
        run_id=None,
        recipients=recipients,
        mode="immediate",
        payload={"alert_ids": ids},
        now=now,
        profile=members[0].get("profile") or "default" if members else "default",
        channels=channels,
    )
    db.conn.executemany(
        "UPDATE alerts SET status = 'grouped', last_error = ? WHERE id = ?",
        [(f"digest #{digest_id}", i) for i in ids],
    )
    return digest_id


def members(db: sqlite_utils.Database, digest: dict) -> list[dict]:
    ids = json.loads(digest["payload"] or "{}").get("alert_ids", [])
    if not ids:
        return []
    cur = db.conn.execute(
        f"SELECT * FROM alerts WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id", ids
    )
    return _rows(cur)


# -- operator actions and listings ------------------------------------------------------------


def requeue(db: sqlite_utils.Database, alert_id: int, now: datetime | str) -> list[str]:
    """Give the copies not accepted (unconfirmed, refused, stuck sending) another attempt.

    Returns the recipients requeued. In a transaction. Accepted copies are never resent.
    """
    rows = deliveries(db, alert_id)
    again = [r for r, row in rows.items() if row["state"] != "accepted"]
    db.conn.execute("DELETE FROM deliveries WHERE alert_id = ? AND state != 'accepted'", [alert_id])
    db.conn.execute(
        "UPDATE alerts SET status = 'pending', next_attempt = ?, last_error = NULL WHERE id = ?",
        [stamp(now), alert_id],
    )
    return again


def listing(db: sqlite_utils.Database, *, status: str | None = None, limit: int = 50) -> list[dict]:
    """Newest alerts first, for ``vigie alerts list``."""
    sql = (
        "SELECT id, created, event, source, item_id, mode, status, attempts, last_error,"
        " next_attempt, sent, recipients, payload, profile, channels FROM alerts"
    )
    params: list = []
    if status:
        sql += " WHERE status = ?"
        params.append(status)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return _rows(db.conn.execute(sql, params))


def pending_count(db: sqlite_utils.Database) -> int:
    """Immediate alerts still waiting for delivery (digest-mode ones wait for the digest)."""
    return db.conn.execute(
        "SELECT count(*) FROM alerts WHERE status = 'pending' AND mode = 'immediate'"
    ).fetchone()[0]


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    cur = db.conn.execute("SELECT status, count(*) FROM alerts GROUP BY status")
    return {status: n for status, n in cur.fetchall()}


def delivery_states(db: sqlite_utils.Database, alert_ids: list[int]) -> dict[int, dict[str, str]]:
    """alert id → {channel ("email" or a name): state, worst first}: one line per channel for
    ``vigie alerts list`` (an e-mail channel is as good as its least delivered copy)."""
    if not alert_ids:
        return {}
    rank = {"sending": 0, "unconfirmed": 1, "refused": 2, "accepted": 3}
    out: dict[int, dict[str, str]] = {}
    cur = db.conn.execute(
        f"SELECT alert_id, coalesce(channel, 'email'), state FROM deliveries"
        f" WHERE alert_id IN ({', '.join('?' * len(alert_ids))})",
        alert_ids,
    )
    for aid, channel, state in cur.fetchall():
        states = out.setdefault(aid, {})
        if channel not in states or rank.get(state, 0) < rank.get(states[channel], 0):
            states[channel] = state
    return out
