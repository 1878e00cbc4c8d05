"""The crawl child process: ONE source, one Scrapy run, then exit.

Why a child process per crawl: Twisted's reactor cannot be restarted, a crawl may hang or leak,
and a kill must not take the daemon with it (measured: ~0.6 s per run, memory
returned, clean SIGTERM). ``monitor/runs/launch.py`` starts this module with ``python -m monitor.runs.child
--config-stdin`` and writes the validated config (``monitor.config.config_to_json``) on its stdin:
the child never re-reads ``config.toml``, so a file edited under a running daemon cannot make a
crawl run on other settings than its scheduler. The pipeline gets the same config through the
Scrapy setting ``VIGIE_CONFIG``. (``--config PATH`` remains for running a child by hand.)

The child writes its items and counters into the run row created by the parent, then records
the outcome; if it dies before that, the parent records the failure.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from monitor.config import Config, config_from_json, config_to_json, load_config
from monitor.runs.conclude import conclude_run
from monitor.sources.registry import family_of, spider_class
from monitor.sources.registry import spider_kwargs as spider_kwargs
from spiders.settings import parse_pool_settings, polite_settings
from storage.db import close_db, open_db

logger = logging.getLogger("vigie.crawler")


def scrapy_settings(
    cfg: Config, name: str, origin: str | None, run_id: int | None, dry_run: bool, log_level: str
) -> dict[str, Any]:
    """The Scrapy settings of one crawl; the pipeline reads the config from ``VIGIE_CONFIG``
    (serialized), never from a path. ``origin`` only says where the config came from (logs)."""
    c = cfg.crawl
    settings = polite_settings(
        user_agent=cfg.user_agent(),
        obey_robots=c.obey_robots,
        download_delay=c.download_delay,
        autothrottle=c.autothrottle,
        autothrottle_target_concurrency=c.autothrottle_target_concurrency,
        concurrent_requests_per_domain=c.concurrent_requests_per_domain,
        download_timeout=c.download_timeout,
        retry_times=c.retry_times,
        retry_backoff=c.retry_backoff,
        max_page_bytes=c.max_page_bytes,
        max_pages=c.max_pages,
        log_level=log_level,
    )
    settings.update(parse_pool_settings(workers=c.workers(), after=c.parse_pool_after))
    settings.update(
        ITEM_PIPELINES={"monitor.ingest.pipeline.StorePipeline": 300},
        VIGIE_CONFIG=config_to_json(cfg),
        VIGIE_CONFIG_ORIGIN=origin or "",
        VIGIE_SOURCE=name,
        VIGIE_RUN_ID=run_id or 0,
        VIGIE_DRY_RUN=dry_run,
        # batches written by a thread of the pipeline while the crawl goes on (pipeline.py)
        VIGIE_BACKGROUND_WRITES=True,
    )
    return settings


def run_child(
    cfg: Config, origin: str, name: str, run_id: int | None, dry_run: bool, log_level: str
) -> int:
    from scrapy.crawler import CrawlerProcess

    db = None if dry_run else open_db(cfg.db_path)
    kwargs = spider_kwargs(cfg, name, db)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if log_level != "DEBUG":
        # Scrapy's own INFO lines (versions, middleware lists, stats dumps) drown the one line
        # per run users want; its warnings and errors still show.
        handler.addFilter(_quiet_scrapy)
    logging.basicConfig(
        level=getattr(logging, log_level, logging.INFO), handlers=[handler], force=True
    )
    settings = scrapy_settings(cfg, name, origin, run_id, dry_run, log_level)
    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    process = CrawlerProcess(settings)
    family = family_of(cfg.sources[name])
    crawler = process.create_crawler(spider_class(family))
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if db is None:
        return 0
    try:
        if run_id:
            # the verdict (and e.g. QE gaps); the parent applies the health rules after our exit
            conclude_run(db, cfg, name, run_id, stats)
    finally:
        close_db(db)  # WAL checkpointed and closed here, not left to the exit
    return 0


def leave(code: int) -> None:
    """End the process with ``code`` once its work is stored and its output flushed, without
    the interpreter's teardown.

    Why: a crawl child ends holding a whole crawl's objects (Scrapy's engine, the responses'
    caches, lxml trees); freeing them one by one at exit took 0.3-0.4 s after the last
    commit, on every crawl the daemon starts (bench/crawl_overhead.py, issue 15). Nothing is
    left to do at that point: the database is closed, the parse workers were waited for at
    the spider's close, and the parent reads the outcome from the run row. Only the normal
    return takes this path; an exception still unwinds and prints its traceback."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _quiet_scrapy(record: logging.LogRecord) -> bool:
    if record.name.startswith(("scrapy", "py.warnings", "twisted")):
        return record.levelno >= logging.WARNING and "Deprecat" not in record.getMessage()
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m monitor.runs.child")
    given = ap.add_mutually_exclusive_group(required=True)
    given.add_argument("--config-stdin", action="store_true", help="validated config on stdin")
    given.add_argument("--config", help="read and validate this config.toml (by hand only)")
    ap.add_argument("--db", help="the archive's path; identifies the child (stray crawls)")
    ap.add_argument("--source", required=True)
    ap.add_argument("--run-id", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--log-level", default="INFO")
    a = ap.parse_args(argv)
    if a.config_stdin:
        cfg, origin = config_from_json(sys.stdin.read()), "(from parent)"
    else:
        cfg, origin = load_config(a.config), a.config
    return run_child(cfg, origin, a.source, a.run_id or None, a.dry_run, a.log_level)


if __name__ == "__main__":
    leave(main())
