"""storage.links / storage.legis on a real SQLite file: citations resolved when their target
arrives, following reaches what was stored before its text was followed, held versions."""

from __future__ import annotations

from storage import legis, links
from storage.db import open_db, write_tx


def _item(db, uid: str, kind: str, **kw) -> None:
    row = {"id": uid, "source": "an", "kind": kind, "url": f"https://x/{uid}", **kw}
    db["items"].insert(row)


def test_citation_kept_as_ref_then_resolved(tmp_path):
    db = open_db(tmp_path / "v.db")
    with write_tx(db):
        _item(db, "https://press/a", "article", title="La PPL 2504 en commission")
        links.add_links(db, [("https://press/a", "ref:bill:2504", "cites")])
        assert legis.resolve_pending(db) == 0  # the bill is not archived yet: kept as a ref
        _item(db, "PIONANR5L17B2504", "document", number=2504, legislature=17)
        assert legis.resolve_pending(db) == 1
    rows = {(r["from_id"], r["to_id"]) for r in db.query("select * from links")}
    assert rows == {("https://press/a", "PIONANR5L17B2504")}


def test_question_and_amendment_citations_resolve_only_when_unambiguous(tmp_path):
    db = open_db(tmp_path / "v.db")
    with write_tx(db):
        _item(db, "QANR5L17QE13024", "question", qtype="QE", number=13024, chamber="AN")
        _item(db, "AM1", "amendment", number=12, extra='{"text_number": "2504"}')
        _item(db, "AM2", "amendment", number=12, extra='{"text_number": "2600"}')
    assert legis.resolve_citation(db, "question", "13024", None) == "QANR5L17QE13024"
    assert legis.resolve_citation(db, "amendment", "12", "2504") == "AM1"
    assert legis.resolve_citation(db, "amendment", "12", None) is None  # which text?
    assert legis.resolve_citation(db, "bill", "9999", None) is None


def test_follow_attached_reaches_two_levels_and_nothing_else(tmp_path):
    db = open_db(tmp_path / "v.db")
    with write_tx(db):
        for uid, kind in (("DLR1", "dossier"), ("PION1", "document"), ("AM1", "amendment")):
            _item(db, uid, kind, followed=0)
        _item(db, "AMX", "amendment", followed=0)
        links.add_links(db, [("PION1", "DLR1", "attached"), ("AM1", "PION1", "attached")])
        links.add_links(db, [("AMX", "PIONX", "attached")])
        assert links.follow_attached(db, ["DLR1"]) == 3
    followed = {r["id"] for r in db.query("select id from items where followed = 1")}
    assert followed == {"DLR1", "PION1", "AM1"}


def test_held_versions_keyed_on_record_uid(tmp_path):
    db = open_db(tmp_path / "v.db")
    with write_tx(db):
        _item(db, "AM1", "amendment", source_ts="2026-03-10T00:00:00Z", fingerprint="1:42")
        _item(db, "R1#1", "agenda", source_ts="2026-03-11T08:00:00Z", extra='{"record_uid": "R1"}')
        _item(db, "R1#2", "agenda", source_ts="2026-03-11T09:00:00Z", extra='{"record_uid": "R1"}')
    known, prints = legis.held_versions(db, "an")
    assert known == {"AM1": "2026-03-10T00:00:00Z", "R1": "2026-03-11T09:00:00Z"}
    assert prints == {"AM1": "1:42"}
