"""A crawl started by ``scrapy crawl`` (a Scrapyd job) instead of ``monitor.runs.child``.

Scrapyd runs ``scrapy crawl <spider> -a _job=<id> -a source=<name> -s KEY=VALUE ...`` with the
settings module of the deployed egg (``monitor.runs.scrapyd_settings``). Vigie's spiders take
their source settings as constructor arguments built from the validated config and the archive
(validators, known articles...), which an HTTP form cannot carry. So the spider names Scrapyd
knows are the source *families* (``site``, ``assemblee``, ``senat``), and
:class:`SourceSpiderLoader` hands Scrapy each family's spider unchanged but for its
``from_crawler``, which:

1. reads the configuration the job names — setting ``VIGIE_CONFIG_PATH`` (a ``config.toml`` the
   node can read, validated here with :func:`monitor.config.load_config`) or ``VIGIE_CONFIG``
   (already serialized by a parent) — and checks the ``source`` argument against it;
2. applies the crawl's Scrapy settings exactly as the local child does
   (:func:`monitor.runs.child.scrapy_settings`: polite settings from ``[crawl]``, the pipeline,
   the config serialized with :func:`monitor.config.config_to_json`), at ``project`` priority so a
   job's own ``-s`` settings still win;
3. builds the spider's arguments with :func:`monitor.sources.registry.spider_kwargs`, then lets
   the family's own ``from_crawler`` build the spider with them plus Scrapyd's ``_job`` (and
   ``_version``), which every spider accepts through ``**kwargs``.

Why ``from_crawler``: Scrapy creates the spider before it applies and freezes the settings, and
documents it as the place where a spider may change them.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from monitor.config import Config, config_from_json, load_config
from monitor.errors import ConfigError
from monitor.sources.registry import FAMILIES, Family, family_of, spider_class, spider_kwargs
from storage.db import close_db, open_db

logger = logging.getLogger("vigie.job")

CONFIG_PATH = "VIGIE_CONFIG_PATH"
#: spider arguments Scrapyd adds to every job (kept on the spider, never used)
SCRAPYD_ARGS = ("_job", "_version")


def job_config(settings: BaseSettings) -> tuple[Config, str]:
    """The job's validated config and where it came from (for the logs)."""
    raw = settings.get("VIGIE_CONFIG")
    if raw:
        return config_from_json(raw), settings.get("VIGIE_CONFIG_ORIGIN") or "(from parent)"
    path = settings.get(CONFIG_PATH)
    if not path:
        raise ConfigError(
            [
                f"no configuration for this job: schedule it with "
                f"setting={CONFIG_PATH}=/path/to/config.toml (a file the Scrapyd node can read)"
            ]
        )
    return load_config(path), str(path)


def bind(crawler: Any, family: Family, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Configure ``crawler`` for the job's source; return the spider's constructor arguments."""
    from monitor.runs.child import scrapy_settings

    s = crawler.settings
    cfg, origin = job_config(s)
    source = kwargs.get("source")
    if not source or source not in cfg.sources:
        known = ", ".join(n for n, v in cfg.sources.items() if family_of(v) is family)
        raise ConfigError(
            [
                f"spider {family.name!r}: argument source={source!r} is not a source of "
                f"{origin}; schedule it with source=<name> (one of: {known or 'none'})"
            ]
        )
    if family_of(cfg.sources[source]) is not family:
        raise ConfigError(
            [
                f"source {source!r} is crawled by spider {cfg.sources[source].spider!r}, "
                f"not {family.name!r}: schedule spider={cfg.sources[source].spider}"
            ]
        )
    dry_run = s.getbool("VIGIE_DRY_RUN")
    job_settings = scrapy_settings(
        cfg, source, origin, s.getint("VIGIE_RUN_ID") or None, dry_run, s.get("LOG_LEVEL", "INFO")
    )
    s.update(job_settings, priority="project")
    db = None if dry_run else open_db(cfg.db_path)
    try:
        built = spider_kwargs(cfg, source, db)
    finally:
        if db is not None:
            close_db(db)
    ignored = sorted(set(kwargs) - {"source", *SCRAPYD_ARGS})
    if ignored:  # the config is the one truth about a source: say so, do not apply them
        logger.warning("%s: spider arguments ignored: %s", source, ", ".join(ignored))
    built.update({k: v for k, v in kwargs.items() if k in SCRAPYD_ARGS})
    return built


def job_spider(family: Family) -> type:
    """The family's spider class, built from a job's config (see the module docstring)."""
    base = spider_class(family)

    class JobSpider(base):  # type: ignore[valid-type,misc]
        @classmethod
        def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
            return super().from_crawler(crawler, *args, **bind(crawler, family, kwargs))

    JobSpider.__name__ = JobSpider.__qualname__ = base.__name__
    return JobSpider


class SourceSpiderLoader(SpiderLoader):
    """``SPIDER_LOADER_CLASS`` of the Scrapyd settings: one spider per registered family."""

    def _load_all_spiders(self) -> None:
        for name, family in FAMILIES.items():
            self._spiders[name] = job_spider(family)
            self._found[name].append((__name__, name))
