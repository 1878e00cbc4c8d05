"""``vigie gaps``: written-question numbers never seen, per legislature. Options in, library out."""

from __future__ import annotations

import click

from monitor.config import AssembleeSource, Config, load_config
from storage.queries import format_ranges, qe_gaps, qe_legislatures


def _config(ctx: click.Context) -> Config:
    obj = ctx.find_root().obj or {}
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
    return obj["config"]


def gap_lines(db, legislatures: list[int], source: str | None) -> list[str]:
    """One report line per legislature, then the missing numbers as ranges."""
    lines = []
    for leg in legislatures:
        g = qe_gaps(db, leg, source)
        if g.lowest is None:
            lines.append(f"legislature {leg}: no written question (QE) stored")
            continue
        lines.append(
            f"legislature {leg}: QE {g.lowest}-{g.highest}, {g.count} missing"
            + (f": {format_ranges(g.ranges)}" if g.ranges else "")
        )
    return lines


@click.command()
@click.option("--legislature", type=int, help="Only this legislature (default: every one stored).")
@click.option("--source", help="Only items of this source (default: every Assemblée source).")
@click.pass_context
def gaps(ctx: click.Context, legislature: int | None, source: str | None) -> None:
    """List written-question (QE) numbers missing between the lowest and highest seen."""
    from monitor.errors import ConfigError
    from storage.db import open_db

    cfg = _config(ctx)
    if source is not None:
        src = cfg.sources.get(source)
        if not isinstance(src, AssembleeSource):
            names = ", ".join(n for n, s in cfg.sources.items() if isinstance(s, AssembleeSource))
            raise ConfigError(
                [f"--source {source!r} is not an Assemblée source; configured: {names or 'none'}"]
            )
    db = open_db(cfg.db_path)
    legislatures = [legislature] if legislature else qe_legislatures(db, source)
    if not legislatures:
        click.echo("no written question (QE) stored yet")
        return
    for line in gap_lines(db, legislatures, source):
        click.echo(line)
