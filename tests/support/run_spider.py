"""Run ONE spider in this (child) process with the project's polite settings, items to a JSON
lines feed: ``python -m tests.support.run_spider args.json``.

Why a runner for spider tests: the an_legis spider is tested before the lead wires it into
``monitor`` (config, registry, pipeline); this runs the real spider, the real Scrapy engine and
the real downloader against the local fixture server, one child process per crawl (PITFALLS.md).
``args.json`` = ``{"spider": "module:Class", "kwargs": {...}, "out": "items.jsonl"}``.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from monitor.config import CrawlConfig
from spiders.settings import polite_settings


def main(argv: list[str]) -> int:
    args = json.loads(open(argv[1], encoding="utf-8").read())
    module, cls = args["spider"].split(":")
    spider = getattr(importlib.import_module(module), cls)
    crawl = CrawlConfig()  # the documented defaults, then the test's fast settings
    settings = polite_settings(
        user_agent="vigie-tests",
        obey_robots=crawl.obey_robots,
        download_delay=0,
        autothrottle=False,
        autothrottle_target_concurrency=crawl.autothrottle_target_concurrency,
        concurrent_requests_per_domain=crawl.concurrent_requests_per_domain,
        download_timeout=crawl.download_timeout,
        retry_times=0,
        retry_backoff=crawl.retry_backoff,
        max_page_bytes=crawl.max_page_bytes,
        max_pages=crawl.max_pages,
        log_level=args.get("log_level", "INFO"),
    )
    settings["FEEDS"] = {args["out"]: {"format": "jsonlines", "encoding": "utf-8"}}
    settings["REMOTE_CONTROL_ENABLED"] = False
    settings["TELNETCONSOLE_ENABLED"] = False
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **args["kwargs"])
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({k: v for k, v in stats.items() if isinstance(v, int | str | float)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))


def crawl(spider: str, tmp: Path, name: str, **kwargs: Any) -> tuple[list[dict], dict, str]:
    """Run ``spider`` ("module:Class") with ``kwargs`` in a child process of this runner:
    (items as dicts in yield order, the crawl's stats, its log)."""
    import subprocess

    out = tmp / f"{name}.jsonl"
    out.unlink(missing_ok=True)
    (tmp / f"{name}.json").write_text(
        json.dumps({"spider": spider, "out": str(out), "kwargs": kwargs})
    )
    res = subprocess.run(
        [sys.executable, "-m", "tests.support.run_spider", str(tmp / f"{name}.json")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    lines = out.read_text("utf-8").splitlines() if out.exists() else []
    items = [json.loads(line) for line in lines]
    return items, json.loads(res.stdout.strip().splitlines()[-1]), res.stderr
