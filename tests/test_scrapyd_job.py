"""The Scrapyd entry point without a server: the settings module, the spider loader, the job's
config, and Scrapyd's extra arguments accepted by every spider (the e2e side is
tests/e2e/test_scrapyd.py)."""

from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from monitor.config import config_from_json, parse_config
from monitor.errors import ConfigError
from monitor.runs.job import SourceSpiderLoader, job_config
from monitor.sources.registry import FAMILIES, spider_class, spider_kwargs
from spiders.an_legis import AnLegisSpider
from tests.conftest import TERMS, write_config

SCRAPYD_ARGS = {"_job": "6487ec79947edab326d6db28a2d86511e8247444", "_version": "1700000000"}


def scrapyd_settings(**extra: object) -> Settings:
    s = Settings()
    s.setmodule("monitor.runs.scrapyd_settings", priority="project")
    s.setdict(extra, priority="cmdline")
    return s


def test_every_spider_accepts_scrapyds_extra_arguments():
    cfg = parse_config(
        {
            "watch": {"terms": TERMS},
            "sources": {
                f"s_{name}": {"spider": name, "url": "https://example.org"} for name in FAMILIES
            },
        }
    )
    for name in FAMILIES:
        spider = spider_class(FAMILIES[name])(
            **spider_kwargs(cfg, f"s_{name}", None), **SCRAPYD_ARGS
        )
        assert spider._job == SCRAPYD_ARGS["_job"] and spider.source == f"s_{name}"
    legis = AnLegisSpider(source="an_legis", **SCRAPYD_ARGS)  # not in the registry yet
    assert legis._job == SCRAPYD_ARGS["_job"]


def test_the_loader_offers_one_spider_per_family_under_its_name():
    loader = SourceSpiderLoader.from_settings(scrapyd_settings())
    assert sorted(loader.list()) == sorted(FAMILIES)
    for name, family in FAMILIES.items():
        cls = loader.load(name)
        assert cls.name == name and issubclass(cls, spider_class(family))
    with pytest.raises(KeyError):
        loader.load("nosuch")


def test_a_job_is_configured_from_the_config_file_it_names(tmp_path):
    config = write_config(tmp_path, {"avec": {"spider": "site", "url": "http://127.0.0.1:9/"}})
    settings = scrapyd_settings(VIGIE_CONFIG_PATH=str(config), VIGIE_DRY_RUN=True)
    cls = SourceSpiderLoader.from_settings(settings).load("site")
    crawler = Crawler(cls, settings)
    spider = cls.from_crawler(crawler, source="avec", **SCRAPYD_ARGS)
    assert spider.base_url == "http://127.0.0.1:9" and spider._job == SCRAPYD_ARGS["_job"]
    s = crawler.settings
    # the same settings a local crawl child gets: from [crawl], the pipeline, the config as JSON
    assert "tests@example.org" in s["USER_AGENT"] and s.getint("CONCURRENT_REQUESTS") == 8
    assert s.getfloat("DOWNLOAD_DELAY") == 0.0
    assert s.get("VIGIE_SOURCE") == "avec"
    assert "monitor.ingest.pipeline.StorePipeline" in s.getdict("ITEM_PIPELINES")
    assert config_from_json(s["VIGIE_CONFIG"]).sources["avec"].url == "http://127.0.0.1:9"


def test_a_job_without_config_or_with_a_wrong_source_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="setting=VIGIE_CONFIG_PATH="):
        job_config(scrapyd_settings())
    config = write_config(tmp_path, {"avec": {"spider": "site", "url": "http://127.0.0.1:9/"}})
    settings = scrapyd_settings(VIGIE_CONFIG_PATH=str(config), VIGIE_DRY_RUN=True)
    loader = SourceSpiderLoader.from_settings(settings)
    with pytest.raises(ConfigError, match="one of: avec"):
        loader.load("site").from_crawler(Crawler(loader.load("site"), settings), source="x")
    senat = loader.load("senat")
    with pytest.raises(ConfigError, match="schedule spider=site"):
        senat.from_crawler(Crawler(senat, settings), source="avec")


def test_a_crawl_no_node_answers_for_is_a_failed_run_with_its_health_alert(tmp_path):
    from monitor.config import load_config
    from monitor.daemon.scrapyd import crawl_on_scrapyd
    from storage.db import open_db
    from tests.support.scrapydnode import free_port

    down = f"http://127.0.0.1:{free_port()}"
    config = write_config(
        tmp_path,
        {"avec": {"spider": "site", "url": "http://127.0.0.1:9/"}},
        scrapyd={"nodes": [down]},
        alerts={"failures_before_alert": 1},
    )
    result = crawl_on_scrapyd(load_config(config), str(config), "avec")
    assert result.outcome == "failed"
    assert result.reason.startswith(
        f"not scheduled: no Scrapyd node answered: {down}/daemonstatus.json"
    )
    db = open_db(tmp_path / "vigie.db")
    assert [r["outcome"] for r in db["runs"].rows] == ["failed"]
    assert [(a["event"], a["source"]) for a in db["alerts"].rows] == [("health_broken", "avec")]
