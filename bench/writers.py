"""Concurrent writers on one SQLite archive: N Scrapyd jobs crawling at once into one database.

    python -m bench.writers                      # N = 2, 4, 8; 300-article sites
    python -m bench.writers --writers 2,4,8,12 --articles 500

What it measures (issue 16): how many crawls can write to one archive at the same time (WAL,
one ``BEGIN IMMEDIATE`` per pipeline batch, 30 s busy timeout: storage/db.py) without a lock
error. For each N it starts N fixture servers serving the same generated press site
(bench/sitegen.py) on N ports — N sources — and schedules the N crawls at once on one real
Scrapyd node (tests/support/scrapydnode.py, ``max_proc`` = N, the egg deployed with
``scrapyd-deploy``), all on a fresh archive. Then it counts, from the jobs' logs and the
archive: lock errors ("database is locked", SQLITE_BUSY), other ERROR lines, runs not ``ok``,
and items lost (an item a run received, ``items_seen``, but not stored). Wall time is printed
for information only (a shared 2-core machine: N processes compete for the CPU long before the
database lock matters).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LOCK_ERRORS = re.compile(r"database is locked|database table is locked|SQLITE_BUSY", re.I)


@dataclass
class Round:
    writers: int
    seconds: float
    runs_ok: int
    lock_errors: int
    error_lines: int
    items_seen: int
    items_stored: int
    overlap: float  # seconds during which all N runs were open at once

    def line(self) -> str:
        lost = self.items_seen - self.items_stored
        return (
            f"{self.writers:>7d}{self.runs_ok:>5d}/{self.writers:<3d}{self.lock_errors:>12d}"
            f"{self.error_lines:>8d}{self.items_seen:>8d}{self.items_stored:>8d}{lost:>6d}"
            f"{self.overlap:>10.1f}{self.seconds:>9.1f}"
        )


HEADER = f"{'writers':>7}{'runs ok':>9}{'lock errors':>12}{'ERRORs':>8}{'seen':>8}{'stored':>8}{'lost':>6}{'overlap s':>10}{'wall s':>9}"


def one_round(node, site_folder: Path, n: int, workdir: Path) -> Round:
    from tests.support.configs import write_config
    from tests.support.siteserver import SiteServer

    servers = [SiteServer(site_folder).start() for _ in range(n)]
    try:
        workdir.mkdir(parents=True)
        sources = {
            f"site{i}": {"spider": "site", "url": s.base_url, "listings": ["/actualites"]}
            for i, s in enumerate(servers)
        }
        cfg = write_config(workdir, sources, crawl={"max_pages": 100000})
        started = time.monotonic()
        jobs = [node.schedule("site", name, cfg) for name in sources]
        entries = node.wait_finished(jobs, timeout=1800)
        seconds = time.monotonic() - started
    finally:
        for s in servers:
            s.stop()
    logs = [node.log(e) for e in entries.values()]
    conn = sqlite3.connect(workdir / "vigie.db")
    conn.row_factory = sqlite3.Row
    runs = [dict(r) for r in conn.execute("SELECT * FROM runs")]
    stored = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    conn.close()
    starts = [r["started"] for r in runs]
    ends = [r["ended"] or r["started"] for r in runs]
    from datetime import datetime

    overlap = (
        datetime.fromisoformat(min(ends)) - datetime.fromisoformat(max(starts))
    ).total_seconds()
    return Round(
        writers=n,
        seconds=seconds,
        runs_ok=sum(r["outcome"] == "ok" for r in runs),
        lock_errors=sum(len(LOCK_ERRORS.findall(log)) for log in logs),
        error_lines=sum(log.count(" ERROR ") for log in logs),
        items_seen=sum(r["items_seen"] for r in runs),
        items_stored=stored,
        overlap=max(0.0, overlap),
    )


def run(writers: list[int], articles: int, workdir: Path) -> list[Round]:
    from bench.sitegen import generate
    from tests.support.scrapydnode import ScrapydNode

    site = generate(workdir / "site", articles)
    node = ScrapydNode(workdir / "scrapyd", max_proc=max(writers)).start()
    try:
        node.deploy()
        return [one_round(node, site.folder, n, workdir / f"n{n}") for n in writers]
    finally:
        node.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.writers", description=__doc__.split("\n")[0])
    ap.add_argument("--writers", default="2,4,8", help="comma-separated N values")
    ap.add_argument("--articles", type=int, default=300, help="articles per site")
    a = ap.parse_args(argv)
    ns = [int(x) for x in a.writers.split(",")]
    with tempfile.TemporaryDirectory(prefix="vigie-writers-") as tmp:
        rounds = run(ns, a.articles, Path(tmp))
    print(f"{a.articles}-article site per writer, one Scrapyd node, one archive")
    print(HEADER)
    for r in rounds:
        print(r.line())
    return 0 if all(r.lock_errors == 0 and r.items_seen == r.items_stored for r in rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
