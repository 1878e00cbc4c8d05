"""Bytes of the hand-built AN legislative samples (tests/sites/an_legis), read through the manifest."""

from __future__ import annotations

from tests.support.siteserver import Site

SITE = Site("an_legis")


def sample(uid: str, ext: str = "json", state: str | None = None) -> bytes:
    return SITE.fetch(f"/dyn/opendata/{uid}.{ext}", state=state)[0]
