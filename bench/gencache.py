"""Generated benchmark inputs kept in ``bench/.cache/`` and reused by later runs.

Generating 100,000 amendments or 50,000 questions costs 15-20 s per run, and ``make bench`` must
fit in 15 minutes; the inputs are deterministic, so they are built once. The file name carries a
digest of the generator's source files: editing a generator builds a new input instead of
reusing a stale one. ``make bench-clean`` removes the cache.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"


def cached(name: str, sources: list[str], build: Callable[[Path], None]) -> tuple[Path, bool]:
    """(path of the cached ``name``, reused?); ``build(folder)`` writes ``name`` into ``folder``
    on a miss. ``sources``: the generator's files, relative to the project root."""
    digest = hashlib.sha256()
    for src in sources:
        digest.update((ROOT / src).read_bytes())
    folder = CACHE / f"{Path(name).stem}-{digest.hexdigest()[:12]}"
    path = folder / name
    if path.exists():
        return path, True
    tmp = folder.with_name(folder.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    build(tmp)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)  # complete or absent: a killed run leaves only a .part folder
    return path, False
