"""The crawl child process: ONE source, one Scrapy run, then exit.

Why a child process per crawl: Twisted's reactor cannot be restarted, a crawl may hang or leak,
and a kill must not take the daemon with it (PITFALLS.md: ~0.6 s per run, memory returned,
clean SIGTERM). ``monitor/runs/launch.py`` starts this module with ``python -m monitor.runs.child``.

The child writes its items and counters into the run row created by the parent, then records
the outcome; if it dies before that, the parent records the failure.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from monitor.config import AssembleeSource, Config, SenatSource, SiteSource, load_config
from monitor.runs.outcome import judge
from spiders.base import ERRORS, NOT_MODIFIED, PARSE_ERRORS
from spiders.registry import spider_class
from spiders.settings import polite_settings
from storage import items as store_items
from storage import runs as store_runs
from storage.db import open_db, write_tx
from storage.deputies import load_deputies
from storage.queries import qe_gap_count
from storage.validators import load_validators

logger = logging.getLogger("vigie.crawler")


def spider_kwargs(cfg: Config, name: str, db: Any | None) -> dict[str, Any]:
    """Plain constructor arguments for the source's spider (spiders never read the config)."""
    src = cfg.sources[name]
    kw: dict[str, Any] = {"source": name, "url": src.url}
    if db is not None:
        kw["validators"] = load_validators(db, name)
    if isinstance(src, SiteSource):
        kw.update(
            feeds=src.feeds,
            sitemaps=src.sitemaps,
            listings=src.listings,
            selectors=src.selectors.model_dump(),
            max_depth=cfg.crawl.max_depth,
            revalidate_known=src.revalidate_known,
            known=store_items.known_articles(db, name) if db is not None else {},
        )
    elif isinstance(src, AssembleeSource):
        kw.update(
            open_data_url=src.open_data_url,
            legislature=src.legislature,
            kinds=list(src.kinds),
            follow=list(src.follow),
            deputies=src.deputies,
            pages=src.pages,
            followed=sorted(store_items.followed_ids(db, name)) if db is not None else [],
            max_dump_bytes=cfg.crawl.max_dump_bytes,
            fingerprints=store_items.fingerprints(db, name) if db is not None else {},
            known_deputies=load_deputies(db, name) if db is not None else {},
        )
    elif isinstance(src, SenatSource):
        kw.update(
            open_data_url=src.open_data_url,
            csv_path=src.csv_path,
            follow=list(src.follow),
            pages=src.pages,
            followed=sorted(store_items.followed_ids(db, name)) if db is not None else [],
            max_dump_bytes=cfg.crawl.max_dump_bytes,
        )
    return kw


def scrapy_settings(
    cfg: Config, name: str, config_path: str, run_id: int | None, dry_run: bool, log_level: str
) -> dict[str, Any]:
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
    settings.update(
        ITEM_PIPELINES={"monitor.ingest.pipeline.StorePipeline": 300},
        VIGIE_CONFIG_PATH=config_path,
        VIGIE_SOURCE=name,
        VIGIE_RUN_ID=run_id or 0,
        VIGIE_DRY_RUN=dry_run,
    )
    return settings


def run_child(
    config_path: str, name: str, run_id: int | None, dry_run: bool, log_level: str
) -> int:
    from scrapy.crawler import CrawlerProcess

    cfg = load_config(config_path)
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
    settings = scrapy_settings(cfg, name, config_path, run_id, dry_run, log_level)
    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_class(cfg.sources[name].spider))
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if db is None or not run_id:
        return 0
    src = cfg.sources[name]
    if isinstance(src, AssembleeSource):  # completeness: QE numbers never seen (vigie gaps)
        with write_tx(db):
            store_runs.update_counters(
                db, run_id, {"gaps": qe_gap_count(db, src.legislature, name)}
            )
    run = store_runs.get_run(db, run_id)
    outcome, reason = judge(run, stats.get("finish_reason"), src.empty_ok, stats)
    if outcome == "failed" and _unchanged(run, stats):
        outcome, reason = "ok", "not modified since the last run (304)"
    from monitor.ingest.pipeline import utc_now

    store_runs.finish_run(db, run_id, outcome, reason, utc_now())
    return 0


def _unchanged(run: dict[str, Any], stats: dict[str, Any]) -> bool:
    """Zero items because every document answered 304 is a quiet night, not a broken source."""
    return (
        stats.get("finish_reason") == "finished"
        and not run.get("items_seen")
        and stats.get(NOT_MODIFIED, 0) > 0
        and not stats.get(ERRORS, 0)
        and not stats.get(PARSE_ERRORS, 0)
    )


def _quiet_scrapy(record: logging.LogRecord) -> bool:
    if record.name.startswith(("scrapy", "py.warnings", "twisted")):
        return record.levelno >= logging.WARNING and "Deprecat" not in record.getMessage()
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m monitor.runs.child")
    ap.add_argument("--config", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--run-id", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--log-level", default="INFO")
    a = ap.parse_args(argv)
    return run_child(a.config, a.source, a.run_id or None, a.dry_run, a.log_level)


if __name__ == "__main__":
    sys.exit(main())
