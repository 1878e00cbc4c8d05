"""``vigie serve``: browse and search the archive with Datasette (library in monitor/web/serve.py)."""

from __future__ import annotations

import asyncio
import sys

import click

from monitor.config import Config, load_config


def _config(ctx: click.Context) -> Config:
    # Not monitor.cli.main.get_config: importing monitor.cli.main from here is circular under `python -m`.
    obj = ctx.find_root().obj or {}
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
    return obj["config"]


@click.command()
@click.option(
    "--host", default=None, help="Address to listen on (default [serve] host, 127.0.0.1)."
)
@click.option(
    "--port", type=int, default=None, help="Port to listen on (default [serve] port, 8001)."
)
@click.option(
    "--allow-sql/--no-allow-sql",
    default=None,
    help="Allow arbitrary SQL (default [serve] allow_sql; unset: on for loopback only).",
)
@click.option(
    "--get",
    "get_path",
    metavar="PATH",
    help="Do not serve: print the response to one path (e.g. /vigie/items.json) and exit "
    "(0 on HTTP 200, 1 otherwise).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    allow_sql: bool | None,
    get_path: str | None,
) -> None:
    """Serve the archive with Datasette: search, facets, canned queries, Atom feeds."""
    from monitor.web.serve import build_datasette, get, run, sql_allowed

    cfg = _config(ctx)

    host = host or cfg.serve.host
    port = port or cfg.serve.port
    allowed = sql_allowed(host, cfg.serve.allow_sql if allow_sql is None else allow_sql)
    ds = build_datasette(cfg.db_path, allow_sql=allowed, config=cfg)
    if get_path:
        status, text = asyncio.run(get(ds, get_path))
        click.echo(text)
        sys.exit(0 if status == 200 else 1)
    click.echo(
        f"Serving {cfg.db_path} at http://{host}:{port}/vigie "
        f"(read-only; arbitrary SQL {'allowed' if allowed else 'refused'})",
        err=True,
    )
    run(ds, host, port)
