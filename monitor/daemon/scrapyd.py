"""``vigie run`` with ``[scrapyd] nodes``: each scheduled crawl becomes a job on a Scrapyd node.

The daemon keeps everything else: cron schedules, catch-up, missed windows, the sender, and the
run's whole life as the local parent (``monitor/runs/launch.py``) keeps it for a child process:

1. the run row is created here (so a job that never starts still ends as a failed run);
2. the least busy node that answers ``daemonstatus.json`` gets the job (``schedule.json``:
   ``spider`` = the source's family, ``source=<name>``, settings ``VIGIE_CONFIG_PATH`` — the config
   file as the node reads it — and ``VIGIE_RUN_ID``); the job's
   :class:`monitor.runs.recorder.RunRecorder` writes the verdict into that row;
3. ``listjobs.json`` is polled every ``scrapyd.poll_every`` seconds until the job is finished
   (or gone: a node restart forgets its jobs); past the source's timeout, or ``daemon.stop_timeout``
   after a stop signal, ``cancel.json`` stops it (SIGTERM, then SIGKILL ``KILL_GRACE`` s later);
4. :func:`monitor.runs.launch.settle` records what the job could not (it died, it was never
   started, the timeout overrules its verdict) and applies the health rules, as for a child.

Why the standard library's urllib and not a client package: four form-encoded endpoints that
answer JSON; the daemon then needs nothing beyond Vigie's own dependencies.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import urlopen

from monitor.config import Config
from monitor.errors import VigieError
from monitor.runs.launch import KILL_GRACE, RunResult, settle, utc_now
from monitor.runs.stopping import Stopper
from storage import runs as store_runs
from storage.db import close_db, open_db

logger = logging.getLogger("vigie.scrapyd")

HTTP_TIMEOUT = 30.0
#: after SIGKILL, how long a job may stay listed before the daemon stops waiting for it
GIVE_UP_AFTER_KILL = 30.0


class ScrapydError(VigieError):
    """A node did not answer, or answered an error."""


@dataclass(frozen=True)
class Node:
    """One Scrapyd node's web service."""

    url: str

    def call(self, endpoint: str, params: list[tuple[str, str]], *, post: bool = False) -> dict:
        query = urlencode(params)
        base = f"{self.url.rstrip('/')}/{endpoint}"
        try:
            if post:
                resp = urlopen(base, data=query.encode(), timeout=HTTP_TIMEOUT)  # noqa: S310
            else:
                resp = urlopen(f"{base}?{query}" if query else base, timeout=HTTP_TIMEOUT)  # noqa: S310
            with resp:
                data = json.loads(resp.read().decode("utf-8"))
        except (URLError, OSError, ValueError) as exc:
            raise ScrapydError(f"{base}: {getattr(exc, 'reason', exc)}") from None
        if data.get("status") != "ok":
            raise ScrapydError(f"{base}: {data.get('message') or data}")
        return data

    def load(self) -> int:
        """Jobs pending or running on the node."""
        d = self.call("daemonstatus.json", [])
        return int(d.get("pending", 0)) + int(d.get("running", 0))

    def schedule(self, project: str, spider: str, args: list[tuple[str, str]]) -> str:
        d = self.call("schedule.json", [("project", project), ("spider", spider), *args], post=True)
        return str(d["jobid"])

    def job(self, project: str, job: str) -> tuple[str | None, dict[str, Any]]:
        """("pending" | "running" | "finished" | None when not listed, the job's entry)."""
        d = self.call("listjobs.json", [("project", project)])
        for state in ("pending", "running", "finished"):
            for entry in d.get(state, []):
                if entry.get("id") == job:
                    return state, entry
        return None, {}

    def cancel(self, project: str, job: str, signal: str = "TERM") -> None:
        self.call(
            "cancel.json", [("project", project), ("job", job), ("signal", signal)], post=True
        )


def pick_node(urls: list[str]) -> Node:
    """The answering node with the fewest pending + running jobs (the first on a tie)."""
    loads: list[tuple[int, int, Node]] = []
    problems = []
    for i, url in enumerate(urls):
        node = Node(url)
        try:
            loads.append((node.load(), i, node))
        except ScrapydError as exc:
            problems.append(str(exc))
    if not loads:
        raise ScrapydError("no Scrapyd node answered: " + "; ".join(problems))
    return min(loads)[2]


def node_config_path(cfg: Config, config_path: str) -> str:
    return cfg.scrapyd.config_path or str(Path(config_path).resolve())


def crawl_on_scrapyd(
    cfg: Config,
    config_path: str,
    source: str,
    *,
    stop: threading.Event | None = None,
    stop_timeout: float | None = None,
) -> RunResult:
    """One source, one Scrapyd job; never raises for a failing source: the result says it."""
    s = cfg.scrapyd
    started = time.monotonic()
    db = open_db(cfg.db_path)
    where = "no node"
    try:
        run_id = store_runs.start_run(db, source, utc_now())
        try:
            node = pick_node(list(s.nodes))
            where = node.url
            job = node.schedule(
                s.project,
                cfg.sources[source].spider,
                [
                    ("source", source),
                    ("jobid", f"{source}-{run_id}-{uuid.uuid4().hex[:8]}"),
                    ("setting", f"VIGIE_CONFIG_PATH={node_config_path(cfg, config_path)}"),
                    ("setting", f"VIGIE_RUN_ID={run_id}"),
                ],
            )
        except ScrapydError as exc:
            logger.error("%s: could not schedule the crawl: %s", source, exc)
            result = settle(
                db, cfg, source, run_id, started, forced="failed", reason=f"not scheduled: {exc}"
            )
        else:
            where = f"{node.url}, job {job}"
            logger.info("%s: run %d scheduled on %s", source, run_id, where)
            forced, reason, entry = _watch(
                node,
                s.project,
                job,
                cfg.run_timeout(source),
                s.poll_every,
                started,
                stop,
                stop_timeout,
            )
            log = (
                f"; its log: {node.url.rstrip('/')}{entry['log_url']}"
                if entry.get("log_url")
                else ""
            )
            result = settle(
                db,
                cfg,
                source,
                run_id,
                started,
                forced=forced,
                reason=reason or f"Scrapyd job {job} on {node.url} ended without a result{log}",
            )
    finally:
        close_db(db)
    logger.info("run %s (Scrapyd: %s)", result.line(), where)
    return result


def _watch(
    node: Node,
    project: str,
    job: str,
    timeout: float,
    poll_every: float,
    started: float,
    stop: threading.Event | None,
    stop_timeout: float | None,
) -> tuple[str | None, str | None, dict[str, Any]]:
    """Poll the job until it ends; cancel it on timeout or shutdown.

    Returns (outcome to force if the job did not record one, reason, the job's finished entry)."""
    stopper = Stopper(timeout, started, stop, stop_timeout, KILL_GRACE)
    missing = 0
    said_unreachable = False
    while True:
        time.sleep(poll_every)
        try:
            state, entry = node.job(project, job)
        except ScrapydError as exc:
            if not said_unreachable:
                logger.warning("job %s: cannot ask its node: %s", job, exc)
                said_unreachable = True
            state, entry = "unknown", {}
        forced, reason = stopper.forced, stopper.reason
        if state == "finished":
            return forced, reason, entry
        missing = missing + 1 if state is None else 0
        if missing >= 2:  # cancelled while pending, or forgotten by a restarted node
            return forced, reason or f"Scrapyd job {job} is no longer listed by {node.url}", {}
        now = time.monotonic()
        sent = stopper.tick(now)
        if sent:
            _cancel(node, project, job, sent)
        elif (
            stopper.killed
            and stopper.term_sent is not None
            and now - stopper.term_sent > KILL_GRACE + GIVE_UP_AFTER_KILL
        ):
            return forced, f"{reason} (Scrapyd did not confirm the end of job {job})", {}


def _cancel(node: Node, project: str, job: str, signal: str) -> None:
    try:
        node.cancel(project, job, signal)
    except ScrapydError as exc:
        logger.warning("job %s: cancel.json failed: %s", job, exc)
