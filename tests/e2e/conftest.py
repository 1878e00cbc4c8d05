"""Fixtures of the Datasette tests: a real crawl's archive and `vigie serve` over it.

Module-scoped: each test module gets its own archive and server, so a module that changes the
archive (a second crawl, a new table) touches no other module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import vigie, write_config
from tests.support.served import Served, seed_questions, start_serve
from tests.support.siteserver import SiteServer


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("archive")
    wp, fncs = SiteServer("wp_like").start(), SiteServer("drupal_like").start()
    cfg = write_config(
        tmp,
        {
            "avec": {"spider": "site", "url": wp.base_url, "label": "AVECsanté"},
            "fncs": {"spider": "site", "url": fncs.base_url, "listings": ["/actualites"]},
        },
    )
    res = vigie("crawl", config=cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    seed_questions(tmp / "vigie.db")
    yield {
        "config": cfg,
        "db": tmp / "vigie.db",
        "wp": wp,
        "fncs": fncs,
        "secpa": f"{wp.base_url}/2026/02/10/experimentation-secpa-rencontres-avecsante/",
        "struct": f"{wp.base_url}/2026/01/20/structures-participatives-financement-maintenu/",
        "fin": f"{fncs.base_url}/fin-brutale-de-l-experimentation-secpa-article-51",
        "tribune": f"{fncs.base_url}/centres-et-maisons-de-sante-participatifs-une-tribune",
    }
    wp.stop()
    fncs.stop()


@pytest.fixture(scope="module")
def server(archive: dict) -> Iterator[Served]:
    """The module's server: arbitrary SQL explicitly off."""
    served = start_serve(archive["config"], "--no-allow-sql")
    yield served
    served.stop()
