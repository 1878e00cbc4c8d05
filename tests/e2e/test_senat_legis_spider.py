"""The real senat_legis spider, in a child process, over the Sénat story of
tests/support/senatlegis_fixtures.py served on 127.0.0.1: depots, a followed dossier (page +
feed) whose text's amendment sets are read, a configured text without amendments (404), and a
second day with a decision, a new amendment and new steps."""

from __future__ import annotations

import pytest

from tests.support.run_spider import crawl
from tests.support.senatlegis_fixtures import (
    AN_DOSSIER,
    AN_TEXT,
    COMMISSION_CSV,
    DOSSIER_FEED,
    DOSSIER_PAGE,
    EMPTY_CSVS,
    SEANCE_CSV,
    amdt_uid,
    build_story,
)
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

SPIDER = "spiders.senat_legis:SenatLegisSpider"
DOSSIER = "dossier-legislatif/ppl25-400"


@pytest.fixture
def story(tmp_path):
    srv = SiteServer(build_story(tmp_path / "site")).start()
    yield srv, tmp_path
    srv.stop()


def legis(items: list[dict]) -> dict[str, dict]:
    return {it["uid"]: it for it in items if "kind" in it}


def run(srv, tmp, name, **kw):
    return crawl(SPIDER, tmp, name, source="senat", url=srv.base_url, **kw)


def test_followed_dossier_texts_amendments_and_day_two(story):
    srv, tmp = story
    items, stats, log = run(srv, tmp, "day1", dossiers=["ppl25-400"], texts=["2025-2026/123"])
    got = legis(items)
    seance = {amdt_uid(n) for n in ("1", "2", "3", "4", "5", "6", "7", "9")}
    assert set(got) == {
        "leg/ppl25-400",
        "leg/pjl25-410",
        DOSSIER,
        amdt_uid("COM-1", commission=True),
        *seance,
    }
    assert all(it["chamber"] == "Sénat" for it in got.values())
    # decisions in the Assemblée's vocabulary, the Sénat's wording kept
    assert {
        n: (got[amdt_uid(n)]["status"], got[amdt_uid(n)]["status_label"]) for n in "1234567"
    } == {
        "1": ("adopted", "Adopté"),
        "2": ("withdrawn", "Retiré avant séance"),
        "3": ("inadmissible", "Irrecevable art. 40 C"),
        "4": ("not_moved", "Non soutenu"),
        "5": ("fallen", "Tombé"),
        "6": ("fallen", "Sans objet"),
        "7": ("pending", None),
    }
    a1 = got[amdt_uid("1")]
    assert a1["parents"] == ["leg/ppl25-400", DOSSIER]
    assert a1["fields"]["stage"] == "seance" and a1["published_raw"] == "2026-03-20"
    assert "SECPA" in a1["text"] and a1["fields"]["author_name"] == "Mme SOUYRIS Anne"
    assert len(got[amdt_uid("6")]["fields"]["expose"]) > 150_000  # the 160,000-char line
    assert got[amdt_uid("4")]["fields"]["expose"] == "Texte séparé par une tabulation."
    assert got[amdt_uid("5")]["fields"]["dispositif"] == "Première ligne.\nSeconde ligne."
    assert got[amdt_uid("COM-1", commission=True)]["fields"]["stage"] == "commission"
    d = got[DOSSIER]
    assert [a["code"] for a in d["fields"]["acts"]] == ["depot", "commission", "seance"]
    assert d["fields"]["an_dossier_uid"] == AN_DOSSIER and d["parents"] == [AN_DOSSIER, AN_TEXT]
    # requests: the followed dossier's page and feed once, both sets of both texts; the new
    # text's dossier (pjl25-410) asked and absent (404, no error); ppl25-400 not asked twice
    assert srv.count(DOSSIER_PAGE, 200) == 1 and srv.count(DOSSIER_FEED, 200) == 1
    assert srv.count(SEANCE_CSV, 200) == 1 and srv.count(COMMISSION_CSV, 200) == 1
    assert all(srv.count(p, 404) == 1 for p in EMPTY_CSVS)
    assert srv.count("/dossier-legislatif/pjl25-410.html", 404) == 1
    assert srv.count("/amendements/2025-2026/410/jeu_complet_2025-2026_410.csv") == 0
    assert (
        stats["vigie/no_amendment_yet"] == 2
        and "no seance amendment yet on text 2025-2026/123" in log
    )
    assert "vigie/errors" not in stats
    # malformed row logged with its URL and line, counted; unknown wording logged
    assert stats["vigie/parse_errors"] == 1 and "line 12: no Numéro" in log and SEANCE_CSV in log
    assert "unknown decision label 'Satisfait'" in log
    validators = {it["url"]: it["etag"] for it in items if "etag" in it}
    assert validators == {
        srv.base_url + SEANCE_CSV: '"s-1"',
        srv.base_url + COMMISSION_CSV: '"c-1"',
        srv.base_url + "/akomantoso/depots.xml": '"d-1"',
    }

    # -- day 2: the séance set changed, the commission set and depots did not (304) ---------
    srv.set_state("day2")
    srv.reset_counts()
    v = {url: [etag, None] for url, etag in validators.items()}
    # the store follows the text too (texts = its id): its sets are asked once, after the
    # dossier, so the amendments keep the dossier as parent
    items, stats, log = run(
        srv, tmp, "day2", dossiers=["ppl25-400"], texts=["ppl25-400"], validators=v, depots=False
    )
    got = legis(items)
    assert srv.count(SEANCE_CSV) == 1 and srv.count(COMMISSION_CSV) == 1
    assert got[amdt_uid("7")]["parents"] == ["leg/ppl25-400", DOSSIER]
    assert srv.count(COMMISSION_CSV, 304) == 1 and srv.count(SEANCE_CSV, 200) == 1
    assert srv.count("/akomantoso/depots.xml") == 0
    assert (got[amdt_uid("7")]["status"], got[amdt_uid("7")]["status_label"]) == (
        "adopted",
        "Adopté",
    )
    assert got[amdt_uid("8")]["published_raw"] == "2026-04-01"
    acts = got[DOSSIER]["fields"]["acts"]
    assert [a["code"] for a in acts] == ["depot", "commission", "seance", "adoption", "cmp"]
    assert got[DOSSIER]["status_label"] == "Commission mixte paritaire convoquée"
    assert amdt_uid("COM-1", commission=True) not in got


def test_a_followed_text_without_dossier_keeps_its_text_as_parent(story):
    srv, tmp = story
    items, stats, log = run(srv, tmp, "text", texts=["ppl25-400"], depots=False, commission=False)
    got = legis(items)
    assert got[amdt_uid("1")]["parents"] == ["leg/ppl25-400"]
    assert srv.count(SEANCE_CSV) == 1 and srv.count(COMMISSION_CSV) == 0
    assert srv.count(DOSSIER_PAGE) == 0


def test_a_followed_dossier_that_fails_still_lets_the_texts_be_read(story):
    srv, tmp = story
    srv.override(DOSSIER_PAGE, status=500, body="oops")
    items, stats, log = run(
        srv, tmp, "fail", dossiers=["ppl25-400"], texts=["2025-2026/400"], depots=False
    )
    assert stats["vigie/errors"] == 1 and "HTTP 500" in log
    got = legis(items)
    assert DOSSIER not in got and got[amdt_uid("1")]["parents"] == []
    assert srv.count(SEANCE_CSV, 200) == 1


def test_bad_csv_header_is_an_error_of_the_run(story):
    srv, tmp = story
    srv.override(SEANCE_CSV, body="titre\nA\tB\tC\n1\t2\t3\n")
    items, stats, log = run(srv, tmp, "bad", texts=["2025-2026/400"], depots=False)
    assert stats["vigie/errors"] == 1 and "required column 'numero' not found" in log
    assert not any(
        "kind" in it and "Amdt_" in it["uid"] and "commissions" not in it["uid"] for it in items
    )
