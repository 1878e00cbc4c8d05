"""The README is the manual: its references are generated from the code and must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from monitor import config as c
from monitor.cli.docs import SECTIONS, config_reference
from monitor.sources.registry import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_references_are_up_to_date():
    res = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, (
        "README.md is out of date: run `.venv/bin/cog -r README.md`\n" + res.stdout + res.stderr
    )


def test_every_config_key_is_documented():
    ref = config_reference()
    models = [m for _, m in SECTIONS]
    families = [f.model for f in FAMILIES.values()]
    for model in (
        c.StorageConfig,
        c.CrawlConfig,
        c.WatchConfig,
        *families,
        c.AlertsConfig,
        c.EmailConfig,
        c.ChannelConfig,
        c.ProfileConfig,
        c.DaemonConfig,
        c.ServeConfig,
    ):
        assert model in models
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            assert field.description, f"{model.__name__}.{name} has no help text"
            if isinstance(field.default, BaseModel):  # a sub-table: documented as its own section
                assert f"{name}]`" in ref, f"[{name}] table missing from the reference"
                continue
            assert f"`{name}`" in ref, f"{name} missing from the reference"
    assert "| `stale_after` |" in README


def test_every_command_is_documented():
    from monitor.cli.main import cli

    for name in cli.commands:
        assert f"`vigie {name}" in README, name


def test_make_targets_documented():
    assert "make run" in README and "make test" in README


def test_readme_matching_examples_hold():
    """urlwatch's idea: the documentation's examples are test cases."""
    import re

    from monitor.ingest.match import Matcher

    section = README.split("Examples (executed by `tests/test_docs.py`")[1].split("\n\n", 2)[1]
    rows = [r for r in section.splitlines() if r.startswith("| `")]
    assert len(rows) >= 8
    for r in rows:
        term, text, expected = (c.strip() for c in r.strip("|").split("|"))
        term = re.sub(r"^`|`$", "", term)
        got = Matcher([term]).match({"body": text}).matched
        assert got == (expected == "yes"), f"README says {term!r} on {text!r} → {expected}"
