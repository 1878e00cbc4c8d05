"""The one registry of source families.

A *family* is a kind of source (``spider = "site"`` in ``config.toml``). Everything that must
agree about a family derives from its :class:`Family` entry here:

- config validation (``monitor.config.SOURCE_TYPES``: which ``spider`` values exist and their model),
- the crawl child (which spider class to start and with which arguments),
- the README configuration reference (``monitor/cli/docs.py``) and its tests,
- the pipeline contract (the item classes the spider yields must all be handled).

``tests/test_sources.py`` fails when an entry is half-registered (spider missing, item kinds
unknown to the pipeline, model not documented). See README "Adding a source".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from monitor.sources import an_legis, assemblee, senat, site
from monitor.sources.base import SourceBase
from spiders.items import (
    ArticleItem,
    HintItem,
    LegisItem,
    ListsReadItem,
    QuestionItem,
    SeenItem,
    ValidatorItem,
)
from storage.validators import load_validators

if TYPE_CHECKING:
    import scrapy
    import sqlite_utils

    from monitor.config import Config

#: (cfg, source name, validated source model, open database or None in a dry run) → kwargs
KwargsBuilder = Callable[[Any, str, Any, Any], dict[str, Any]]
#: (database, source name, source model) → run counters written after the crawl
RunCounters = Callable[[Any, str, Any], dict[str, int]]


@dataclass(frozen=True)
class Family:
    """One source family, registered once.

    - ``name``: the value of ``spider = "..."`` in ``config.toml``.
    - ``model``: the pydantic model of ``[sources.<name>]`` (a :class:`SourceBase` whose
      ``spider`` field is ``Literal[name]``); every field needs a ``description``.
    - ``spider``: ``"module:Class"`` of the Scrapy spider (imported only by the crawl child).
    - ``spider_kwargs``: builds the spider's arguments beyond ``source``, ``url`` and
      ``validators`` from the validated config (+ storage reads such as known items).
    - ``items``: the item classes the spider yields; each must be handled by the pipeline.
    - ``doc``: title of the family's table in the README reference.
    - ``doc_tables``: extra sub-tables documented after it (title, model).
    - ``run_counters``: optional counters computed after a crawl (e.g. QE gaps).
    """

    name: str
    model: type[SourceBase]
    spider: str
    spider_kwargs: KwargsBuilder
    items: tuple[type, ...]
    doc: str
    doc_tables: tuple[tuple[str, type[BaseModel]], ...] = ()
    run_counters: RunCounters | None = None


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            name="site",
            model=site.SiteSource,
            spider="spiders.site:SiteSpider",
            spider_kwargs=site.spider_kwargs,
            items=(ArticleItem, SeenItem, HintItem, ValidatorItem),
            doc='sources.<name> with spider = "site"',
            doc_tables=(("sources.<name>.selectors", site.Selectors),),
        ),
        Family(
            name="assemblee",
            model=assemblee.AssembleeSource,
            spider="spiders.assemblee:AssembleeSpider",
            spider_kwargs=assemblee.spider_kwargs,
            items=(QuestionItem, SeenItem, ValidatorItem),
            doc='sources.<name> with spider = "assemblee"',
            run_counters=assemblee.run_counters,
        ),
        Family(
            name="senat",
            model=senat.SenatSource,
            spider="spiders.senat:SenatSpider",
            spider_kwargs=senat.spider_kwargs,
            items=(QuestionItem, ValidatorItem),
            doc='sources.<name> with spider = "senat"',
        ),
        Family(
            name="an_legis",
            model=an_legis.AnLegisSource,
            spider="spiders.an_legis:AnLegisSpider",
            spider_kwargs=an_legis.spider_kwargs,
            items=(LegisItem, ListsReadItem, SeenItem, ValidatorItem),
            doc='sources.<name> with spider = "an_legis"',
        ),
    )
}


def source_types() -> dict[str, type[SourceBase]]:
    """``spider`` value → config model (what config validation accepts)."""
    return {name: f.model for name, f in FAMILIES.items()}


def family_of(src: SourceBase) -> Family:
    return FAMILIES[src.spider]


def spider_class(family: Family) -> type[scrapy.Spider]:
    module, _, attr = family.spider.partition(":")
    return getattr(import_module(module), attr)


def spider_kwargs(cfg: Config, name: str, db: sqlite_utils.Database | None) -> dict[str, Any]:
    """Every constructor argument of the source's spider (spiders never read the config)."""
    src = cfg.sources[name]
    kw: dict[str, Any] = {"source": name, "url": src.url}
    if db is not None:
        kw["validators"] = load_validators(db, name)
    kw.update(family_of(src).spider_kwargs(cfg, name, src, db))
    return kw
