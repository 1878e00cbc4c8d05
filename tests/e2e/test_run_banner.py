"""``vigie run`` starts by saying where the database, the log and the mails are, and how to open
the archive in Datasette (issue 10, "a new user's first run")."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from monitor.cli.where import where_lines
from monitor.config import parse_config
from tests.conftest import ROOT, TERMS, write_config

SOURCES = {"lo": {"spider": "site", "url": "http://127.0.0.1:1", "schedule": "0 7 * * *"}}


def test_where_lines_name_every_place_absolute(tmp_path):
    cfg = parse_config(
        {
            "storage": {"path": "data/v.db"},
            "watch": {"terms": TERMS},
            "sources": SOURCES,
            "alerts": {"outbox_dir": "mails"},
            "daemon": {"log_file": "logs/vigie.log"},
            "serve": {"port": 8123},
        },
        base_dir=str(tmp_path),
    )
    lines = where_lines(cfg, tmp_path / "config.toml")
    text = "\n".join(lines)
    assert f"database: {tmp_path / 'data' / 'v.db'}" in text
    assert f"log:      {tmp_path / 'logs' / 'vigie.log'}" in text
    assert f".eml files into {tmp_path / 'mails'}" in text
    assert f"--config {tmp_path / 'config.toml'} serve" in text
    assert "http://127.0.0.1:8123/" in text


def test_where_lines_without_log_file_and_with_smtp(tmp_path):
    cfg = parse_config(
        {
            "watch": {"terms": TERMS},
            "sources": SOURCES,
            "alerts": {"email": {"host": "smtp.example.org", "recipients": ["a@example.org"]}},
        },
        base_dir=str(tmp_path),
    )
    text = "\n".join(where_lines(cfg, tmp_path / "config.toml"))
    assert "log:      this terminal only (set [daemon] log_file" in text
    assert "SMTP via smtp.example.org:25 to a@example.org" in text
    assert ".eml" not in text


@pytest.mark.e2e
@pytest.mark.slow
def test_vigie_run_prints_where_first_and_its_archive_command_works(tmp_path):
    config = write_config(
        tmp_path,
        {"lo": {**SOURCES["lo"], "enabled": False}},
        daemon={"log_file": str(tmp_path / "vigie.log"), "heartbeat_every": 1},
    )
    out = tmp_path / "out.txt"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli.main", "--config", str(config), "run"],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
    try:
        deadline = time.monotonic() + 30
        while "daemon started" not in out.read_text("utf-8", "replace"):
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text("utf-8")
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == f"Vigie daemon, config {config}", lines[:6]
    assert lines[1] == f"  database: {tmp_path / 'vigie.db'}"
    assert lines[2] == f"  log:      {tmp_path / 'vigie.log'}"
    assert lines[3].startswith(f"  mail:     written as .eml files into {tmp_path / 'outbox'}")
    assert lines[4].startswith("  archive:  ")
    # the printed command really opens the archive in Datasette (--get: one page, no server)
    command = shlex.split(lines[4].removeprefix("  archive:  ").split("   (")[0])
    shown = subprocess.run(
        [*command, "--get", "/vigie/runs.json?_shape=array"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stdout[-2000:] + shown.stderr[-2000:]
    assert shown.stdout.lstrip().startswith("[")
