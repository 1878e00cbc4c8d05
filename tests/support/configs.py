"""Test and benchmark configs: a config.toml pointing at local servers, fast crawl settings.

Why here and not in tests/conftest.py: the benchmarks (bench/) and the install check build the
same configs, and importing a conftest outside pytest drags its fixtures along.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
