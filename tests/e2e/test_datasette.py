"""`vigie serve` as a real Datasette process over HTTP, on an archive filled by a real crawl.

The archive: `vigie crawl` of two fixture sites (wp_like as "avec", drupal_like as "fncs") over
real local HTTP. Parliamentary questions are written with sqlite-utils in the shape the store
uses, because the assemblee/senat spiders have not landed yet (switch to an `an` fixture crawl
when they do). The server: `vigie serve` in a child process on 127.0.0.1 with a free port and a
readiness poll, one per module; a second one only where the allow_sql default is under test.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from datasette.utils import tilde_encode

from monitor.web.serve import build_datasette, is_loopback, load_metadata, sql_allowed
from storage.db import open_db
from storage.migrations import ITEM_COLUMNS
from tests.conftest import ROOT, vigie
from tests.support.served import (
    AN_ANSWERED,
    AN_OLD_ANSWER,
    AN_PENDING,
    Served,
    db,
    ids,
    start_serve,
)

ATOM = "{http://www.w3.org/2005/Atom}"


# -- search, facets, sort ----------------------------------------------------------------------


pytestmark = pytest.mark.e2e


def test_search_secpa_finds_mixed_case_items(server: Served, archive: dict) -> None:
    rows = server.rows("/vigie/items.json?_search=secpa")
    assert set(ids(rows)) == {archive["secpa"], archive["fin"], AN_PENDING}
    assert any("SECPa" in r["title"] for r in rows)  # stored as written, found folded


def test_search_ignores_accents(server: Served, archive: dict) -> None:
    expected = {archive["secpa"], archive["struct"], archive["fin"], AN_PENDING}
    assert set(ids(server.rows("/vigie/items.json?_search=coordonne"))) == expected
    assert set(ids(server.rows("/vigie/items.json?_search=COORDONN%C3%89"))) == expected


def test_items_default_facets_and_sort(server: Served, archive: dict) -> None:
    data = server.json("/vigie/items.json")
    facets = data["facet_results"]
    # three by default (each counts the whole table: nine took 0.7-0.9 s at a million items)
    assert set(facets) == {"source", "kind", "matched"}
    counts = {f: {r["value"]: r["count"] for r in facets[f]["results"]} for f in facets}
    assert counts["source"] == {"avec": 4, "fncs": 4, "an": 3}
    assert counts["kind"] == {"article": 8, "question": 3}
    assert counts["matched"] == {1: 6, 0: 5}
    # the other facet columns on request (each column's menu links to ?_facet=column)
    more = server.json(
        "/vigie/items.json?_facet=group_name&_facet=followed&_facet=chamber&_facet=status"
    )
    names = ("group_name", "followed", "chamber", "status")
    counts = {
        f: {r["value"]: r["count"] for r in more["facet_results"][f]["results"]} for f in names
    }
    assert counts["group_name"] == {"Ensemble pour la République": 3}
    assert counts["followed"] == {0: 8, 1: 3}
    assert counts["chamber"] == {"AN": 3}
    assert counts["status"] == {"pending": 1, "answered": 2}
    published = [r[data["columns"].index("published")] for r in data["rows"]]
    dated = [p for p in published if p]
    assert dated and dated == sorted(dated, reverse=True)
    assert data["query"]["sql"].endswith("order by published desc limit 21")  # 20 a page
    # a facet narrows the search
    rows = server.rows("/vigie/items.json?_search=secpa&kind=question")
    assert ids(rows) == [AN_PENDING]


# -- canned queries ----------------------------------------------------------------------------


def test_search_canned_query(server: Served, archive: dict) -> None:
    rows = server.rows("/vigie/search.json?q=secpa")
    assert set(ids(rows)) == {archive["secpa"], archive["fin"], AN_PENDING}
    assert all("[" in r["excerpt"] for r in rows)  # snippet marks the hit
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)


def test_latest_mentions(server: Served, archive: dict) -> None:
    rows = server.rows("/vigie/latest_mentions.json")
    matched = {r["id"] for r in db(archive).query("select id from items where matched = 1")}
    assert set(ids(rows)) == matched
    assert {archive["secpa"], archive["struct"], archive["fin"], archive["tribune"]} <= matched
    dates = [r["published"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    articles = [r["id"] for r in rows if r["kind"] == "article"]
    assert articles.index(archive["secpa"]) < articles.index(archive["struct"])  # 10 Feb, 20 Jan


def test_awaiting_answer_counts_days(server: Served) -> None:
    rows = server.rows("/vigie/awaiting_answer.json")
    assert ids(rows) == [AN_PENDING]
    assert rows[0]["days_waiting"] == 40


def test_answers_this_week(server: Served) -> None:
    rows = server.rows("/vigie/answers_this_week.json")
    assert ids(rows) == [AN_ANSWERED]  # the one answered 30 days ago is left out


def test_items_by_author(server: Served) -> None:
    assert set(ids(server.rows("/vigie/items_by_author.json?author=Vidal"))) == {
        AN_PENDING,
        AN_ANSWERED,
    }
    assert ids(server.rows("/vigie/items_by_author.json?author=Durand")) == [AN_OLD_ANSWER]
    assert server.rows("/vigie/items_by_author.json?author=") == []


def test_item_history_starts_with_first_seen(server: Served, archive: dict) -> None:
    rows = server.rows("/vigie/item_history.json?item_id=" + urllib.parse.quote(archive["secpa"]))
    versions = db(archive)["item_versions"].count_where("item_id = ?", [archive["secpa"]])
    assert len(rows) == versions + 1
    assert rows[-1]["event"] == "first_seen"


def test_source_health_and_runs(server: Served) -> None:
    rows = server.rows("/vigie/source_health.json")
    assert [(r["source"], r["state"], r["outcome"], r["items_new"]) for r in rows] == [
        ("avec", "ok", "ok", 4),
        ("fncs", "ok", "ok", 4),
    ]
    runs = server.rows("/vigie/recent_runs.json")
    assert sorted(r["source"] for r in runs[-2:]) == ["avec", "fncs"]


def test_alert_outbox(server: Served, archive: dict) -> None:
    rows = server.rows("/vigie/alert_outbox.json")
    alerts = list(db(archive).query("select id, item_id, status from alerts order by id desc"))
    assert [(r["id"], r["item_id"], r["status"]) for r in rows] == [
        (a["id"], a["item_id"], a["status"]) for a in alerts
    ]
    new_match = {r["item_id"] for r in rows if r["event"] == "new_match"}
    assert new_match == {archive["secpa"], archive["struct"], archive["fin"], archive["tribune"]}
    assert all(r["delivered_to"] == 1 for r in rows if r["status"] == "sent")
    assert server.rows("/vigie/alert_outbox.json?status=failed") == []


def test_profile_mentions_and_the_profile_facet(server: Served, archive: dict) -> None:
    """Issue 14: which profiles matched an item is a table, a facet and a feed per profile
    (this archive's config has no [profiles]: everything is in the implicit "default")."""
    crawled = {
        r["id"]
        for r in db(archive).query(
            "select id from items where matched = 1 and source in ('avec', 'fncs')"
        )
    }
    assert set(ids(server.rows("/vigie/profile_mentions.json?profile=default"))) == crawled
    assert server.rows("/vigie/profile_mentions.json?profile=nobody") == []
    data = server.json("/vigie/item_profiles.json")
    counts = {r["value"]: r["count"] for r in data["facet_results"]["profile"]["results"]}
    assert counts == {"default": len(crawled)}


# -- Atom feeds --------------------------------------------------------------------------------

FEEDS = {
    "search": "q=secpa",
    "latest_mentions": "",
    "awaiting_answer": "",
    "answers_this_week": "",
    "items_by_author": "author=Vidal",
    "item_history": f"item_id={AN_PENDING}",
    "source_health": "",
    "recent_runs": "",
    "profile_mentions": "profile=default",
    "alert_outbox": "",
    "followed_dossiers": "",
    "dossier_timeline": "dossier=DLR5L17N51234",
}


def test_every_canned_query_has_a_feed(server: Served) -> None:
    assert set(FEEDS) == set(load_metadata()["databases"]["vigie"]["queries"])
    for name, qs in FEEDS.items():
        status, body, headers = server.get(f"/vigie/{name}.atom?{qs}")
        assert status == 200, (name, body[:300])
        assert headers["Content-Type"].startswith("application/xml")
        feed = ET.fromstring(body)
        rows = server.rows(f"/vigie/{name}.json?{qs}")
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == len(rows), name
        assert (
            feed.findtext(f"{ATOM}title")
            == load_metadata()["databases"]["vigie"]["queries"][name]["title"]
        )
        for e in entries:
            assert e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}title")
            datetime.fromisoformat(e.findtext(f"{ATOM}updated"))  # RFC 3339, with offset


def test_latest_mentions_feed_entries(server: Served, archive: dict) -> None:
    _, body, _ = server.get("/vigie/latest_mentions.atom")
    entries = ET.fromstring(body).findall(f"{ATOM}entry")
    links = {e.find(f"{ATOM}link").get("href"): e for e in entries}
    secpa = links[archive["secpa"]]
    assert "SECPa" in secpa.findtext(f"{ATOM}title")
    assert secpa.findtext(f"{ATOM}id") == f"vigie:item:{archive['secpa']}"
    assert secpa.findtext(f"{ATOM}updated").startswith("2026-02-10T08:12:00")  # 09:12 Paris in UTC
    assert secpa.find(f"{ATOM}content").get("type") == "html"


def test_empty_feed_is_valid(server: Served) -> None:
    status, body, _ = server.get("/vigie/item_history.atom?item_id=nothing")
    assert status == 200
    feed = ET.fromstring(body)
    assert feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}title")


# -- read-only, allow_sql ----------------------------------------------------------------------


def test_arbitrary_sql_refused_when_off(server: Served) -> None:
    status, body, _ = server.get(
        "/vigie.json?sql=" + urllib.parse.quote("select count(*) from items")
    )
    assert status == 403, body[:300]
    assert server.get("/vigie/items.json?_where=" + urllib.parse.quote("1=1"))[0] == 403
    assert server.get("/vigie/latest_mentions.json")[0] == 200  # canned queries still answer
    # the raw outbox (recipients' addresses) is private too; its canned query is not
    assert server.get("/vigie/alerts.json")[0] == 403
    assert server.get("/vigie/deliveries.json")[0] == 403
    assert server.get("/vigie/alert_outbox.json")[0] == 200


def test_writes_refused(server: Served, archive: dict) -> None:
    before = db(archive)["items"].count
    form = urllib.parse.urlencode({"author": "x"}).encode()
    status, body, headers = server.get("/vigie/items_by_author", data=form)
    assert (status, body, headers["Allow"]) == (405, b"This archive is read-only.\n", "GET, HEAD")
    insert = json.dumps({"row": {"id": "x", "source": "x", "kind": "x", "url": "x"}}).encode()
    assert server.get("/vigie/items/-/insert", data=insert)[0] == 405
    assert server.get("/vigie/-/create", data=insert)[0] == 405
    assert db(archive)["items"].count == before


def test_sql_allowed_by_default_on_loopback_but_still_read_only(archive: dict) -> None:
    served = start_serve(archive["config"])
    try:
        assert (
            served.rows("/vigie.json?sql=" + urllib.parse.quote("select count(*) as n from items"))[
                0
            ]["n"]
            >= 11
        )
        for sql in (
            "delete from items",
            "update items set title = 'x'",
            "with x as (select 1) delete from items",
        ):
            status, body, _ = served.get("/vigie.json?sql=" + urllib.parse.quote(sql))
            assert status == 400, (sql, body[:300])
    finally:
        served.stop()


def test_datasette_connections_cannot_write(archive: dict) -> None:
    """Even Datasette's own write connection is query_only (the vigie_render plugin)."""
    ds = build_datasette(archive["db"], allow_sql=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(ds.get_database("vigie").execute_write("delete from items"))
    assert db(archive)["items"].count >= 11


@pytest.mark.parametrize(
    ("host", "configured", "allowed"),
    [
        ("127.0.0.1", None, True),
        ("localhost", None, True),
        ("::1", None, True),
        ("127.0.0.2", None, True),
        ("0.0.0.0", None, False),
        ("192.168.1.10", None, False),
        ("::", None, False),
        ("0.0.0.0", True, True),
        ("127.0.0.1", False, False),
    ],
)
def test_allow_sql_rule(host: str, configured: bool | None, allowed: bool) -> None:
    assert sql_allowed(host, configured) is allowed
    assert is_loopback(host) is (host.startswith("127.") or host in ("localhost", "::1"))


# -- pages, metadata, --get --------------------------------------------------------------------


def test_item_page_paragraphs_and_link(server: Served, archive: dict) -> None:
    """The row page of an item is Vigie's item page (more in test_front.py); JSON stays raw."""
    status, body, _ = server.get("/vigie/items/" + tilde_encode(AN_PENDING))
    assert status == 200
    page = body.decode()
    assert '<div class="vigie-text"><p>Mme Annie Vidal attire' in page
    assert "</p><p>Les <mark>structures d&#39;exercice coordonné participatives</mark> " in page
    assert "&lt;b&gt;attendent&lt;/b&gt;" in page and "<b>attendent</b>" not in page
    url = "https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE9001"
    assert f'<a href="{url}" rel="noopener noreferrer nofollow">' in page
    row = server.json("/vigie/items/" + tilde_encode(AN_PENDING) + ".json")
    assert row["rows"][0][0] == AN_PENDING  # type: ignore[index]


def test_every_column_described() -> None:
    meta = load_metadata()["databases"]["vigie"]["tables"]
    mem = open_db(":memory:")
    for table in mem.table_names():
        if table.startswith("items_fts"):
            continue
        cols = {c.name for c in mem[table].columns}
        assert set(meta[table]["columns"]) == cols, table
        assert meta[table]["description"]
    assert set(meta["items"]["columns"]) == set(ITEM_COLUMNS)
    queries = load_metadata()["databases"]["vigie"]["queries"]
    assert all(q["title"] and q["description"] and not q.get("write") for q in queries.values())


def test_serve_get_in_process(archive: dict) -> None:
    res = vigie(
        "serve", "--get", "/vigie/awaiting_answer.json?_shape=array", config=archive["config"]
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert ids(json.loads(res.stdout)) == [AN_PENDING]
    assert vigie("serve", "--get", "/vigie/nope", config=archive["config"]).returncode == 1


# -- while the daemon writes (WAL): keep last, it changes the archive --------------------------


def test_serves_while_a_crawl_writes(server: Served, archive: dict) -> None:
    assert server.rows("/vigie/items.json?_search=prolongation") == []
    archive["wp"].set_state("v2")
    crawl = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor.cli.main",
            "--config",
            str(archive["config"]),
            "crawl",
            "avec",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    answered = 0
    while crawl.poll() is None:  # the server keeps answering while the crawl writes
        assert server.get("/vigie/latest_mentions.json")[0] == 200
        answered += 1
        time.sleep(0.05)
    out, err = crawl.communicate()
    assert crawl.returncode == 0, err[-3000:]
    assert answered > 3
    # the changed article is visible at once, no restart
    assert ids(server.rows("/vigie/items.json?_search=prolongation")) == [archive["secpa"]]
    history = server.rows(
        "/vigie/item_history.json?item_id=" + urllib.parse.quote(archive["secpa"])
    )
    assert [r["event"] for r in history][-1] == "first_seen" and len(history) == 2
    assert "body" in json.loads(history[0]["changed_fields"])
    runs = server.rows("/vigie/recent_runs.json")
    assert runs[0]["source"] == "avec" and runs[0]["items_changed"] == 1
    # and a row written by another process right now shows up on the next request
    writer = (
        "import sys; from storage.db import open_db; db = open_db(sys.argv[1]); "
        "db['items'].insert({'id': 'late', 'source': 'late', 'kind': 'article', "
        "'url': 'https://example.org/late', 'title': 'Arrivé après le démarrage SECPa'})"
    )
    subprocess.run([sys.executable, "-c", writer, str(archive["db"])], cwd=ROOT, check=True)
    assert "late" in ids(server.rows("/vigie/items.json?_search=secpa"))
