"""The source-family registry: every family fully registered, the config passed down whole.

A family half-registered (spider missing, item kinds the pipeline does not handle, a model
not documented, builder arguments the spider does not take) must fail here, not silently at
3 a.m. in a crawl child.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import typing
from typing import Any

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from monitor.cli.docs import SECTIONS, config_reference
from monitor.config import SOURCE_TYPES, config_from_json, config_to_json, parse_config
from monitor.ingest.pipeline import HANDLED_ITEMS, UNKNOWN_ITEMS, StorePipeline
from monitor.runs.launch import crawl_source
from monitor.sources.registry import FAMILIES, Family, spider_class, spider_kwargs
from monitor.sources.site import SiteSource
from tests.conftest import TERMS, db_of, write_config


def half_registered(family: Family) -> list[str]:
    """What is missing or inconsistent in one registry entry (empty: fully registered)."""
    problems = []
    model = family.model
    field = model.model_fields.get("spider")
    if field is None or typing.get_args(field.annotation) != (family.name,):
        problems.append(f"{model.__name__}.spider is not Literal[{family.name!r}]")
    try:
        cls = spider_class(family)
    except (ImportError, AttributeError) as exc:
        problems.append(f"spider {family.spider} cannot be imported: {exc}")
        cls = None
    if cls is not None and not (isinstance(cls, type) and issubclass(cls, scrapy.Spider)):
        problems.append(f"{family.spider} is not a Scrapy spider")
    for kind in family.items:
        if kind not in HANDLED_ITEMS:
            problems.append(f"item kind {kind.__name__} is not handled by the pipeline")
    if not family.items:
        problems.append("no item kinds declared")
    if (family.doc, model) not in SECTIONS:
        problems.append(f"{model.__name__} has no documentation table")
    for name, f in model.model_fields.items():
        if not f.description:
            problems.append(f"{model.__name__}.{name} has no description")
    if cls is not None and not problems:
        cfg = parse_config(
            {"watch": {"terms": TERMS}, "sources": {"x": _minimal(family)}}, base_dir="."
        )
        keys = [*spider_kwargs(cfg, "x", None), "validators"]
        keys += list(family.spider_kwargs(cfg, "x", cfg.sources["x"], None))
        for key in dict.fromkeys(keys):
            if key not in _init_params(cls):
                problems.append(f"{family.spider} does not take the argument {key!r}")
    return problems


def _init_params(cls: type) -> set[str]:
    """Named constructor arguments along the MRO, as far as each ``__init__`` passes
    ``**kwargs`` on to its parent (Scrapy's own Spider takes only ``name``)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is scrapy.Spider:
            continue
        params = inspect.signature(klass.__init__).parameters
        names |= {n for n, p in params.items() if p.kind is not p.VAR_KEYWORD and n != "self"}
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            break
    return names


def _minimal(family: Family) -> dict[str, Any]:
    data: dict[str, Any] = {"spider": family.name}
    if family.model.model_fields["url"].is_required():
        data["url"] = "https://example.org"
    return data


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_is_fully_registered(name):
    assert half_registered(FAMILIES[name]) == []


def test_config_validation_derives_from_the_registry():
    assert SOURCE_TYPES == {name: f.model for name, f in FAMILIES.items()}
    ref = config_reference()
    for family in FAMILIES.values():
        assert f"`[{family.doc}]`" in ref


def test_a_half_registered_family_is_caught():
    class NewsItem:  # a kind no pipeline branch knows
        pass

    class Undocumented(SiteSource):
        spider: typing.Literal["site"] = "site"  # type: ignore[assignment]
        extra_key: str = "x"  # no description

    broken = dataclasses.replace(
        FAMILIES["site"],
        name="news",
        model=Undocumented,
        spider="spiders.news:NewsSpider",
        items=(NewsItem,),
    )
    got = "\n".join(half_registered(broken))
    assert "Undocumented.spider is not Literal['news']" in got
    assert "spiders.news:NewsSpider cannot be imported" in got
    assert "item kind NewsItem is not handled by the pipeline" in got
    assert "Undocumented has no documentation table" in got
    assert "Undocumented.extra_key has no description" in got


def test_builder_arguments_beyond_the_constructor_are_caught():
    def too_much(cfg, name, src, db):
        return {"no_such_argument": 1}

    broken = dataclasses.replace(FAMILIES["senat"], spider_kwargs=too_much)
    assert half_registered(broken) == [
        "spiders.senat:SenatSpider does not take the argument 'no_such_argument'"
    ]


def test_config_survives_serialization_to_the_child(tmp_path):
    """Every family's own keys reach the child (a dump through the base model would drop them)."""
    data = {
        "watch": {"terms": TERMS, "exclude": ["pas SECPA"]},
        "crawl": {"download_timeout": "1m", "max_depth": 2},
        "daemon": {"jitter": 5},
        "sources": {
            "press": {
                "spider": "site",
                "url": "https://example.org/",
                "feeds": ["/feed/"],
                "selectors": {"title": "h1"},
                "schedule": "0 7 * * mon-fri",
            },
            "an": {"spider": "assemblee", "kinds": ["QE"], "follow": ["QANR5L17QE1"]},
            "senat": {"spider": "senat", "pages": False, "stale_after": "30d"},
        },
    }
    cfg = parse_config(data, base_dir=str(tmp_path))
    back = config_from_json(config_to_json(cfg))
    assert back == cfg
    assert back.sources["press"].selectors.title == "h1"  # type: ignore[attr-defined]
    assert back.sources["an"].follow == ["QANR5L17QE1"]  # type: ignore[attr-defined]
    assert back.crawl.download_timeout == 60 and back.base_dir == str(tmp_path)


def test_pipeline_counts_and_logs_an_unknown_item_type(tmp_path, caplog):
    @dataclasses.dataclass
    class StrayItem:
        url: str = "https://example.org/x"

    cfg = parse_config(
        {"watch": {"terms": TERMS}, "sources": {"s": {"spider": "site", "url": "https://e.org"}}},
        base_dir=str(tmp_path),
    )
    crawler = get_crawler(
        settings_dict={
            "VIGIE_CONFIG": config_to_json(cfg),
            "VIGIE_SOURCE": "s",
            "VIGIE_DRY_RUN": True,
        }
    )
    if crawler.stats is None:  # pragma: no cover - depends on the Scrapy version
        from scrapy.statscollectors import MemoryStatsCollector

        crawler.stats = MemoryStatsCollector(crawler)
    pipeline = StorePipeline(crawler)
    with caplog.at_level(logging.ERROR, logger="vigie.pipeline"):
        pipeline.process_item(StrayItem())
    assert crawler.stats.get_value(UNKNOWN_ITEMS) == 1
    assert pipeline.counts["items_skipped"] == 1
    assert "unknown item type StrayItem" in caplog.text


@pytest.mark.e2e
def test_crawl_child_runs_on_the_parents_config_not_the_file(tmp_path, site_server):
    """The file is broken after the parent validated it: the child never reads it again."""
    from monitor.config import load_config

    srv = site_server("wp_like")
    path = write_config(tmp_path, {"avec": {"spider": "site", "url": srv.base_url}})
    cfg = load_config(path)
    path.write_text("this is [not valid toml", encoding="utf-8")
    result = crawl_source(cfg, str(path), "avec")
    assert result.outcome == "ok", result.reason
    stored = list(db_of(path).query("select id, url from items where source = 'avec'"))
    assert len(stored) >= 4
