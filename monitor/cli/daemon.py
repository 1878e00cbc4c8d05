"""``vigie run`` (the daemon) and ``vigie status``. Options in, library calls out."""

from __future__ import annotations

import json

import click

from monitor.config import Config, load_config


def _config(ctx: click.Context) -> tuple[Config, str]:
    obj = ctx.find_root().obj or {}
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
    return obj["config"], obj.get("config_path") or "config.toml"


@click.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the scheduler: every enabled source on its schedule, alerts, digest (until SIGTERM)."""
    from monitor.cli.where import where_lines
    from monitor.daemon.service import Daemon
    from monitor.logs import setup_logging

    cfg, path = _config(ctx)
    for line in where_lines(cfg, path):  # where the archive, log and mails go (issue 10)
        click.echo(line)
    setup_logging(cfg)
    ctx.exit(Daemon(cfg, path).run())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Is the daemon alive; per source: last run, outcome, counts, next run, health."""
    from monitor.daemon.status import collect, render
    from storage.db import close_db, open_db

    cfg, _ = _config(ctx)
    db = open_db(cfg.db_path)
    try:
        data = collect(db, cfg)
    finally:
        close_db(db)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else render(data))
