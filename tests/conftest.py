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

from tests.support.siteserver import SiteServer

ROOT = Path(__file__).resolve().parent.parent
TERMS = [
    "SECPA",
    "Sepca",
    "structure* d'exercice coordonné* participati*",
    "centres et maisons de santé participati*",
]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for test configs: scalars first, then sub-tables."""
    lines, tables = [], []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for k, v in tables:
        name = f"{prefix}.{k}" if prefix else k
        out += f"\n[{name}]\n" + to_toml(v, name)
    return out


def write_config(tmp_path: Path, sources: dict[str, dict[str, Any]], **sections: Any) -> Path:
    """A config.toml in tmp_path: fast, polite-enough crawl settings, a .eml outbox."""
    data: dict[str, Any] = {
        "storage": {"path": str(tmp_path / "vigie.db")},
        "crawl": {
            "contact": "tests@example.org",
            "download_delay": 0.0,
            "autothrottle": False,
            "download_timeout": 5,
            "retry_times": 1,
            "retry_backoff": 0.05,
            "concurrent_requests_per_domain": 8,
        },
        "watch": {"terms": TERMS},
        "alerts": {
            "outbox_dir": str(tmp_path / "outbox"),
            "email": {"recipients": ["veille@example.org"]},
        },
        "daemon": {"log_level": "INFO"},
    }
    for k, v in sections.items():
        data[k] = {**data.get(k, {}), **v}
    data["sources"] = sources
    path = tmp_path / "config.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


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
