"""Serve the archive with Datasette 0.65: shipped metadata, read-only, while the daemon writes.

Why build the ``Datasette`` object here instead of shelling out to ``datasette serve``: the
database is always mounted under the name ``vigie`` (the canned queries in
``monitor/web/datasette/metadata.yaml`` are keyed by it), whatever the file is called, and the same
object serves both the real server (uvicorn, as ``datasette serve`` does) and the cheap
in-process ``vigie serve --get PATH`` check.

Read-only, three ways: Datasette opens a mutable file database with ``mode=ro`` for its reads
(not ``immutable``, so rows the daemon writes after start are visible at once); the shipped
metadata has no writable canned query and no write plugin is installed; and the
``vigie_render`` plugin sets ``PRAGMA query_only`` on every connection to the archive, so even
Datasette's own write connection cannot change it.

Arbitrary SQL (``execute-sql``) follows ``[serve] allow_sql``; unset, it is on when bound to a
loopback address and off otherwise (Datasette's ``default_allow_sql`` setting). Canned queries,
table pages, ``?_search=`` and facets keep working when it is off.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from datasette.app import Datasette
from datasette.database import Database

from storage.db import open_db

if TYPE_CHECKING:
    from monitor.config import Config

DB_NAME = "vigie"
CONFIG_DIR = Path(__file__).resolve().parent / "datasette"
METADATA = CONFIG_DIR / "metadata.yaml"

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,
    "allow_download": False,  # the archive file is for the daemon, not for download
}


PRIVATE_TABLES = ("alerts", "deliveries")
#: plumbing: hidden from the database page (still reachable by URL, read-only like the rest)
TECHNICAL_TABLES = (
    "http_validators",
    "deliveries",
    "alerts",
    "runs",
    "daemon",
    "source_health",
    "source_state",
)


def front_settings(cfg: Config | None) -> dict[str, Any]:
    """What the front and item pages need from the config (the ``vigie`` plugin config):
    display names, schedules, enabled flags, watch terms. Nothing secret goes here: this is
    visible at ``/-/metadata``."""
    if cfg is None:
        return {}
    from monitor.config import source_label

    return {
        "labels": {name: source_label(cfg, name) for name in cfg.sources},
        "schedules": {name: src.schedule for name, src in cfg.sources.items()},
        "enabled": {name: src.enabled for name, src in cfg.sources.items()},
        "terms": list(cfg.watch.terms),
        "exclude": list(cfg.watch.exclude),
    }


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1; False for 0.0.0.0, :: and real addresses."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def sql_allowed(host: str, allow_sql: bool | None) -> bool:
    """The ``[serve] allow_sql`` rule: explicit value wins, else loopback only."""
    return is_loopback(host) if allow_sql is None else allow_sql


def load_metadata() -> dict[str, Any]:
    with METADATA.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def build_datasette(
    db_path: str | Path, *, allow_sql: bool, config: Config | None = None
) -> Datasette:
    """A Datasette serving ``db_path`` as ``/vigie`` with the shipped configuration directory;
    ``config`` gives the front page its source labels, schedules and watch terms."""
    path = Path(db_path)
    # Create/migrate the archive first (WAL mode is persistent): Datasette itself only reads.
    open_db(path).conn.close()
    metadata = load_metadata()
    metadata.setdefault("plugins", {})["vigie"] = front_settings(config)
    for table in TECHNICAL_TABLES:
        metadata["databases"][DB_NAME]["tables"][table]["hidden"] = True
    if not allow_sql:
        # Off loopback, the raw outbox tables (recipients' addresses) are not browsable either;
        # the `alert_outbox` canned query, which leaves addresses out, still answers.
        for table in PRIVATE_TABLES:
            metadata["databases"][DB_NAME]["tables"][table]["allow"] = False
    ds = Datasette(
        metadata=metadata,
        template_dir=str(CONFIG_DIR / "templates"),
        plugins_dir=str(CONFIG_DIR / "plugins"),
        settings={**SETTINGS, "default_allow_sql": allow_sql},
    )
    ds.add_database(Database(ds, path=str(path), is_mutable=True), name=DB_NAME)
    return ds


async def get(ds: Datasette, path: str) -> tuple[int, str]:
    """One in-process request (``vigie serve --get``): status and body."""
    await ds.invoke_startup()
    response = await ds.client.get(path)
    return response.status_code, response.text


def run(ds: Datasette, host: str, port: int) -> None:
    """Serve until interrupted, the way ``datasette serve`` does."""
    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
