"""Shared test parts: config files pointing at local servers, and the real `vigie` command.

Everything here is real: fixture sites served over HTTP on 127.0.0.1 by tests/support/siteserver.py,
the `vigie` CLI run as a child process, SQLite files in tmp_path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from tests.support.configs import TERMS, to_toml, write_config
from tests.support.siteserver import SiteServer

__all__ = ["TERMS", "to_toml", "write_config", "vigie", "db_of", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent


def vigie(
    *args: str, config: Path | None = None, timeout: float = 120, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process, as a user would."""
    cmd = [sys.executable, "-m", "monitor.cli.main"]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run(
        cmd + list(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def db_of(config: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(config.parent / "vigie.db")


@pytest.fixture
def site_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Factory: site_server("wp_like") → a started SiteServer, stopped at teardown."""
    servers: list[SiteServer] = []

    def start(key: str, host: str = "127.0.0.1") -> SiteServer:
        s = SiteServer(key, host=host).start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
