"""The items table's own search (`?_search=`) over HTTP, on an archive where a word is common.

A common word keeps its `SEARCH_WINDOW` most recently collected matches (the items table page
of a million-item archive answered HTTP 400 after 3 s otherwise: bench/million.py, issue 15),
newest published first, with its count, its facets and a description that says more exist;
a rarer word keeps all its matches. The archive: `SEARCH_WINDOW + 3` items mentioning « santé »
(collection order and publication order deliberately differ) and three with « ornithorynque »,
written with sqlite-utils through the real schema; `vigie serve` in a child process.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from storage.db import open_db
from storage.web_queries import SEARCH_WINDOW
from tests.conftest import write_config
from tests.support.served import Served, start_serve

pytestmark = pytest.mark.e2e

COMMON = SEARCH_WINDOW + 3
RARE = ["rare-1", "rare-2", "rare-3"]


def published(i: int) -> str:
    # collected in order i, published in a shuffled order: the page must sort by date
    return (date(2020, 1, 1) + timedelta(days=(i * 7919) % 3000)).isoformat()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("window")
    cfg = write_config(tmp, {"site": {"spider": "site", "url": "http://127.0.0.1:9"}})
    db = open_db(tmp / "vigie.db")
    rows = [
        {
            "id": f"common-{i:05d}",
            "source": "site" if i % 2 else "autre",
            "kind": "article",
            "url": f"https://example.org/{i}",
            "title": f"Article {i}",
            "body": "La santé des habitants du quartier.",
            "published": published(i),
            "matched": i % 3 == 0,
            "followed": 0,
        }
        for i in range(COMMON)
    ]
    rows += [
        {
            "id": rid,
            "source": "site",
            "kind": "article",
            "url": f"https://example.org/{rid}",
            "title": f"Un ornithorynque ({rid})",
            "body": "Rien sur la santé.",
            "published": f"2021-0{n + 1}-01",
            "matched": 0,
            "followed": 1,
        }
        for n, rid in enumerate(RARE)
    ]
    db["items"].insert_all(rows)
    db.conn.close()
    server = start_serve(cfg, "--no-allow-sql")
    yield server
    server.stop()


def search(served: Served, word: str, extra: str = "") -> dict:
    return served.json(f"/vigie/items.json?_search={urllib.parse.quote(word)}{extra}")  # type: ignore[return-value]


def test_a_rare_word_keeps_all_its_matches_newest_published_first(served: Served) -> None:
    data = search(served, "ORNITHORYNQUE")
    ids = [r[data["columns"].index("id")] for r in data["rows"]]
    assert ids == ["rare-3", "rare-2", "rare-1"]  # published 1 March, 1 February, 1 January
    assert data["filtered_table_rows_count"] == 3
    assert data["human_description_en"] == (
        'where search matches "ORNITHORYNQUE" sorted by published descending'
    )


def test_a_common_word_keeps_its_newest_matches_with_count_facets_and_a_note(
    served: Served,
) -> None:
    data = search(served, "sante", "&_size=100")
    assert data["filtered_table_rows_count"] == SEARCH_WINDOW
    assert (
        f"its {SEARCH_WINDOW:,} most recently collected matches; more exist"
        in (data["human_description_en"])
    )
    dates = [r[data["columns"].index("published")] for r in data["rows"]]
    assert len(dates) == 100 and dates == sorted(dates, reverse=True)
    # the window is the last SEARCH_WINDOW + 3 items collected: the three rare ones, and every
    # common one but the first six
    seen: set[str] = set()
    page = search(served, "sante", "&_size=1000&_nofacet=1")
    while True:  # every page of the window, by Datasette's own next links
        seen |= {r[page["columns"].index("id")] for r in page["rows"]}
        if not page["next_url"]:
            break
        parts = urllib.parse.urlsplit(page["next_url"])
        page = served.json(f"{parts.path}?{parts.query}")  # type: ignore[assignment]
    assert len(seen) == SEARCH_WINDOW
    assert set(RARE) <= seen
    assert {f"common-{i:05d}" for i in range(6)}.isdisjoint(seen)
    # the default facets, counted over the window
    facets = data["facet_results"]
    assert set(facets) == {"source", "kind", "matched"}
    assert sum(r["count"] for r in facets["source"]["results"]) == SEARCH_WINDOW
    assert {r["value"]: r["count"] for r in facets["kind"]["results"]} == {"article": SEARCH_WINDOW}


def test_an_empty_search_box_sent_with_a_filter_filters_only(served: Served) -> None:
    data = served.json("/vigie/items.json?_search=&followed=1&_nofacet=1")
    assert data["filtered_table_rows_count"] == 3  # type: ignore[index]
    assert " match " not in data["query"]["sql"]  # type: ignore[index]


def test_a_search_the_fts_index_cannot_read_alone_keeps_datasettes_own_clause(
    served: Served,
) -> None:
    # a column search (`_search_title=`) is not windowed: all its matches, Datasette's SQL
    data = served.json("/vigie/items.json?_search_title=ornithorynque&_nofacet=1")
    assert data["filtered_table_rows_count"] == 3  # type: ignore[index]
    assert "order by rowid desc limit" not in data["query"]["sql"]  # type: ignore[index]


def test_the_table_page_shows_the_search_and_the_other_facets_on_request(served: Served) -> None:
    status, body, _ = served.get("/vigie/items?_search=sant%C3%A9")
    html = body.decode("utf-8")
    assert status == 200
    assert 'name="_search" value="santé"' in html  # the box keeps what was typed
    assert f"{SEARCH_WINDOW:,} rows" in html and "more exist" in html
    data = search(served, "santé", "&_facet=followed")
    followed = {r["value"]: r["count"] for r in data["facet_results"]["followed"]["results"]}
    assert followed == {0: SEARCH_WINDOW - 3, 1: 3}
