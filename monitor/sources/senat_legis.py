"""The "senat_legis" family: Sénat texts, amendments and dossiers (issue 12)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from monitor.sources.base import HttpUrl, SourceBase
from spiders import defaults
from storage import items as store_items

if TYPE_CHECKING:
    import sqlite_utils

    from monitor.config import Config

_TEXT = re.compile(r"^\d{4}-\d{4}/\d+$")
_DOSSIER = re.compile(r"[a-z]{2,4}\d{2}-\d+")
_LEG = re.compile(r"^leg/(?P<kind>[a-z]{2,4})(?P<yy>\d{2})-(?P<num>\d+)$")


class SenatLegisSource(SourceBase):
    spider: Literal["senat_legis"] = Field(
        "senat_legis", description='"senat_legis": Sénat texts, amendments and dossiers.'
    )
    url: HttpUrl = Field(defaults.SENAT_URL, description="The Sénat site.")
    texts: list[str] = Field(
        [],
        description='Texts whose amendments are read, as "session/number", e.g. "2025-2026/123" '
        "(PLFSS, PLF…); the texts of followed dossiers are added.",
    )
    dossiers: list[str] = Field(
        [],
        description='Dossiers read (page + feed) and whose texts\' amendments are read, e.g. "ppl25-400"; '
        "followed Sénat dossiers are added.",
    )
    depots: bool = Field(
        True, description="Read the list of texts just tabled (akomantoso/depots.xml)."
    )
    depot_dossiers: bool = Field(
        True,
        description="Also read the dossier of each text just tabled (links it to the Assemblée's).",
    )
    seance: bool = Field(True, description="Read the séance amendment sets.")
    commission: bool = Field(True, description="Read the commission amendment sets.")

    @field_validator("texts")
    @classmethod
    def _texts(cls, value: list[str]) -> list[str]:
        for v in value:
            if not _TEXT.match(v.strip()):
                raise ValueError(
                    f'{v!r} is not a Sénat text reference; expected e.g. "2025-2026/123"'
                )
        return [v.strip() for v in value]

    @field_validator("dossiers")
    @classmethod
    def _dossiers(cls, value: list[str]) -> list[str]:
        for v in value:
            if not _DOSSIER.search(v):
                raise ValueError(f'{v!r} is not a Sénat dossier id; expected e.g. "ppl25-400"')
        return value


def followed_refs(followed: set[str]) -> tuple[list[str], list[str]]:
    """Followed item ids → (Sénat text ids "ppl25-400", dossier ids "ppl25-400"). Text ids,
    not "session/number": the spider then knows the text's uid for the amendments' parents."""
    texts, dossiers = [], []
    for uid in sorted(followed):
        if _LEG.match(uid):
            texts.append(uid.removeprefix("leg/"))
        elif uid.startswith("dossier-legislatif/"):
            dossiers.append(uid.removeprefix("dossier-legislatif/"))
    return texts, dossiers


def spider_kwargs(
    cfg: Config, name: str, src: SenatLegisSource, db: sqlite_utils.Database | None
) -> dict[str, Any]:
    """SenatLegisSpider's arguments: configured texts and dossiers plus the followed ones."""
    followed = store_items.followed_ids(db, name) if db is not None else set()
    texts, dossiers = followed_refs(followed)
    return {
        "texts": list(dict.fromkeys([*src.texts, *texts])),
        "dossiers": list(dict.fromkeys([*src.dossiers, *dossiers])),
        "depots": src.depots,
        "depot_dossiers": src.depot_dossiers,
        "seance": src.seance,
        "commission": src.commission,
        "max_dump_bytes": cfg.crawl.max_dump_bytes,
    }
