"""Pending outbox rows → composed messages → transport → delivery log. Never lost, never doubled.

Delivery and crash semantics
----------------------------
Every alert is a row of the ``alerts`` table, written in the same transaction as the item change
(or the run) that caused it, so an alert exists exactly when its cause was stored. A sender
(``vigie alerts send``, the end of ``vigie crawl`` in immediate mode, the daemon every
``daemon.send_every``) takes the due rows with one atomic claim (a lease, so two senders never
work on the same alert) and sends one copy per recipient, each with its own stable Message-ID
``<vigie.ALERT.HASH@sender-domain>``. For each copy a ``deliveries`` row is written and committed
in state ``sending`` just before the message body is handed to the SMTP server, and turned into
``accepted`` when the server answers 250. An alert is ``sent`` once every copy is accepted.

*Server down, refused login, 4xx, link lost before the message was fully sent*: nothing was
accepted; the alert stays ``pending`` with ``attempts``, ``last_error`` and
``next_attempt = now + min(2^attempts minutes, alerts.retry_max_backoff)``. Nothing is dropped,
however long SMTP stays down; copies already accepted are never sent again.

*A 5xx for one recipient* (unknown mailbox, message rejected): final for that copy (delivery
``refused``, error in ``last_error``); the other recipients are served. An alert whose every
copy was refused is ``failed``; ``vigie alerts resend ID`` tries the refused copies again.

*A crash or a lost connection after the message was handed over but before the 250* leaves a
``sending`` row: the copy may or may not have arrived, and SMTP cannot tell. Vigie never resends
it automatically, so a recipient gets at most one copy: the next attempt marks it
``unconfirmed`` (the alert too, once its other copies are settled), ``vigie alerts list --status
unconfirmed`` shows it, and an operator who checked the mailbox runs ``vigie alerts resend ID``.
With the ``.eml`` file transport a retry rewrites the same file (named after the Message-ID), so
interrupted copies are simply written again.

Digest mode: item alerts wait with ``mode = "digest"`` until ``vigie alerts digest`` (or the
daemon at ``alerts.digest_at``) groups them into one ``digest`` alert, delivered like the others;
nothing is sent when nothing is pending. Health alerts are always immediate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import TYPE_CHECKING

from monitor.alerts.compose import compose_alert, compose_digest, compose_test
from monitor.alerts.transports import (
    ConnectFailed,
    CopyTaken,
    OutcomeUnknown,
    RecipientRefused,
    TransientFailure,
    Transport,
    transport_for,
)
from monitor.config import Config
from monitor.errors import ConfigError, DeliveryError
from storage import items as store_items
from storage import outbox
from storage.db import write_tx

if TYPE_CHECKING:
    import sqlite_utils


@dataclass
class DeliveryReport:
    sent: int = 0  # alerts fully delivered in this pass
    failed: int = 0  # alerts whose attempt failed (still pending, retried later)
    pending: int = 0  # immediate alerts still pending after the pass
    unconfirmed: int = 0  # alerts with a copy of unknown fate (operator: vigie alerts resend)
    refused: int = 0  # alerts every recipient refused for good
    errors: list[str] = field(default_factory=list)
    transport: str = ""

    def summary(self) -> str:
        parts = [f"{self.sent} sent", f"{self.failed} failed", f"{self.pending} pending"]
        parts += [
            f"{n} {k}"
            for k, n in (("unconfirmed", self.unconfirmed), ("refused", self.refused))
            if n
        ]
        return ", ".join(parts) + (f" ({self.transport})" if self.transport else "")

    def __str__(self) -> str:
        return self.summary()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def lease_seconds(cfg: Config) -> int:
    """How long a claimed alert is reserved for one sender."""
    return max(300, 4 * cfg.alerts.email.timeout)


def _item(db: sqlite_utils.Database, item_id: str | None) -> dict | None:
    return store_items.get_item(db, item_id)


def _recipients(alert: dict, cfg: Config) -> list[str]:
    """The recipients frozen in the alert; the configured ones if it was created without any."""
    return json.loads(alert["recipients"] or "[]") or list(cfg.alerts.email.recipients)


def build_message(
    db: sqlite_utils.Database, cfg: Config, alert: dict, recipient: str, mid: str
) -> EmailMessage:
    terms, exclude = cfg.watch.terms, cfg.watch.exclude
    labels = {name: src.label for name, src in cfg.sources.items() if src.label}
    sender = cfg.alerts.email.sender
    if alert["event"] == "digest":
        entries = []
        for member in outbox.members(db, alert):
            wanted = json.loads(member["recipients"] or "[]")
            if not wanted or recipient in wanted:
                entries.append((member, _item(db, member["item_id"])))
        return compose_digest(
            alert,
            entries,
            recipient=recipient,
            sender=sender,
            message_id=mid,
            terms=terms,
            exclude=exclude,
            labels=labels,
        )
    return compose_alert(
        alert,
        _item(db, alert["item_id"]),
        recipient=recipient,
        sender=sender,
        message_id=mid,
        terms=terms,
        exclude=exclude,
        labels=labels,
    )


def _send_copy(
    db, cfg: Config, transport: Transport, alert: dict, recipient: str, now: datetime
) -> str | None:
    """Hand one copy over; return an error line or None. Re-raises ConnectFailed."""
    aid, mid = alert["id"], outbox.message_id(alert["id"], recipient, cfg.alerts.email.sender)
    data = build_message(db, cfg, alert, recipient, mid).as_bytes(policy=policy.SMTP)

    def on_data() -> None:
        if not outbox.mark_sending(db, aid, recipient, mid, now, retake=transport.idempotent):
            raise CopyTaken(f"{recipient}: copy held by another sender")

    try:
        transport.send(cfg.alerts.email.sender, recipient, data, mid, on_data=on_data)
    except CopyTaken:
        return None  # another sender has it; its row decides
    except RecipientRefused as exc:
        outbox.mark_refused(db, aid, recipient, mid, now)
        return f"{recipient}: refused for good: {exc}"
    except OutcomeUnknown as exc:
        outbox.mark_unconfirmed(db, aid, recipient)
        return f"{recipient}: unconfirmed, not resent (vigie alerts resend {aid}): {exc}"
    except TransientFailure as exc:
        outbox.forget_attempt(db, aid, recipient)
        if isinstance(exc, ConnectFailed):
            raise
        return f"{recipient}: {exc}"
    outbox.mark_accepted(db, aid, recipient, now)
    return None


def _deliver_alert(
    db, cfg: Config, transport: Transport, alert: dict, now: datetime
) -> tuple[str, list[str]]:
    recipients = _recipients(alert, cfg)
    errors: list[str] = [] if recipients else ["no recipients: set alerts.email.recipients"]
    done = outbox.deliveries(db, alert["id"])
    connect_error: ConnectFailed | None = None
    for recipient in recipients:
        row = done.get(recipient)
        if row and row["state"] in outbox.FINAL_STATES:
            continue
        if row and row["state"] == "sending" and not transport.idempotent:
            outbox.mark_unconfirmed(db, alert["id"], recipient)
            errors.append(
                f"{recipient}: an earlier send was interrupted before the server's answer; "
                f"not resent (check, then vigie alerts resend {alert['id']})"
            )
            continue
        if connect_error is None:
            try:
                error = _send_copy(db, cfg, transport, alert, recipient, now)
            except ConnectFailed as exc:
                connect_error, error = exc, str(exc)
            if error:
                errors.append(error)
    with write_tx(db):
        status = outbox.finish_attempt(
            db,
            alert,
            recipients,
            now=now,
            error="; ".join(errors) or None,
            max_backoff=cfg.alerts.retry_max_backoff,
        )
    if connect_error is not None:
        raise connect_error
    return status, errors


def deliver_pending(
    db: sqlite_utils.Database,
    cfg: Config,
    now: datetime | None = None,
    *,
    ids: list[int] | None = None,
    limit: int = 500,
) -> DeliveryReport:
    """Deliver the due immediate alerts (item alerts in immediate mode, health alerts, digests)."""
    now = _now(now)
    alerts = outbox.claim(db, now, lease_seconds=lease_seconds(cfg), limit=limit, ids=ids)
    report = DeliveryReport()
    if alerts:
        transport = transport_for(cfg)
        report.transport = transport.name
        unreachable: str | None = None
        try:
            for alert in alerts:
                if unreachable is not None:
                    _postpone(db, cfg, alert, unreachable, now)
                    report.failed += 1
                    continue
                try:
                    status, errors = _deliver_alert(db, cfg, transport, alert, now)
                except ConnectFailed as exc:
                    unreachable, status, errors = str(exc), "pending", [str(exc)]
                _count(report, alert, status, errors)
        finally:
            transport.close()
    report.pending = outbox.pending_count(db)
    return report


def _postpone(db, cfg: Config, alert: dict, error: str, now: datetime) -> None:
    with write_tx(db):
        outbox.finish_attempt(
            db,
            alert,
            _recipients(alert, cfg),
            now=now,
            error=error,
            max_backoff=cfg.alerts.retry_max_backoff,
        )


def _count(report: DeliveryReport, alert: dict, status: str, errors: list[str]) -> None:
    if status == "sent":
        report.sent += 1
    elif status == "pending":
        report.failed += 1
    elif status == "unconfirmed":
        report.unconfirmed += 1
    elif status == "failed":
        report.refused += 1
    report.errors += [f"alert {alert['id']}: {e}" for e in errors]


def send_digest(
    db: sqlite_utils.Database, cfg: Config, now: datetime | None = None
) -> DeliveryReport:
    """Group the pending digest-mode alerts into one digest alert and deliver it now."""
    now = _now(now)
    with write_tx(db):
        members = outbox.pending_digest(db)
        digest_id = outbox.enqueue_digest(db, members, now) if members else None
    if digest_id is None:
        return DeliveryReport()
    return deliver_pending(db, cfg, now, ids=[digest_id])


def resend(
    db: sqlite_utils.Database, cfg: Config, alert_id: int, now: datetime | None = None
) -> DeliveryReport:
    """Operator action: send again the copies of one alert that were not accepted."""
    now = _now(now)
    with write_tx(db):
        if outbox.get(db, alert_id) is None:
            raise DeliveryError(f"no alert with id {alert_id} (see vigie alerts list)")
        outbox.requeue(db, alert_id, now)
    return deliver_pending(db, cfg, now, ids=[alert_id])


def send_test(cfg: Config) -> str:
    """Send one test message to each configured recipient; say where it went."""
    recipients = cfg.alerts.email.recipients
    if not recipients:
        raise ConfigError(['alerts.email.recipients: empty; add one, e.g. ["alice@example.org"]'])
    now = datetime.now(UTC)
    transport = transport_for(cfg)
    try:
        for r in recipients:
            token = hashlib.sha1(f"{now.isoformat()}{r}".encode()).hexdigest()[:12]
            mid = outbox.message_id(0, r, cfg.alerts.email.sender).replace(
                "vigie.0.", f"vigie.test.{token}."
            )
            msg = compose_test(
                recipient=r,
                sender=cfg.alerts.email.sender,
                message_id=mid,
                now=now,
                transport=transport.name,
            )
            transport.send(
                cfg.alerts.email.sender,
                r,
                msg.as_bytes(policy=policy.SMTP),
                mid,
                on_data=lambda: None,
            )
    finally:
        transport.close()
    return f"test message sent to {', '.join(recipients)} via {transport.name}"
