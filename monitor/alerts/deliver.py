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

from monitor.alerts.channels import ChannelTransport
from monitor.alerts.chat import chat_alert, chat_digest, chat_test
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
from storage import channel_health, outbox
from storage import items as store_items
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


def _channels(alert: dict) -> list[str]:
    """The chat channels frozen in the alert (``[channels.NAME]`` names)."""
    return list(json.loads(alert.get("channels") or "[]"))


def _recipients(alert: dict, cfg: Config) -> list[str]:
    """The recipients frozen in the alert; the configured ones if it was created without any
    (and without channels: an alert for a chat-only profile has no e-mail copy)."""
    frozen = json.loads(alert["recipients"] or "[]")
    if frozen or _channels(alert):
        return frozen
    return list(cfg.alerts.email.recipients)


def _targets(alert: dict, cfg: Config) -> list[str]:
    """Every copy the alert is owed: e-mail addresses, then channel names (the delivery rows'
    ``recipient`` key: an address has an @, a channel name never does)."""
    return [*_recipients(alert, cfg), *_channels(alert)]


def _terms(cfg: Config, alert: dict) -> tuple[list[str], list[str]]:
    """The terms to highlight: the alert's profile's, else [watch]."""
    profile = cfg.profiles.get(alert.get("profile") or "")
    if profile is not None:
        return (
            profile.terms if profile.terms is not None else cfg.watch.terms,
            profile.exclude if profile.exclude is not None else cfg.watch.exclude,
        )
    return cfg.watch.terms, cfg.watch.exclude


def build_message(
    db: sqlite_utils.Database, cfg: Config, alert: dict, recipient: str, mid: str
) -> EmailMessage:
    terms, exclude = _terms(cfg, alert)
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


def build_chat(
    db: sqlite_utils.Database, cfg: Config, alert: dict, channel: str
) -> tuple[str, str]:
    """(title, body) of one alert for one chat channel: plain text, cut with an archive link."""
    terms, exclude = _terms(cfg, alert)
    labels = {name: src.label for name, src in cfg.sources.items() if src.label}
    ch = cfg.channels.get(channel)
    archive, max_chars = cfg.serve.archive_base(), ch.max_chars if ch else 1500
    if alert["event"] == "digest":
        entries = [(m, _item(db, m["item_id"])) for m in outbox.members(db, alert)]
        return chat_digest(
            alert,
            entries,
            archive=archive,
            max_chars=max_chars,
            terms=terms,
            exclude=exclude,
            labels=labels,
        )
    return chat_alert(
        alert,
        _item(db, alert["item_id"]),
        archive=archive,
        max_chars=max_chars,
        terms=terms,
        exclude=exclude,
        labels=labels,
    )


class ChannelDown(TransientFailure):
    """This channel failed in this pass: its other copies wait for the next one."""


def _send_chat(
    db, cfg: Config, chats: dict[str, ChannelTransport], alert: dict, channel: str, now: datetime
) -> str | None:
    """Post one alert to one channel; return an error line or None. Raises ChannelDown."""
    aid, mid = alert["id"], f"<vigie.{alert['id']}.{channel}>"
    if channel not in cfg.channels:
        outbox.mark_refused(db, aid, channel, mid, now, channel=channel)
        return f"{channel}: no [channels.{channel}] in the config any more; copy dropped (refused)"
    title, body = build_chat(db, cfg, alert, channel)
    # committed before the request: a crash after this leaves "sending" → unconfirmed, not resent
    if not outbox.mark_sending(db, aid, channel, mid, now, channel=channel):
        return None  # another sender holds or settled this copy
    chat = chats.setdefault(channel, ChannelTransport(channel, cfg.channels[channel]))
    try:
        chat.send(title, body)
    except OutcomeUnknown as exc:
        outbox.mark_unconfirmed(db, aid, channel)
        return f"{channel}: unconfirmed, not resent (vigie alerts resend {aid}): {exc}"
    except TransientFailure as exc:
        outbox.forget_attempt(db, aid, channel)
        raise ChannelDown(str(exc)) from None
    outbox.mark_accepted(db, aid, channel, now)
    return None


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
    db,
    cfg: Config,
    transport: Transport,
    alert: dict,
    now: datetime,
    down: dict[str, str] | None = None,
    chats: dict[str, ChannelTransport] | None = None,
) -> tuple[str, list[str]]:
    """Every copy of one alert not yet settled: e-mail recipients, then channels.

    ``down`` (channel → error; ``email`` for the mail server) collects the ways out that failed
    in this pass: their remaining copies wait for the next pass instead of failing again."""
    down = {} if down is None else down
    chats = {} if chats is None else chats
    recipients = _recipients(alert, cfg)
    channels = _channels(alert)
    errors: list[str] = (
        [] if recipients or channels else ["no recipients: set alerts.email.recipients"]
    )
    done = outbox.deliveries(db, alert["id"])
    connect_error: ConnectFailed | None = None
    if "email" in down and any(
        not (done.get(r) and done[r]["state"] in outbox.FINAL_STATES) for r in recipients
    ):
        errors.append(down["email"])
    for recipient in recipients:
        if "email" in down:
            break
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
                down["email"] = str(exc)
            if error:
                errors.append(error)
    for channel in channels:
        row = done.get(channel)
        if row and row["state"] in outbox.FINAL_STATES:
            continue
        if row and row["state"] == "sending":
            # a sender died (or the link broke) after posting, before the answer: the message
            # may be in the channel already; never resent automatically
            outbox.mark_unconfirmed(db, alert["id"], channel)
            errors.append(
                f"{channel}: an earlier post was interrupted before the service's answer; "
                f"not resent (check, then vigie alerts resend {alert['id']})"
            )
            continue
        if channel in down:
            errors.append(down[channel])
            continue
        try:
            error = _send_chat(db, cfg, chats, alert, channel, now)
        except ChannelDown as exc:
            down[channel] = error = str(exc)
        if error:
            errors.append(error)
    with write_tx(db):
        status = outbox.finish_attempt(
            db,
            alert,
            [*recipients, *channels],
            now=now,
            error="; ".join(errors) or None,
            max_backoff=cfg.alerts.retry_max_backoff,
        )
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
        down: dict[str, str] = {}
        chats: dict[str, ChannelTransport] = {}
        tried: set[str] = set()
        try:
            for alert in alerts:
                said = set(down.values())  # a way out found down: say it once per pass
                status, errors = _deliver_alert(db, cfg, transport, alert, now, down, chats)
                errors = [e for e in errors if e not in said]
                tried.update(_channels(alert))
                _count(report, alert, status, errors)
        finally:
            transport.close()
        _channel_health(db, cfg, tried, down, now)
    report.pending = outbox.pending_count(db)
    return report


HEALTH_CHANNEL_DOWN = "health_channel_down"
HEALTH_CHANNEL_RECOVERED = "health_channel_recovered"


def _channel_health(db, cfg: Config, tried: set[str], down: dict[str, str], now: datetime) -> None:
    """Count each channel's failed passes; after ``alerts.channel_failures_before_alert`` in a
    row, one health alert goes out through every *other* way (e-mail and the other channels);
    another when it works again."""
    ts = outbox.stamp(now)
    for channel in sorted(tried):
        if channel not in cfg.channels:
            continue
        with write_tx(db):
            if channel in down:
                fire = channel_health.record_failure(
                    db, channel, down[channel], ts, cfg.alerts.channel_failures_before_alert
                )
                event, advice = (
                    HEALTH_CHANNEL_DOWN,
                    "Les alertes de ce canal attendent dans la file et partiront à son retour. "
                    "Vérifier l'URL du canal et le service (vigie alerts test).",
                )
            else:
                fire = channel_health.record_success(db, channel, ts)
                event, advice = HEALTH_CHANNEL_RECOVERED, "Les alertes en attente sont parties."
            others = [c for c in cfg.channels if c != channel]
            if fire and not (cfg.alerts.email.recipients or others):
                fire = False  # no other way out: the state shows in `vigie alerts list` only
            if fire:
                row = channel_health.states(db).get(channel, {})
                outbox.enqueue(
                    db,
                    event=event,
                    item_id=None,
                    source=channel,
                    run_id=None,
                    recipients=list(cfg.alerts.email.recipients),
                    mode="immediate",
                    payload={
                        "reason": down.get(channel, ""),
                        "failures": row.get("consecutive_failures"),
                        "broken_since": row.get("down_since") or "",
                        "advice": advice,
                    },
                    now=now,
                    profile="health",
                    channels=others,
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
    db: sqlite_utils.Database,
    cfg: Config,
    now: datetime | None = None,
    *,
    profile: str | None = None,
) -> DeliveryReport:
    """Group the pending digest-mode alerts of ``profile`` (default: of every profile) into one
    digest alert per profile and deliver them now."""
    now = _now(now)
    ids: list[int] = []
    with write_tx(db):
        names = [profile] if profile is not None else outbox.digest_profiles(db)
        for name in names:
            members = outbox.pending_digest(db, name)
            if members:
                ids.append(outbox.enqueue_digest(db, members, now))
    if not ids:
        return DeliveryReport()
    return deliver_pending(db, cfg, now, ids=ids)


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


def send_test_all(cfg: Config) -> tuple[list[str], list[str]]:
    """One test message to the e-mail recipients and to each configured channel.

    Returns (lines that went, lines that failed with why); nothing is written to the outbox."""
    ok: list[str] = []
    failed: list[str] = []
    recipients = sorted(
        {*cfg.alerts.email.recipients, *(r for p in cfg.profiles.values() for r in p.recipients)}
    )
    if recipients:
        try:
            ok.append("email: " + send_test(cfg, recipients))
        except (DeliveryError, ConfigError) as exc:
            failed.append(f"email: {exc}")
    now = datetime.now(UTC)
    for name, ch in cfg.channels.items():
        transport = ChannelTransport(name, ch)
        try:
            transport.send(*chat_test(now, name))
        except DeliveryError as exc:
            failed.append(f"{name}: {exc}")
        else:
            ok.append(f"{name}: test message posted")
    if not recipients and not cfg.channels:
        failed.append(
            'nothing to test: set alerts.email.recipients (e.g. ["alice@example.org"]) '
            "or add a [channels.NAME] table"
        )
    return ok, failed


def send_test(cfg: Config, recipients: list[str] | None = None) -> str:
    """Send one test message to each configured recipient; say where it went."""
    recipients = list(recipients or cfg.alerts.email.recipients)
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
