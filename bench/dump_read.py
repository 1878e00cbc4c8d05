"""Reading a dump alone: ``iter_dump`` against ``zipfile`` on the same archive (issue 11).

    python -m bench.dump_read --n 100000 --repeat 3
    python -m bench.dump_read --zip path/to/Amendements.json.zip

Reads every member of the amendments dump that ``bench.amendments_ingest --n N`` generated (kept in
``bench/.cache/``; run that first) or of ``--zip``, once with ``iter_dump``
(``spiders/parse/an_dump.py``) and once with the standard library's ``zipfile`` as ``iter_dump``
used it before issue 11 (``ZipFile`` → ``infolist`` → ``open``/``read`` each file member). Each
read runs in a fresh child process, so each peak RSS is that reader's alone; ``--repeat``
alternates them and keeps the best time of each (a shared machine slows one run, rarely all). No
parsing, no storage: the figure is the archive read itself.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spiders.parse.an_dump import iter_dump  # noqa: E402


def read_ours(path: Path) -> tuple[int, int]:
    members = size = 0
    for member in iter_dump(path):
        members += 1
        size += len(member.data or b"")
    return members, size


def read_zipfile(path: Path) -> tuple[int, int]:
    """The reader before issue 11."""
    members = size = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as member:
                members += 1
                size += len(member.read())
    return members, size


READERS = {"iter_dump": read_ours, "zipfile": read_zipfile}


def child(reader: str, path: Path) -> None:
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    members, size = READERS[reader](path)
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"s": seconds, "members": members, "bytes": size, "rss": rss, "rss0": rss0}))


def run(reader: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.dump_read", "--child", reader, "--zip", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def find_dump(n: int) -> Path:
    found = sorted(
        (ROOT / "bench" / ".cache").glob(f"amendments-{n}-*/Amendements.json.zip"),
        key=lambda p: p.stat().st_mtime,
    )
    if not found:
        sys.exit(f"no cached dump of {n} amendments: run python -m bench.amendments_ingest --n {n}")
    return found[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dump_read")
    ap.add_argument("--n", type=int, default=100_000, help="amendments (default 100,000)")
    ap.add_argument("--zip", type=Path, help="read this archive instead of the cached dump")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each reader; best time kept")
    ap.add_argument("--child", choices=sorted(READERS), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    path = a.zip or find_dump(a.n)
    if a.child:
        child(a.child, path)
        return 0
    runs: dict[str, list[dict]] = {name: [] for name in READERS}
    for _ in range(a.repeat):
        for name in READERS:
            runs[name].append(run(name, path))
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{path.stat().st_size / 1e6:.0f} MB")  # fmt: skip
    best = {}
    for name, rows in runs.items():
        best[name] = min(r["s"] for r in rows)
        r = rows[0]
        times = ", ".join(f"{x['s']:.2f}" for x in rows)
        print(
            f"{name:10} {best[name]:6.2f}s  {r['members']:,} members, {r['bytes'] / 1e6:.0f} MB "
            f"read; peak RSS {r['rss0'] / 1024:.0f} → {max(x['rss'] for x in rows) / 1024:.0f} MB"
            f"  (runs: {times})"
        )
    print(f"iter_dump/zipfile time = {best['iter_dump'] / best['zipfile']:.2f}x")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
