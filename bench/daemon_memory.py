"""Does the daemon's memory stay flat over hundreds of runs? (issue 5; goal: growth < 10 MB)

Runs the real ``vigie run`` as a child process with a one-second schedule (the
``VIGIE_SCHEDULE_SECONDS`` knob) against local fixture sites (tests/support/siteserver.py), until
``--runs`` crawls have finished, and samples the daemon process's RSS with psutil (the crawls
are child processes: their memory is returned at each exit and is not counted).

    python -m bench.daemon_memory --runs 300 --sources 3

"Start" is sampled once the first run of every source has finished (imports and first-run caches
warm), "end" after the last run; both are printed with the growth, and the exit code is 1 if the
growth exceeds the goal.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.configs import write_config  # noqa: E402
from tests.support.siteserver import SiteServer  # noqa: E402

GOAL_MB = 10.0


def finished_runs(db: Path) -> int:
    try:
        conn = sqlite3.connect(db, timeout=10)
        try:
            return conn.execute("SELECT count(*) FROM runs WHERE outcome != 'running'").fetchone()[
                0
            ]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def mb(n: int) -> float:
    return n / 1024 / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.daemon_memory", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--runs", type=int, default=300, help="finished runs to wait for (default 300)")
    ap.add_argument(
        "--sources", type=int, default=3, help="sources crawled in parallel (default 3)"
    )
    ap.add_argument("--site", default="listing_only", help="fixture site under tests/sites/")
    a = ap.parse_args(argv)

    servers = [SiteServer(a.site).start() for _ in range(a.sources)]
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        folder = Path(tmp)
        sources = {f"s{i}": {"spider": "site", "url": s.base_url} for i, s in enumerate(servers)}
        config = write_config(folder, sources, daemon={"heartbeat_every": 5, "log_level": "INFO"})
        env = {**os.environ, "VIGIE_SCHEDULE_SECONDS": "1"}
        log = (folder / "daemon.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli.main", "--config", str(config), "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        daemon = psutil.Process(proc.pid)
        db = folder / "vigie.db"
        t0 = time.monotonic()
        try:
            while finished_runs(db) < a.sources:
                time.sleep(0.2)
            start, warm_runs = daemon.memory_info().rss, finished_runs(db)
            peak, done, last_print = start, warm_runs, 0.0
            print(f"start: {mb(start):.1f} MB RSS after {warm_runs} runs", flush=True)
            while done < a.runs:
                if proc.poll() is not None:
                    print((folder / "daemon.log").read_text(errors="replace")[-3000:])
                    raise SystemExit(f"daemon exited with {proc.returncode}")
                time.sleep(1)
                peak = max(peak, daemon.memory_info().rss)
                done = finished_runs(db)
                if time.monotonic() - last_print > 15:
                    last_print = time.monotonic()
                    print(f"  {done} runs, {mb(daemon.memory_info().rss):.1f} MB", flush=True)
            end = daemon.memory_info().rss
            elapsed = time.monotonic() - t0
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
            log.close()
            for s in servers:
                s.stop()
    growth = mb(end - start)
    print(
        f"end:   {mb(end):.1f} MB RSS after {done} runs ({elapsed:.0f} s; peak {mb(peak):.1f} MB)"
    )
    print(
        f"growth: {growth:+.1f} MB over {done - warm_runs} runs (goal < {GOAL_MB:.0f} MB): "
        f"{'OK' if growth < GOAL_MB else 'TOO MUCH'}; daemon exit code {code}"
    )
    return 0 if growth < GOAL_MB and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
