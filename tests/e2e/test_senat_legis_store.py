"""The senat_legis source through the real ``vigie crawl`` into a real SQLite file (issue 12):
Sénat items stored with their chamber and decisions, followed from the matching dossier, and a
second day that changes exactly what changed (a decision, a new amendment, new dossier steps)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import db_of, vigie, write_config
from tests.support.senatlegis_fixtures import amdt_uid, build_story
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

DOSSIER = "dossier-legislatif/ppl25-400"


def test_two_days_stored_and_only_real_changes(tmp_path):
    srv = SiteServer(build_story(tmp_path / "site")).start()
    try:
        cfg = write_config(
            tmp_path,
            {"sl": {"spider": "senat_legis", "url": srv.base_url, "dossiers": ["ppl25-400"]}},
        )
        res = vigie("crawl", config=cfg)
        assert res.returncode == 0, res.stderr[-3000:]
        db = db_of(cfg)
        rows = {r["id"]: r for r in db.query("select * from items")}
        assert len(rows) == 12 and {r["chamber"] for r in rows.values()} == {"Sénat"}
        a2 = rows[amdt_uid("2")]
        assert (a2["status"], a2["status_label"], a2["followed"]) == (
            "withdrawn",
            "Retiré avant séance",
            1,
        )
        assert rows[DOSSIER]["matched"] == 1 and rows["leg/pjl25-410"]["followed"] == 0

        srv.set_state("day2")
        res = vigie("crawl", config=cfg)
        assert res.returncode == 0, res.stderr[-3000:]
        versions = {
            r["item_id"]: json.loads(r["changed_fields"])
            for r in db.query("select item_id, changed_fields from item_versions")
        }
        assert set(versions) == {amdt_uid("7"), DOSSIER}
        assert "status" in versions[amdt_uid("7")]
        new = db.execute("select count(*) from items").fetchone()[0]
        assert new == 13 and db["items"].get(amdt_uid("8"))["followed"] == 1
    finally:
        srv.stop()
