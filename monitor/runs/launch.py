"""Run sources, each in its own child process, with a run record, a timeout and health rules.

The parent (this module: CLI or daemon) creates the run row, starts ``python -m
monitor.runs.child``, polls the row for progress, enforces the source's timeout (SIGTERM, then
SIGKILL), records the failure if the child could not, then applies the health rules.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.config import Config, config_to_json
from monitor.runs.stopping import Stopper
from storage import runs as store_runs
from storage.db import close_db, open_db

logger = logging.getLogger("vigie.crawl")

KILL_GRACE = 10.0


@dataclass
class RunResult:
    source: str
    run_id: int | None
    outcome: str
    reason: str | None
    row: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""

    def line(self) -> str:
        r = self.row
        counts = (
            f"pages={r.get('pages_fetched', 0)} 304={r.get('not_modified', 0)} "
            f"seen={r.get('items_seen', 0)} new={r.get('items_new', 0)} "
            f"changed={r.get('items_changed', 0)} unchanged={r.get('items_unchanged', 0)} "
            f"errors={r.get('errors', 0)}"
        )
        if r.get("pages_not_article"):  # named one by one in the crawl's log (issue 13)
            counts += f" not_article={r['pages_not_article']}"
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.source}: {self.outcome}{why} {counts} in {self.seconds:.1f}s"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _child_cmd(
    db_path: str, source: str, run_id: int | None, dry_run: bool, log_level: str
) -> list[str]:
    """The child reads the validated config on its stdin; ``--db`` only identifies it."""
    cmd = [
        sys.executable,
        "-m",
        "monitor.runs.child",
        "--config-stdin",
        "--db",
        db_path,
        "--source",
        source,
        "--log-level",
        log_level,
    ]
    if run_id:
        cmd += ["--run-id", str(run_id)]
    if dry_run:
        cmd.append("--dry-run")
    return cmd


def crawl_source(
    cfg: Config,
    config_path: str,
    source: str,
    *,
    dry_run: bool = False,
    log_level: str = "INFO",
    progress: Callable[[str, dict[str, Any]], None] | None = None,
    stop: threading.Event | None = None,
    stop_timeout: float | None = None,
) -> RunResult:
    """One source, one child process. Never raises for a failing source: the result says it.

    The child gets ``cfg`` itself, serialized on its stdin: it never re-reads ``config_path``
    (kept in the signature for the callers' logs), so it runs on the settings this parent
    validated, even if the file changed since."""
    payload = config_to_json(cfg)
    db_path = str(Path(cfg.db_path).resolve())
    started = time.monotonic()
    timeout = cfg.run_timeout(source)
    if dry_run:
        done = subprocess.run(
            _child_cmd(db_path, source, None, True, log_level),
            input=payload,
            stdout=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
        outcome = "ok" if done.returncode == 0 else "failed"
        return RunResult(
            source,
            None,
            outcome,
            None if outcome == "ok" else f"exit code {done.returncode}",
            seconds=time.monotonic() - started,
            output=done.stdout,
        )
    db = open_db(cfg.db_path)
    try:
        closed = store_runs.close_orphans(db, utc_now())
        if closed:
            # a `vigie crawl` killed with -9 (or a reboot) leaves its run open; a cron-driven
            # crawl must not show a run "running" forever
            logger.warning("%d run(s) left running by a stopped process marked interrupted", closed)
        run_id = store_runs.start_run(db, source, utc_now())
        proc = subprocess.Popen(
            _child_cmd(db_path, source, run_id, False, log_level),
            stdin=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the daemon first, which forwards it
        )
        _send(proc, payload)
        code, forced, reason = _supervise(
            proc, db, run_id, source, timeout, progress, stop, stop_timeout, started
        )
        ended = (
            f"crawler process exited with code {code}"
            if code
            else "crawler process ended without a result"
        )
        result = settle(db, cfg, source, run_id, started, forced=forced, reason=reason or ended)
    finally:
        close_db(db)  # the daemon runs for months: no connection left to the garbage collector
    logger.info("run %s", result.line())
    return result


def settle(
    db: Any,
    cfg: Config,
    source: str,
    run_id: int,
    started: float,
    *,
    forced: str | None,
    reason: str,
) -> RunResult:
    """After the crawl's process (or Scrapyd job) ended: record the failure if it could not,
    let a timeout overrule its verdict, then apply the health rules.

    ``forced``: the outcome the supervisor imposed ("failed" on timeout, "interrupted" on
    shutdown), or None; ``reason``: why, or why the run has no result."""
    row = store_runs.get_run(db, run_id)
    if row["outcome"] == "running":
        row = store_runs.finish_run(db, run_id, forced or "failed", reason, utc_now())
    elif forced == "failed" and row["outcome"] != "failed":
        # the crawl saw our SIGTERM as a shutdown and wrote "interrupted": the timeout wins
        row = store_runs.overrule(db, run_id, "failed", reason, utc_now())
    result = RunResult(
        source, run_id, row["outcome"], row["reason"], row, time.monotonic() - started
    )
    _after_run(db, cfg, source, row)
    return result


def _supervise(
    proc: subprocess.Popen,
    db: Any,
    run_id: int,
    source: str,
    timeout: float,
    progress: Callable[[str, dict[str, Any]], None] | None,
    stop: threading.Event | None,
    stop_timeout: float | None,
    started: float,
) -> tuple[int, str | None, str | None]:
    """Wait for the child; stop it on timeout or when ``stop`` has been set for ``stop_timeout``
    seconds (SIGTERM to its process group, SIGKILL ``KILL_GRACE`` seconds later).

    Returns (exit code, outcome to force if the child did not record one, reason).
    """
    stopper = Stopper(timeout, started, stop, stop_timeout, KILL_GRACE)
    while True:
        try:
            return proc.wait(timeout=0.5), stopper.forced, stopper.reason
        except subprocess.TimeoutExpired:
            pass
        if progress:
            progress(source, store_runs.get_run(db, run_id))
        sent = stopper.tick(time.monotonic())
        if sent:
            _signal(proc, signal.SIGTERM if sent == "TERM" else signal.SIGKILL)


def _send(proc: subprocess.Popen, payload: str) -> None:
    """Hand the validated config to the child and close its stdin (EOF ends its read)."""
    assert proc.stdin is not None
    try:
        proc.stdin.write(payload.encode("utf-8"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):  # the child died at start: its exit code says so
        pass


def _signal(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _after_run(db: Any, cfg: Config, source: str, row: dict[str, Any]) -> None:
    from monitor.runs.conclude import apply_health

    apply_health(db, cfg, source, row)
