"""Polite Scrapy settings shared by every crawl.

Why a function and not a settings module: the values come from the user's config (passed as
plain arguments by ``monitor/runs/child.py``), and spiders must not import ``monitor``.
No defaults here: the ``[crawl]`` model in ``monitor/config.py`` declares them, once.
"""

from __future__ import annotations

from typing import Any

#: Scrapy settings read by SiteSpider (spiders/parse_pool.py): worker processes parsing article
#: pages (0: in the crawl process), article pages a crawl may ask for and still parse them all
#: itself (past that the pool starts at once), and seconds without an answer after which a
#: worker is taken as hung (a Scrapy setting only, default 60)
PARSE_WORKERS = "VIGIE_PARSE_WORKERS"
PARSE_POOL_AFTER = "VIGIE_PARSE_POOL_AFTER"
PARSE_TIMEOUT = "VIGIE_PARSE_TIMEOUT"


def polite_settings(
    *,
    user_agent: str,
    obey_robots: bool,
    download_delay: float,
    autothrottle: bool,
    autothrottle_target_concurrency: float,
    concurrent_requests_per_domain: int,
    download_timeout: float,
    retry_times: int,
    retry_backoff: float,
    max_page_bytes: int,
    max_pages: int,
    log_level: str = "INFO",
) -> dict[str, Any]:
    return {
        "BOT_NAME": "vigie",
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": obey_robots,
        # Safety (PITFALLS.md): no remote control server, no telnet console.
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "DOWNLOAD_DELAY": download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "AUTOTHROTTLE_ENABLED": autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": autothrottle_target_concurrency,
        # Scrapy 2.19 with the asyncio reactor starts every queued request of a slot at once when
        # DOWNLOAD_DELAY is 0 (bench/concurrency_check.py): the global cap is what really holds.
        # A crawl is one source, nearly always one host, so the per-domain figure is the cap.
        "CONCURRENT_REQUESTS": concurrent_requests_per_domain,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrent_requests_per_domain,
        "DOWNLOAD_TIMEOUT": download_timeout,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": retry_times,
        "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",  # the spider logs the failure once, with its reason
        "VIGIE_RETRY_BACKOFF_BASE": retry_backoff,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            # robots.txt asked once per crawl and shared with the spider; its failure logged
            # once, without Scrapy's traceback (spiders/robots.py)
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "spiders.robots.SharedRobotsTxtMiddleware": 100,
            "spiders.retry.BackoffRetryMiddleware": 550,
            # off-host redirects and loops: refused with a logged reason (spiders/base.py)
            "spiders.base.SameHostRedirectMiddleware": 650,
        },
        "DOWNLOAD_MAXSIZE": max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "CLOSESPIDER_PAGECOUNT": max_pages,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,  # conditional requests are ours (spiders/base.py)
        "LOG_LEVEL": log_level,
        "LOG_FORMAT": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        "LOGSTATS_INTERVAL": 0,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        # CPU per page (issue 15, bench/crawl_overhead.py --profile). CONCURRENT_ITEMS: Scrapy
        # creates that many asyncio tasks for the output of every response (100 by default, 200,000
        # tasks for a 2,000-article crawl), while a page gives one item or a listing's requests,
        # none of them slow to process: 10 took the crawl of the 2,000-page bench from 16.6 s to
        # 12.9 s (bare Scrapy, same settings: 8.0 s to 7.1 s). Not 1: that also delays when items
        # reach the pipeline (tests/faults/test_kill.py then saw no batch committed before a kill).
        # The check below reads a generator callback's source with inspect + ast; its cache is
        # keyed by weak references to each request's bound method, which die with the request, so it
        # reran on one page in five. It only warns about a programming mistake in a callback.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "CONCURRENT_ITEMS": 10,
        "FEEDS": {},
    }


def parse_pool_settings(*, workers: int, after: int) -> dict[str, Any]:
    """The article parse pool's settings (``[crawl] parse_workers`` and ``parse_pool_after``)."""
    return {PARSE_WORKERS: workers, PARSE_POOL_AFTER: after}
