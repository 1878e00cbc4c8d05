"""End a run: the verdict written into its row, then the health rules — one path for every runner.

Why one module: a run ends the same way whoever started the crawl. The local crawl child
(``monitor/runs/child.py``) judges its run with :func:`conclude_run` and its parent
(``monitor/runs/launch.py``) applies :func:`apply_health` once it has checked the child's exit
(a timeout there overrules the child's verdict first). A crawl started by Scrapyd with nobody
watching it (``monitor/runs/recorder.py``) does both at once with :func:`conclude_and_check`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.config import Config
from monitor.runs.outcome import judge
from monitor.sources.registry import family_of
from storage import runs as store_runs

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger("vigie.crawl")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def conclude_run(
    db: sqlite_utils.Database,
    cfg: Config,
    source: str,
    run_id: int,
    stats: dict[str, Any],
    finish_reason: str | None = None,
) -> dict[str, Any]:
    """The family's run counters (e.g. QE gaps), the verdict from the row and the Scrapy
    ``stats``, written in one transaction; a run already closed (timeout) is left as it is."""
    src = cfg.sources[source]
    family = family_of(src)
    counters = family.run_counters(db, source, src) if family.run_counters else {}
    reason = finish_reason if finish_reason is not None else stats.get("finish_reason")
    return store_runs.conclude(
        db,
        run_id,
        counters,
        lambda run: judge(run, reason, src.empty_ok, stats),
        utc_now(),
    )


def apply_health(db: sqlite_utils.Database, cfg: Config, source: str, row: dict[str, Any]) -> None:
    """The health rules over the final row; never raises (health must not hide the run)."""
    from monitor.runs import health

    try:
        health.after_run(db, cfg, source, row, datetime.now(UTC))
    except Exception:
        logger.exception("%s: health rules failed", source)


def conclude_and_check(
    db: sqlite_utils.Database,
    cfg: Config,
    source: str,
    run_id: int,
    stats: dict[str, Any],
    finish_reason: str | None = None,
) -> dict[str, Any]:
    """Both steps, for a crawl no parent watches (a Scrapyd job that created its own run)."""
    row = conclude_run(db, cfg, source, run_id, stats, finish_reason)
    apply_health(db, cfg, source, row)
    return row
