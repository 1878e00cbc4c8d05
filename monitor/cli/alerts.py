"""``vigie alerts …``: deliver, digest, list, test, resend. Options in, library calls out."""

from __future__ import annotations

import json
from typing import Any

import click

from monitor.config import Config, load_config
from monitor.errors import DeliveryError

STATUSES = ("pending", "grouped", "sent", "unconfirmed", "failed")


def _config(ctx: click.Context) -> Config:
    obj = ctx.find_root().obj or {}
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
    return obj["config"]


def _db(cfg: Config) -> Any:
    from storage.db import open_db

    return open_db(cfg.db_path)


def _finish(report: Any) -> None:
    click.echo(f"alerts: {report.summary()}")
    for line in report.errors:
        click.echo(f"  {line}", err=True)
    if report.failed and not report.sent:
        raise DeliveryError(
            f"{report.failed} alert(s) could not be delivered; they stay pending and will be retried"
        )


@click.group()
def alerts() -> None:
    """The alert outbox: deliver, digest, list, test, resend."""


@alerts.command()
@click.pass_context
def send(ctx: click.Context) -> None:
    """Deliver the pending alerts now (immediate ones and health alerts)."""
    from monitor.alerts.deliver import deliver_pending

    cfg = _config(ctx)
    _finish(deliver_pending(_db(cfg), cfg))


@alerts.command()
@click.option("--profile", help="Only this profile's digest (default: every profile's).")
@click.pass_context
def digest(ctx: click.Context, profile: str | None) -> None:
    """Group the pending digest-mode alerts into one message per profile and send it now."""
    from monitor.alerts.deliver import send_digest

    cfg = _config(ctx)
    report = send_digest(_db(cfg), cfg, profile=profile)
    if not (report.sent or report.failed or report.unconfirmed or report.refused):
        click.echo("digest: nothing new, nothing sent")
        return
    _finish(report)


@alerts.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only alerts in this status.")
@click.option("--limit", default=50, show_default=True, help="How many (newest first).")
@click.pass_context
def list_(ctx: click.Context, status: str | None, limit: int) -> None:
    """Show the outbox: id, created, event, source, item, status, attempts, last error."""
    from storage import channel_health, outbox

    cfg = _config(ctx)
    db = _db(cfg)
    rows = outbox.listing(db, status=status, limit=limit)
    health = channel_health.states(db)
    for name in cfg.channels:
        h = health.get(name) or {}
        state = h.get("state") or "never used"
        fails = h.get("consecutive_failures") or 0
        line = f"channel {name}: {state}" + (f", {fails} failed pass(es) in a row" if fails else "")
        if fails and h.get("last_error"):
            line += f" (last error: {h['last_error'][:160]})"
        click.echo(line)
    if not rows:
        click.echo("no alerts" + (f" with status {status}" if status else ""))
        return
    states = outbox.delivery_states(db, [r["id"] for r in rows])
    header = (
        "id",
        "created",
        "event",
        "source",
        "item",
        "profile",
        "status",
        "attempts",
        "channels",
        "last error",
    )
    table = [header] + [_row(r, states.get(r["id"], {})) for r in rows]
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header) - 1)]
    for line in table:
        cells = [str(c).ljust(w) for c, w in zip(line, widths, strict=False)]
        click.echo("  ".join([*cells, str(line[-1])]).rstrip())


def _channel_states(r: dict, states: dict[str, str]) -> str:
    """``email:accepted slack:pending``: each way out of this alert and where its copy is."""
    wanted = (["email"] if json.loads(r.get("recipients") or "[]") else []) + json.loads(
        r.get("channels") or "[]"
    )
    if r["event"] != "digest" and r["status"] == "grouped":
        return "(in digest)"
    return " ".join(f"{c}:{states.get(c, 'pending')}" for c in wanted)


def _row(r: dict, states: dict[str, str] | None = None) -> tuple:
    status = r["status"]
    if status == "pending" and r["mode"] == "digest":
        status = "pending (digest)"
    error = (r["last_error"] or "").replace("\n", " ")
    item = r["item_id"] or (
        f"{len(json.loads(r.get('payload') or '{}').get('alert_ids', []))} alerts"
        if r["event"] == "digest"
        else ""
    )
    return (
        r["id"],
        (r["created"] or "")[:16].replace("T", " "),
        r["event"],
        r["source"] or "",
        item,
        r.get("profile") or "default",
        status,
        r["attempts"],
        _channel_states(r, states or {}),
        error[:120],
    )


@alerts.command()
@click.pass_context
def test(ctx: click.Context) -> None:
    """Send one test message to the e-mail recipients and to each channel; say which failed and why."""
    from monitor.alerts.deliver import send_test_all

    ok, failed = send_test_all(_config(ctx))
    for line in ok:
        click.echo(f"ok      {line}")
    for line in failed:
        click.echo(f"FAILED  {line}")
    if failed:
        raise DeliveryError(f"{len(failed)} way(s) out failed the test (see above)")


@alerts.command()
@click.argument("alert_id", type=int)
@click.pass_context
def resend(ctx: click.Context, alert_id: int) -> None:
    """Send again the copies of ALERT_ID that were not accepted (unconfirmed or refused).

    An unconfirmed copy may have arrived (the sender died before the server's answer): ask the
    recipient first. Copies already accepted are never sent again.
    """
    from monitor.alerts.deliver import resend as resend_alert

    cfg = _config(ctx)
    _finish(resend_alert(_db(cfg), cfg, alert_id))
