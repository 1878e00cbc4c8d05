"""Generate the README's configuration and command references from the code itself.

Why: a reference written by hand drifts; these are spliced into README.md by cog
(``cog -r README.md``) and ``tests/test_docs.py`` fails when the README is out of date.
"""

from __future__ import annotations

from typing import Any

import click
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from monitor import config as c
from monitor.sources.registry import FAMILIES

#: every documented table; the source families' rows come from the registry
SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("storage", c.StorageConfig),
    ("crawl", c.CrawlConfig),
    ("watch", c.WatchConfig),
    ("sources.<name> (every spider)", c.SourceBase),
    *(
        row
        for family in FAMILIES.values()
        for row in ((family.doc, family.model), *family.doc_tables)
    ),
    ("alerts", c.AlertsConfig),
    ("alerts.email", c.EmailConfig),
    ("channels.<name>", c.ChannelConfig),
    ("profiles.<name>", c.ProfileConfig),
    ("daemon", c.DaemonConfig),
    ("scrapyd", c.ScrapydConfig),
    ("serve", c.ServeConfig),
]


def _default(field: Any) -> str:
    d = field.default
    if d is PydanticUndefined:
        return "(required)"
    if isinstance(d, BaseModel):
        return "(table)"
    if d is None:
        return "unset"
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, str):
        return f'"{d}"'
    return str(d).replace("'", '"')


def config_reference() -> str:
    out = []
    base_keys = set(c.SourceBase.model_fields)
    for title, model in SECTIONS:
        out.append(f"\n#### `[{title}]`\n")
        out.append("| key | default | meaning |")
        out.append("| --- | --- | --- |")
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            if (
                model is not c.SourceBase
                and issubclass(model, c.SourceBase)
                and name in base_keys
                and name != "url"
            ):
                continue
            if isinstance(field.default, BaseModel):
                continue
            desc = (field.description or "").replace("|", "\\|")
            out.append(f"| `{name}` | `{_default(field)}` | {desc} |")
    return "\n".join(out).strip() + "\n"


def command_reference() -> str:
    from monitor.cli.main import cli

    out = []

    def walk(cmd: click.Command, prefix: str) -> None:
        if isinstance(cmd, click.Group):
            for name in sorted(cmd.commands):
                walk(cmd.commands[name], f"{prefix} {name}")
            return
        params = " ".join(
            p.get_usage_pieces(click.Context(cmd))[0]
            if p.get_usage_pieces(click.Context(cmd))
            else ""
            for p in cmd.params
            if isinstance(p, click.Argument)
        )
        help_ = (cmd.help or "").strip().splitlines()[0] if cmd.help else ""
        opts = ", ".join(
            o
            for p in cmd.params
            if isinstance(p, click.Option)
            for o in p.opts
            if o.startswith("--")
        )
        line = f"| `{prefix}{(' ' + params) if params else ''}` | {help_} |"
        if opts:
            line = line[:-2] + f" Options: `{opts}`. |"
        out.append(line)

    out.append("| command | what it does |")
    out.append("| --- | --- |")
    walk(cli, "vigie")
    return "\n".join(out) + "\n"
