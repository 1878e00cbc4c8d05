"""The Scrapy settings module of the deployed project (``scrapy.cfg`` → ``[settings]``).

Scrapyd starts every job with the settings module named by the egg's ``scrapy`` entry point;
this one wires the parts that never change: the spider loader that builds each family's spider
from the job's config (:mod:`monitor.runs.job`), the store pipeline and the run recorder
(:mod:`monitor.runs.recorder`). Everything else (User-Agent, delays, limits...) comes from the
config the job names (``setting=VIGIE_CONFIG_PATH=...``) and is applied when the spider is built;
the values below, the ``[crawl]`` defaults, only hold for ``scrapy list`` and similar commands.

Why here and not in ``spiders/``: wiring the pipeline and the run records is the composition
root's business; ``spiders`` stays fetch+parse (import contract).
"""

from __future__ import annotations

from monitor.config import PROJECT_URL, VERSION, CrawlConfig
from spiders.settings import polite_settings

_crawl = CrawlConfig()

globals().update(
    polite_settings(
        user_agent=_crawl.user_agent.format(
            version=VERSION, project_url=PROJECT_URL, contact=_crawl.contact
        ),
        obey_robots=_crawl.obey_robots,
        download_delay=_crawl.download_delay,
        autothrottle=_crawl.autothrottle,
        autothrottle_target_concurrency=_crawl.autothrottle_target_concurrency,
        concurrent_requests_per_domain=_crawl.concurrent_requests_per_domain,
        download_timeout=_crawl.download_timeout,
        retry_times=_crawl.retry_times,
        retry_backoff=_crawl.retry_backoff,
        max_page_bytes=_crawl.max_page_bytes,
        max_pages=_crawl.max_pages,
    )
)

SPIDER_MODULES: list[str] = []
SPIDER_LOADER_CLASS = "monitor.runs.job.SourceSpiderLoader"
ITEM_PIPELINES = {"monitor.ingest.pipeline.StorePipeline": 300}
EXTENSIONS = {"monitor.runs.recorder.RunRecorder": 0}
VIGIE_RUN_ID = 0
VIGIE_DRY_RUN = False
