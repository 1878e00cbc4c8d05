"""The explicit map "spider name in config.toml" → spider class (no plugin magic)."""

from __future__ import annotations

from importlib import import_module

import scrapy

SPIDERS: dict[str, str] = {
    "site": "spiders.site:SiteSpider",
    "assemblee": "spiders.assemblee:AssembleeSpider",
    "senat": "spiders.senat:SenatSpider",
}


def spider_class(name: str) -> type[scrapy.Spider]:
    module, _, attr = SPIDERS[name].partition(":")
    return getattr(import_module(module), attr)
