"""A new user's first run: the wheel, installed with plain pip in a fresh venv, crawls (issue 10).

Why a real install and not the dev venv: the dev venv is installed with the newest pip and the
test extras, so it hides what a user meets with ``python3 -m venv v && v/bin/pip install .``
(the pip that ships with Python, 23.2 for 3.11): an undeclared import, an extra name that pip
does not match (``lxml[html_clean]``), a data file missing from the wheel. The wheel is built from
a copy of the sources (nothing written into the checkout), installed into a venv made by
``python -m venv`` (ensurepip's bundled pip, never upgraded), and its ``vigie`` command — run
outside the checkout so that nothing is imported from it — checks a config and crawls one
fixture site over real HTTP on 127.0.0.1. Needs the package registry (not the internet);
``make installcheck`` runs this test alone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.configs import write_config

pytestmark = [pytest.mark.install, pytest.mark.slow, pytest.mark.timeout(420)]

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "monitor", "spiders", "storage")


def run(cmd: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def build_wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=ignore)
        else:
            shutil.copy2(origin, src / name)
    dist = tmp_path / "dist"
    done = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src], tmp_path, 300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    wheels = list(dist.glob("vigie-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_in_a_fresh_venv_with_plain_pip_checks_and_crawls(tmp_path, site_server):
    wheel = build_wheel(tmp_path)
    home = tmp_path / "home"  # outside the checkout: nothing can be imported from it
    home.mkdir()
    venv = tmp_path / "v"
    base = getattr(sys, "_base_executable", sys.executable)
    made = run([base, "-m", "venv", venv], tmp_path, 120)
    assert made.returncode == 0, made.stderr
    pip_version = run([venv / "bin" / "python", "-m", "pip", "--version"], tmp_path, 60)
    installed = run([venv / "bin" / "python", "-m", "pip", "install", wheel], tmp_path, 400)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-3000:]
    # the import that failed for new users (jusText asks for lxml[html_clean], pip 23.2 ignores it)
    imported = run([venv / "bin" / "python", "-c", "import trafilatura, lxml_html_clean"], home, 60)
    assert imported.returncode == 0, pip_version.stdout + imported.stderr[-2000:]

    srv = site_server("wp_like")
    cfg = write_config(home, {"avec": {"spider": "site", "url": srv.base_url}})
    vigie = venv / "bin" / "vigie"
    checked = run([vigie, "--config", cfg, "check"], home, 60)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    crawled = run([vigie, "--config", cfg, "crawl", "avec"], home, 180)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr[-4000:]
    assert "Traceback" not in crawled.stderr, crawled.stderr[-4000:]
    db = sqlite3.connect(home / "vigie.db")
    try:
        runs = db.execute("SELECT outcome, items_new FROM runs").fetchall()
        items = db.execute("SELECT count(*) FROM items WHERE source = 'avec'").fetchone()[0]
    finally:
        db.close()
    assert runs and runs[0][0] == "ok", runs
    assert items >= 4 and runs[0][1] == items, (runs, items)
