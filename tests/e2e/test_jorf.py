"""The Journal officiel watch end to end (issue 12): the real `vigie crawl` over the DILA archives of
tests/support/jorf_fixtures.py served on 127.0.0.1, into a real SQLite file, alerts through the
real outbox (.eml): the SECPA arrêté is stored and alerted once, unrelated texts are not stored,
a truncated archive fails the run naming it and is read at the next run, the correction of the
arrêté in a later archive is a change of the same item, alerted once as a correction, and no
archive is ever read twice."""

from __future__ import annotations

import email
import email.policy

import pytest
import sqlite_utils

from tests.conftest import vigie
from tests.support.configs import write_config
from tests.support.jorf_fixtures import AVIS_ID, BASE, DECRET_ID, SECPA_ID, TRUNC, build_story
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e


def test_arrete_stored_alerted_once_and_its_correction_is_a_change(tmp_path):
    srv = SiteServer(build_story(tmp_path / "site")).start()
    try:
        cfg = write_config(
            tmp_path,
            {
                "jo": {
                    "spider": "jorf",
                    "url": srv.base_url + BASE,
                    "natures": ["ARRETE", "DECRET", "AVIS"],
                    "since": "2026-03-03",
                }
            },
        )
        db = sqlite_utils.Database(tmp_path / "vigie.db")
        first = vigie("crawl", "jo", config=cfg)
        # the truncated archive fails the run, named; the texts before and after it are stored
        assert first.returncode == 1, first.stdout + first.stderr[-2000:]
        assert TRUNC in first.stdout + first.stderr
        ids = {r["id"] for r in db.query("select id from items")}
        assert SECPA_ID in ids
        assert not {DECRET_ID, AVIS_ID} & ids  # unrelated texts are not kept
        secpa = next(iter(db.query("select * from items where id = ?", [SECPA_ID])))
        assert (secpa["kind"], secpa["followed"], secpa["matched"]) == ("jo_text", 1, 1)
        assert secpa["url"] == f"https://www.legifrance.gouv.fr/jorf/id/{SECPA_ID}"
        read = [r["key"] for r in db.query("select key from source_state where source = 'jo'")]
        assert f"read:{TRUNC}" not in read and len(read) >= 2

        srv.set_state("fixed")  # the archive is whole now: the next run reads it, and only it
        before = len(srv.requests)
        second = vigie("crawl", "jo", config=cfg)
        assert second.returncode == 0, second.stdout + second.stderr[-2000:]
        asked = [p for _, p, _, _ in srv.requests[before:] if p.endswith(".tar.gz")]
        assert asked == [f"{BASE}/{TRUNC}"]

        alerts = [(r["event"], r["item_id"]) for r in db.query("select * from alerts")]
        # one alert for the arrêté, one for its correction (read in the first run, after it)
        assert alerts == [("new_match", SECPA_ID), ("item_changed", SECPA_ID)]
        assert vigie("alerts", "send", config=cfg).returncode == 0
        subjects = [
            str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"])
            for p in sorted((tmp_path / "outbox").glob("*.eml"))
        ]
        assert any(s.startswith("Journal officiel du ") for s in subjects), subjects
        assert any(s.startswith("Rectificatif au Journal officiel du ") for s in subjects)
    finally:
        srv.stop()
