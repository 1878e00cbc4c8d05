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
@click.pass_context
def digest(ctx: click.Context) -> None:
    """Group the pending digest-mode alerts into one message and send it now."""
    from monitor.alerts.deliver import send_digest

    cfg = _config(ctx)
    report = send_digest(_db(cfg), cfg)
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
    from storage import outbox

    rows = outbox.listing(_db(_config(ctx)), status=status, limit=limit)
    if not rows:
        click.echo("no alerts" + (f" with status {status}" if status else ""))
        return
    header = ("id", "created", "event", "source", "item", "status", "attempts", "last error")
    table = [header] + [_row(r) for r in rows]
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header) - 1)]
    for line in table:
        cells = [str(c).ljust(w) for c, w in zip(line, widths, strict=False)]
        click.echo("  ".join([*cells, str(line[-1])]).rstrip())


def _row(r: dict) -> tuple:
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
        status,
        r["attempts"],
        error[:120],
    )


@alerts.command()
@click.pass_context
def test(ctx: click.Context) -> None:
    """Send one test message to alerts.email.recipients to check the mail settings."""
    from monitor.alerts.deliver import send_test

    click.echo(send_test(_config(ctx)))


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
