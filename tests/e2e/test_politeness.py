"""Politeness (issue 15): what an unchanged site and an unchanged night cost, counted on the
test server (path, status, and whether the request carried If-None-Match/If-Modified-Since)."""

from __future__ import annotations

import pytest

from tests.conftest import db_of, vigie, write_config

pytestmark = pytest.mark.e2e

SLUGS = (
    "/fin-brutale-de-l-experimentation-secpa-article-51",
    "/centres-et-maisons-de-sante-participatifs-une-tribune",
    "/congres-national-des-centres-de-sante-2025",
    "/rapport-igas-sur-les-centres-de-sante",
)
NODES = ("/node/51", "/node/44", "/node/38")


def crawl_ok(cfg) -> None:
    res = vigie("crawl", config=cfg)
    assert res.returncode == 0, res.stderr[-3000:]


def article_requests(srv) -> list[tuple[str, int, bool]]:
    return [r for r in srv.log() if r[0] in SLUGS or r[0] in NODES]


@pytest.fixture
def drupal(tmp_path, site_server):
    """The Drupal-like site whose home page links articles as /node/{nid}, crawled once."""
    srv = site_server("drupal_like")
    srv.set_state("nodes")
    cfg = write_config(tmp_path, {"fncs": {"spider": "site", "url": srv.base_url}})
    crawl_ok(cfg)
    stored = {r["url"] for r in db_of(cfg).query("select url from items")}
    assert {srv.url(s) for s in SLUGS} <= stored  # one item per article, under its slug
    assert not {srv.url(n) for n in NODES} & stored
    srv.reset_counts()
    return srv, cfg


def test_unchanged_drupal_site_costs_no_article_request(drupal):
    srv, cfg = drupal
    crawl_ok(cfg)
    assert article_requests(srv) == []
    # the home page and the sitemap are asked with their validators and answer 304
    assert ("/", 304, True) in srv.log()
    assert ("/sitemap.xml", 304, True) in srv.log()
    run = list(db_of(cfg).query("select * from runs order by id desc limit 1"))[0]
    assert run["outcome"] == "ok" and run["items_new"] == 0 and run["items_changed"] == 0


def test_edited_home_page_does_not_refetch_known_articles_behind_node_links(drupal):
    srv, cfg = drupal
    srv.set_state("nodes_v2")  # the home page changed: its links are read again
    crawl_ok(cfg)
    log = srv.log()
    assert ("/", 200, True) in log  # asked conditionally, answered in full (it changed)
    hits = article_requests(srv)
    # /node/51 is served in place: a conditional request answered 304; /node/44 and /node/38
    # redirect to known slugs: the redirect (no body) is read, the slug is not fetched
    assert sorted(hits) == [
        ("/node/38", 301, False),
        ("/node/44", 301, False),
        ("/node/51", 304, True),
    ]
    assert not [r for r in hits if r[1] == 200]
    run = list(db_of(cfg).query("select * from runs order by id desc limit 1"))[0]
    assert run["items_new"] == 0 and run["items_changed"] == 0


def test_home_page_is_asked_with_its_validators(drupal):
    srv, cfg = drupal
    crawl_ok(cfg)
    home = [r for r in srv.validators_sent if r[0] == "/"]
    assert home == [("/", '"1771000100-0"', "Sat, 14 Feb 2026 08:00:00 GMT")]
    assert srv.count("/", status=304) == 1 and srv.count("/", status=200) == 0


# -- Assemblée: the deputies dump -----------------------------------------------------------
from tests.e2e.test_assemblee import AMO10, QE, an_site, crawl, items, night1, uid  # noqa: E402, F401
from tests.support.anfixtures import make_an_record  # noqa: E402


def test_deputies_dump_is_asked_conditionally_and_names_are_kept(an_site):  # noqa: F811
    answered = night1(departed=False)
    answered[0] = make_an_record(13024, answered=True)
    srv, cfg = an_site({"n1": night1(departed=False), "n2": answered})
    crawl(cfg)
    assert srv.count(AMO10, 200) == 1
    named = {i: r["author"] for i, r in items(cfg).items()}
    assert named[uid(13024)] == "Mme Ségolène Amiot"
    stored = {r["uid"]: r["name"] for r in db_of(cfg).query("select * from deputies")}
    assert stored["PA720000"] == "M. Jean Dupont" and len(stored) == 3

    srv.set_state("n2")  # the QE dump changed: the names are needed again
    srv.reset_counts()
    crawl(cfg)
    assert [r for r in srv.log() if r[0] == AMO10] == [(AMO10, 304, True)]
    assert [r for r in srv.log() if r[0] == QE] == [(QE, 200, True)]
    after = items(cfg)
    assert after[uid(13024)]["status"] == "answered"  # the changed record was ingested...
    assert {i: r["author"] for i, r in after.items()} == named  # ...and no name was lost
    versions = list(db_of(cfg).query("select changed_fields from item_versions"))
    assert len(versions) == 1 and "author" not in versions[0]["changed_fields"]
