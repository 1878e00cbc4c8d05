"""The Assemblée legislative watch end to end (issue 11): the real `vigie crawl` over the two-day
story of tests/support/anlegis_fixtures.py served on 127.0.0.1, into a real SQLite file, alerts
through the real outbox (.eml transport), the dossier timeline from the real `vigie serve`.

Day 1 (dumps): the PPL n° 2504 names SECPA in its title, so it and its dossier are followed, and
with them every amendment to it (n° 2 and 3 do not name SECPA) and the sitting section on it.
Day 2 (daily list only): amendment n° 1 adopted, the dossier put on a commission's agenda, a new
amendment n° 4. The same day read again brings nothing. The clock is pinned with VIGIE_TODAY.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import vigie
from tests.support.anlegis_fixtures import (
    AM,
    AM_OTHER,
    AM_UNKNOWN,
    AMO10,
    COMMISSION,
    DOSSIER,
    OTHER_DOC,
    OTHER_DOSSIER,
    PPL,
    SITTING,
    build_story,
)
from tests.support.configs import write_config
from tests.support.served import start_serve
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

SECTION_PPL = f"{SITTING}#3001"  # the point of the sitting on the PPL (names the terms)
SECTION_OTHER = f"{SITTING}#3002"
AGENDA_PPL = "PTANR5L17S2026IDC400002P1"  # day 2: the dossier on the commission's agenda


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("anlegis")
    srv = SiteServer(build_story(tmp / "site")).start()
    cfg = write_config(
        tmp,
        {
            "an": {
                "spider": "an_legis",
                "url": srv.base_url,
                "open_data_url": srv.base_url,
                "since": "2026-03-09",
            }
        },
    )
    runs = {}
    for name, day in (("day1", "2026-03-10"), ("day2", "2026-03-11"), ("again", "2026-03-11")):
        before = _alerts(tmp)
        srv.reset_counts()
        res = vigie("crawl", "an", config=cfg, env={"VIGIE_TODAY": day})
        assert res.returncode == 0, res.stdout + res.stderr[-3000:]
        # (result, alerts of the run, AMO10 requests: path, status, asked with validators)
        runs[name] = (res, _alerts(tmp)[len(before) :], [r for r in srv.log() if r[0] == AMO10])
    yield tmp, cfg, runs
    srv.stop()


def _db(tmp: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(tmp / "vigie.db")


def _alerts(tmp: Path) -> list[tuple[str, str]]:
    if not (tmp / "vigie.db").exists():
        return []
    return [(r["event"], r["item_id"]) for r in _db(tmp).query("select * from alerts order by id")]


def _item(tmp: Path, uid: str) -> dict:
    return next(iter(_db(tmp).query("select * from items where id = ?", [uid])))


def test_day1_stores_every_kind_and_follows_the_ppl_and_all_attached(story):
    tmp, _, _ = story
    db = _db(tmp)
    kinds = {r["id"]: r["kind"] for r in db.query("select id, kind from items")}
    assert kinds[PPL] == "document" and kinds[DOSSIER] == "dossier"
    assert {kinds[AM[n]] for n in (1, 2, 3, 4)} == {"amendment"}
    assert kinds[SECTION_PPL] == "debate" and kinds[AGENDA_PPL] == "agenda"
    followed = {r["id"] for r in db.query("select id from items where followed = 1")}
    # matched (PPL, dossier, n° 1, the section) or attached to the followed text (n° 2, 3, 4)
    assert {PPL, DOSSIER, AM[1], AM[2], AM[3], AM[4], SECTION_PPL, AGENDA_PPL} <= followed
    assert not {OTHER_DOC, OTHER_DOSSIER, AM_OTHER, AM_UNKNOWN, SECTION_OTHER} & followed
    # malformed records were skipped, not stored as garbage
    assert AM[99] not in kinds
    ppl = _item(tmp, PPL)
    assert (ppl["chamber"], ppl["legislature"], ppl["number"]) == ("AN", 17, 2504)
    am2 = _item(tmp, AM[2])
    assert (am2["status"], am2["status_label"]) == ("rejected", "Rejeté")
    assert _item(tmp, AM_UNKNOWN)["status_label"] == "Satisfait"


def test_links_attach_amendments_and_agenda_and_resolve_citations(story):
    tmp, _, _ = story
    links = {
        (r["from_id"], r["to_id"], r["relation"]) for r in _db(tmp).query("select * from links")
    }
    assert (AM[1], PPL, "attached") in links and (AM[1], DOSSIER, "attached") in links
    assert (PPL, DOSSIER, "attached") in links
    assert (AGENDA_PPL, DOSSIER, "attached") in links
    # "… (n° 2504)" in the agenda wording: a citation resolved to the bill's uid
    assert (AGENDA_PPL, PPL, "cites") in links
    # an amendment's own "Amendement n° 1" is not a citation of anything
    assert not [link for link in links if link[0] == AM[1] and link[2] == "cites"]


def test_exactly_the_alerts_each_day(story):
    _, _, runs = story
    assert sorted(runs["day1"][1]) == sorted(
        [
            ("new_match", PPL),
            ("new_match", DOSSIER),
            ("new_match", AM[1]),
            ("new_match", AM[2]),  # followed: on the followed text
            ("new_match", AM[3]),
            ("new_match", SECTION_PPL),  # the section names the terms; the other one does not
        ]
    )
    assert sorted(runs["day2"][1]) == sorted(
        [("item_changed", AM[1]), ("new_match", AM[4]), ("new_match", AGENDA_PPL)]
    )
    assert runs["again"][1] == []
    assert "unchanged=3" in runs["again"][0].stdout  # held documents seen, not fetched


def test_deputies_dump_asked_conditionally_names_kept_on_304(story):
    """Issue 15: AMO10 is downloaded once; the next day it is asked with its validators and the
    304 names day 2's new amendment and the commission of its agenda point from the table."""
    tmp, _, runs = story
    assert runs["day1"][2] == [(AMO10, 200, False)]  # nothing stored yet: asked in full
    assert runs["day2"][2] == [(AMO10, 304, True)]  # names needed, stored table current
    # listed amendment n° 5 (gone: 404) is still wanted, so names may be needed: one more 304
    assert runs["again"][2] == [(AMO10, 304, True)]
    rows = {r["uid"]: r for r in _db(tmp).query("select * from deputies where source = 'an'")}
    assert rows["PA795136"]["name"] == "Mme Ségolène Amiot"
    assert rows[COMMISSION]["name"] == "Commission des affaires sociales"
    assert _item(tmp, AM[4])["author"] == "Mme Ségolène Amiot"  # stored on day 2, after a 304
    assert '"organe_name": "Commission des affaires sociales"' in _item(tmp, AGENDA_PPL)["extra"]


def test_day2_decision_reaches_the_mail_in_one_line(story):
    tmp, cfg, _ = story
    res = vigie("alerts", "send", config=cfg)
    assert res.returncode == 0, res.stderr
    subjects = []
    for path in sorted((tmp / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        subjects.append(str(msg["Subject"]))
    assert (
        "Amendement n° 1 à la PPL n° 2504 : adopté en commission des affaires sociales" in subjects
    )
    assert any(s.startswith("À l'ordre du jour du 12 mars 2026 : ") for s in subjects), subjects
    assert _item(tmp, AM[1])["status"] == "adopted"


def test_lists_read_until_moves_with_the_runs(story):
    tmp, _, _ = story
    rows = list(_db(tmp).query("select value from source_state where key = 'lists_read_until'"))
    assert rows == [{"value": "2026-03-10"}]  # today (03-11) is never marked read


def test_dossier_timeline_in_datasette(story):
    _, cfg, _ = story
    served = start_serve(cfg)
    try:
        rows = served.rows(f"/vigie/dossier_timeline.json?dossier={DOSSIER}")
        ids = [r["id"] for r in rows]
        assert {PPL, DOSSIER, AM[1], AM[2], AM[3], AM[4], SECTION_PPL, AGENDA_PPL} <= set(ids)
        assert AM_OTHER not in ids and OTHER_DOC not in ids
        dates = [r["date"] for r in rows]
        assert dates == sorted(dates)  # in date order
        decision = {r["id"]: r["decision"] for r in rows}
        assert decision[AM[1]] == "Adopté"
        dossiers = served.rows("/vigie/followed_dossiers.json")
        assert [d["dossier"] for d in dossiers] == [DOSSIER]
    finally:
        served.stop()
