"""The ``vigie`` command: parse options, call library functions, translate errors.

This is the only place where exceptions become one line on stderr and an exit code:
0 success, 1 a run or delivery failed, 2 bad configuration or usage. ``--debug`` shows the
traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from monitor.config import Config, config_path, load_config, redacted
from monitor.errors import RunFailed, VigieError
from storage.db import DatabaseError, StorageError

logger = logging.getLogger("vigie")


def setup_logging(level: str = "INFO", log_file: str | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        from pathlib import Path

        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(
        level=getattr(logging, level),
        handlers=handlers,
        force=True,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


class VigieGroup(click.Group):
    """Turns VigieError (and storage errors) into one line + exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VigieError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            for line in _lines(exc):
                click.echo(f"Error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except (StorageError, DatabaseError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: database: {exc}", err=True)
            ctx.exit(1)


def _lines(exc: VigieError) -> list[str]:
    problems = getattr(exc, "problems", None)
    if problems:
        where = f"{exc.path}: " if getattr(exc, "path", None) else ""  # type: ignore[attr-defined]
        return [f"{where}{p}" for p in problems]
    return [str(exc)]


def get_config(ctx: click.Context) -> Config:
    obj = ctx.find_root().obj
    if "config" not in obj:
        obj["config"] = load_config(obj["config_path"])
    return obj["config"]


def with_config(f: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(f)
    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(f, get_config(ctx), *args, **kwargs)

    return wrapper


@click.group(cls=VigieGroup)
@click.option(
    "--config",
    "config",
    metavar="PATH",
    help="Config file (default $VIGIE_CONFIG or ./config.toml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="vigie")
@click.pass_context
def cli(ctx: click.Context, config: str | None, debug: bool) -> None:
    """Vigie: press and parliamentary watch."""
    ctx.obj = {"config_path": str(config_path(config)), "debug": debug}


@cli.command()
@click.option("--show", is_flag=True, help="Print the effective configuration (secrets masked).")
@with_config
def check(cfg: Config, show: bool) -> None:
    """Validate the configuration (exit 2 on error)."""
    if show:
        click.echo(json.dumps(redacted(cfg), indent=2, ensure_ascii=False))
    sources = ", ".join(cfg.enabled_sources()) or "none"
    click.echo(
        f"Configuration OK: {len(cfg.sources)} sources ({sources} enabled), database {cfg.db_path}"
    )


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Show what would be stored; write nothing.")
@click.option("--no-send", is_flag=True, help="Do not deliver alerts at the end (immediate mode).")
@with_config
def crawl(cfg: Config, sources: tuple[str, ...], dry_run: bool, no_send: bool) -> None:
    """Run one pass of SOURCES (default: every enabled source)."""
    from monitor.cli.progress import Progress
    from monitor.runs.launch import crawl_source

    names = _pick_sources(cfg, sources)
    setup_logging(cfg.daemon.log_level)
    path = click.get_current_context().find_root().obj["config_path"]
    prog = Progress(sys.stderr)
    results = []
    for name in names:
        result = crawl_source(
            cfg,
            path,
            name,
            dry_run=dry_run,
            progress=prog.update,
            log_level="WARNING" if prog.live else cfg.daemon.log_level,
        )
        prog.done(name)
        if dry_run:
            click.echo(result.output, nl=False)
        results.append(result)
    if not dry_run:
        click.echo(prog.summary(results))
        if not no_send and (cfg.alerts.mode == "immediate" or cfg.profiles):
            _deliver(cfg)
    failed = [r.source for r in results if r.outcome != "ok"]
    if failed:
        raise RunFailed(f"{len(failed)} of {len(results)} sources failed: {', '.join(failed)}")


def _deliver(cfg: Config) -> None:
    from monitor.alerts.deliver import deliver_pending
    from storage.db import open_db

    report = deliver_pending(open_db(cfg.db_path), cfg)
    click.echo(f"alerts: {report}")


def _pick_sources(cfg: Config, sources: tuple[str, ...]) -> list[str]:
    from monitor.errors import ConfigError

    if not sources:
        return list(cfg.enabled_sources())
    unknown = [s for s in sources if s not in cfg.sources]
    if unknown:
        raise ConfigError(
            [f"unknown source {s!r}; configured: {', '.join(cfg.sources)}" for s in unknown]
        )
    return list(sources)


@cli.command()
@with_config
def rematch(cfg: Config) -> None:
    """Apply the current terms of every profile ([watch] without profiles) to the whole archive, without recrawling or sending."""
    from monitor.ingest.rematch import rematch_all
    from storage.db import open_db
    from storage.item_profiles import counts

    db = open_db(cfg.db_path)
    n, changed = rematch_all(db, cfg)
    click.echo(f"rematched {n} items: {changed} changed their match (nothing sent)")
    per_profile = counts(db)
    for name in cfg.profiles or ["default"]:
        click.echo(f"  profile {name}: {per_profile.get(name, 0)} items match")


def _register_optional() -> None:
    """Sub-command groups living in their own modules (alerts, daemon, serve...)."""
    from importlib import import_module

    for module, attr in (
        ("monitor.cli.alerts", "alerts"),
        ("monitor.cli.daemon", "run"),
        ("monitor.cli.daemon", "status"),
        ("monitor.cli.parliament", "gaps"),
        ("monitor.cli.serve", "serve"),
    ):
        try:
            cmd = getattr(import_module(module), attr)
        except ModuleNotFoundError as exc:
            if not exc.name or not module.startswith(exc.name):
                raise
            continue
        cli.add_command(cmd)


_register_optional()


if __name__ == "__main__":
    cli()
