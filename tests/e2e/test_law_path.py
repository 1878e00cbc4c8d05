"""A followed bill from the Assemblée to the Sénat and the Journal officiel (issue 12), through the
real `vigie crawl` of three sources into one real SQLite file, the clock pinned for the
Assemblée's daily lists (VIGIE_TODAY):

1. the Assemblée dumps: the PPL n° 2504 names SECPA, it and its dossier are followed;
2. the Sénat: its dossier ppl25-400 links the Assemblée's, so it is followed when it arrives
   (attached to a followed dossier), and the next run reads its texts' amendments;
3. the next day amendment n° 7 is adopted at the Sénat: exactly one decision alert;
4. the SECPA arrêté appears in the JO, then its correction: one alert each;
5. the Assemblée dossier's timeline (Datasette, over HTTP) shows both chambers.
"""

from __future__ import annotations

import os

import pytest
import sqlite_utils

from tests.conftest import vigie
from tests.support import anlegis_fixtures as anf
from tests.support import jorf_fixtures as jof
from tests.support import senatlegis_fixtures as slf
from tests.support.configs import write_config
from tests.support.served import start_serve
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

SL_DOSSIER = "dossier-legislatif/ppl25-400"
SL_TEXT = "leg/ppl25-400"
AMDT_7 = "amendements/2025-2026/400/Amdt_7"


def test_followed_bill_through_both_chambers_and_the_jo(tmp_path):
    servers = [
        SiteServer(anf.build_story(tmp_path / "an")).start(),
        SiteServer(slf.build_story(tmp_path / "sl")).start(),
        SiteServer(jof.build_story(tmp_path / "jo")).start(),
    ]
    an, sl, jo = servers
    try:
        cfg = write_config(
            tmp_path,
            {
                "an": {
                    "spider": "an_legis",
                    "url": an.base_url,
                    "open_data_url": an.base_url,
                    "since": "2026-03-09",
                },
                "sl": {"spider": "senat_legis", "url": sl.base_url},
                "jo": {
                    "spider": "jorf",
                    "url": jo.base_url + jof.BASE,
                    "natures": ["ARRETE", "DECRET", "AVIS"],
                    "since": "2026-03-03",
                },
            },
        )
        db = sqlite_utils.Database(tmp_path / "vigie.db")

        def crawl(source: str) -> list[tuple[str, str]]:
            before = db["alerts"].count if "alerts" in db.table_names() else 0
            res = vigie("crawl", source, config=cfg, env={"VIGIE_TODAY": "2026-03-10"})
            assert res.returncode == 0, res.stdout + res.stderr[-3000:]
            rows = list(db.query("select event, item_id from alerts order by id"))[before:]
            return [(r["event"], r["item_id"]) for r in rows]

        assert ("new_match", anf.PPL) in crawl("an")
        # the Sénat's dossier arrives, attached to the followed Assemblée dossier
        first = crawl("sl")
        dossier = db["items"].get(SL_DOSSIER)
        assert (dossier["chamber"], dossier["followed"]) == ("Sénat", 1)
        links = {(r["from_id"], r["to_id"]) for r in db.query("select * from links")}
        assert (SL_DOSSIER, anf.DOSSIER) in links
        assert ("new_match", SL_DOSSIER) in first
        crawl("sl")  # its text is followed now: its amendment sets are read
        assert db["items"].get(AMDT_7)["status"] == "pending"
        assert db["items"].get(AMDT_7)["followed"] == 1

        sl.set_state("day2")
        day2 = crawl("sl")
        assert [a for a in day2 if a[1] == AMDT_7] == [("item_changed", AMDT_7)]
        assert db["items"].get(AMDT_7)["status"] == "adopted"

        jo.set_state("fixed")
        assert crawl("jo") == [("new_match", jof.SECPA_ID), ("item_changed", jof.SECPA_ID)]
        assert crawl("jo") == []  # every archive read once: nothing twice

        served = start_serve(cfg)
        try:
            rows = served.rows(f"/vigie/dossier_timeline.json?dossier={anf.DOSSIER}")
        finally:
            served.stop()
        chambers = {r["chamber"] for r in rows}
        ids = {r["id"] for r in rows}
        assert chambers == {"AN", "Sénat"}
        assert {anf.PPL, anf.DOSSIER, SL_DOSSIER, SL_TEXT, AMDT_7} <= ids
        assert os.path.exists(tmp_path / "vigie.db")
    finally:
        for s in servers:
            s.stop()
