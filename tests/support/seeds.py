"""The seed texts (real pages' text) the fixture sites were built from, kept in the repository.

Why: tests and benchmarks must run from a clone alone, so the seeds are copied from the
researchers' shared folder into the fixture folder of the site they belong to
(``tests/sites/<key>/seed_<nnn>.txt``, origin in that folder's ``MANIFEST.toml``).
"""

from __future__ import annotations

from pathlib import Path

from tests.support.siteserver import SITES_DIR


def seed_files() -> list[Path]:
    """Every seed, in the order of their numbers (as the shared folder listed them)."""
    return sorted(SITES_DIR.glob("*/seed_*.txt"), key=lambda p: p.name)


def seed_path(number: str) -> Path:
    """The seed ``number`` ("000", "001", ...); FileNotFoundError names what is there."""
    found = [p for p in seed_files() if p.name == f"seed_{number}.txt"]
    if not found:
        raise FileNotFoundError(
            f"no seed {number} in {SITES_DIR}: {[p.name for p in seed_files()]}"
        )
    return found[0]


def seed_text(number: str) -> str:
    return seed_path(number).read_text("utf-8")
