"""The real an_legis spider, in a child process, over the two-day story of
tests/support/anlegis_fixtures.py served on 127.0.0.1 (dumps with ETag/Last-Modified, daily lists,
single documents). Each run gets what the store would hand it after the previous runs (validators,
``known`` timestamps, fingerprints, ``lists_read_until``), computed here from the items produced."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.anlegis_fixtures import (
    AM,
    AM_OTHER,
    AM_UNKNOWN,
    AMO10,
    COMMISSION,
    DOC_NIL,
    DOSSIER,
    DUMP_PATHS,
    FOLLOWED_NEW,
    OTHER_DOC,
    OTHER_DOSSIER,
    PPL,
    REUNION_1,
    REUNION_2,
    REUNION_BAD,
    SITTING,
    build_story,
)
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

LIST = "/dyn/opendata/list-publication/publication_{}"


class Store:
    """What the lead's store would remember between runs, from the items alone."""

    def __init__(self) -> None:
        self.validators: dict[str, list] = {}
        self.known: dict[str, str] = {}
        self.fingerprints: dict[str, str] = {}
        self.read_until: str | None = None
        self.deputies: dict[str, dict] = {}  # the deputies table (storage/deputies.py)

    def take(self, items: list[dict]) -> None:
        for it in items:
            if "deputies" in it:
                self.deputies = {r["uid"]: r for r in it["deputies"]}
            elif "etag" in it:
                self.validators[it["url"]] = [it["etag"], it["last_modified"]]
            elif "read_until" in it:
                self.read_until = it["read_until"]
            elif "kind" in it and "source_ts" in it:
                key = it["fields"]["record_uid"]  # the spider's contract for both maps
                if it["source_ts"] >= self.known.get(key, ""):
                    self.known[key] = it["source_ts"]
                    if it["fingerprint"]:
                        self.fingerprints[key] = it["fingerprint"]


@pytest.fixture
def story(tmp_path):
    srv = SiteServer(build_story(tmp_path / "site")).start()
    yield srv, tmp_path
    srv.stop()


def run(srv: SiteServer, tmp: Path, name: str, **kwargs) -> tuple[list[dict], dict, str]:
    out = tmp / f"{name}.jsonl"
    args = {
        "spider": "spiders.an_legis:AnLegisSpider",
        "out": str(out),
        "kwargs": {
            "source": "an_legis",
            "url": srv.base_url,
            "open_data_url": srv.base_url,
            **kwargs,
        },
    }
    (tmp / f"{name}.json").write_text(json.dumps(args))
    res = subprocess.run(
        [sys.executable, "-m", "tests.support.run_spider", str(tmp / f"{name}.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=90,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    items = (
        [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    )
    return items, json.loads(res.stdout.strip().splitlines()[-1]), res.stderr


def legis(items: list[dict]) -> dict[str, dict]:
    """The last version of each LegisItem (a uid may come from the dump and then the list)."""
    return {it["uid"]: it for it in items if "kind" in it and "source_ts" in it}


def test_two_days_then_same_day_again(story):
    srv, tmp = story
    store = Store()

    # -- run 1, day 1: dumps + lists of 03-09 (404: nothing published) and 03-10 ------------
    items, stats, log = run(srv, tmp, "run1", since="2026-03-09", today="2026-03-10")
    store.take(items)
    got = legis(items)
    assert set(got) == {
        PPL,
        OTHER_DOC,
        DOSSIER,
        OTHER_DOSSIER,
        AM[1],
        AM[2],
        AM[3],
        AM_OTHER,
        AM_UNKNOWN,
        "PTANR5L17S2026IDC400001P1",
        f"{SITTING}#3001",
        f"{SITTING}#3002",
    }
    assert {u: got[u]["status"] for u in (AM[1], AM[2], AM[3], AM_UNKNOWN)} == {
        AM[1]: "pending",
        AM[2]: "rejected",
        AM[3]: "inadmissible",
        AM_UNKNOWN: "unknown",
    }
    a1 = got[AM[1]]
    assert a1["fields"]["author_name"] == "Mme Ségolène Amiot"
    assert a1["fields"]["group_name"] == "La France insoumise - Nouveau Front Populaire"
    assert a1["fields"]["cosignatories"] == ["M. Jean Dupont", "Mme Estelle Youssouffa"]
    assert a1["parents"] == [PPL, DOSSIER] and "SECPA" in a1["text"]
    assert (a1["fields"]["text_number"], a1["fields"]["text_title"]) == ("2504", got[PPL]["title"])
    assert a1["source_ts"] == "2026-03-10T03:00:00Z"  # the dumps' Last-Modified
    assert got[f"{SITTING}#3001"]["parents"] == [PPL, DOSSIER]
    assert got[f"{SITTING}#3002"]["parents"] == [OTHER_DOC, OTHER_DOSSIER]
    # the PPL, listed at 09:00 Paris after the 04:00 dump: fetched, and its version wins
    versions = [it["source_ts"] for it in items if it.get("uid") == PPL]
    assert versions == ["2026-03-10T03:00:00Z", "2026-03-10T08:00:00Z"]
    assert srv.count(f"/dyn/opendata/{PPL}.json", 200) == 1
    assert (
        srv.count(LIST.format("2026-03-09"), 404) == 1
        and srv.count(LIST.format("2026-03-10"), 200) == 1
    )
    assert all(srv.count(p, 200) == 1 for p in DUMP_PATHS.values()) and srv.count(AMO10) == 1
    # malformed records: logged with their uid, counted, skipped
    for uid, why in (
        (AM[99], "dateDepot"),
        (DOC_NIL, "titrePrincipal"),
        (REUNION_BAD, "timeStampDebut"),
    ):
        assert uid in log and why in log and uid not in got
    assert "unknown decision label 'Satisfait'" in log and AM_UNKNOWN in log
    assert stats["vigie/parse_errors"] == 3 and "vigie/errors" not in stats
    assert items[-1] == {
        "source": "an_legis",
        "read_until": "2026-03-09",
        "days_read": ["2026-03-09", "2026-03-10"],
    }
    assert len(store.validators) == 5 and srv.base_url + AMO10 in store.validators
    # the deputies and the bodies (groups, commissions) of AMO10, for the next run's 304
    assert store.deputies["PA795136"]["name"] == "Mme Ségolène Amiot"
    assert store.deputies[COMMISSION]["name"] == "Commission des affaires sociales"
    assert [r for r in srv.log() if r[0] == AMO10] == [(AMO10, 200, False)]

    # -- run 2, day 2: dumps unchanged (304); 03-10 (not fully read: it was "today") and 03-11 --
    srv.reset_counts()
    items, stats, log = run(
        srv,
        tmp,
        "run2",
        today="2026-03-11",
        lists_read_until=store.read_until,
        validators=store.validators,
        known=store.known,
        fingerprints=store.fingerprints,
        known_deputies=store.deputies,
    )
    store.take(items)
    got = legis(items)
    assert (
        all(srv.count(p, 304) == 1 for p in DUMP_PATHS.values())
        and stats["vigie/not_modified"] == 5
    )
    # an amendment arrived by the list: names needed, AMO10 asked with its validators → 304
    assert [r for r in srv.log() if r[0] == AMO10] == [(AMO10, 304, True)]
    assert not [it for it in items if "deputies" in it]  # the stored table stays as it is
    assert srv.count(LIST.format("2026-03-10")) == 1 and srv.count(LIST.format("2026-03-11")) == 1
    assert srv.count(f"/dyn/opendata/{PPL}.json") == 0  # listed again, held at that timestamp
    assert srv.count("/dyn/opendata/QANR5L17QE13024.json") == 0  # not a watched kind
    assert srv.count(f"/dyn/opendata/{AM[5]}.json", 404) == 1
    assert f"listed document {AM[5]} is gone" in log
    assert "garbage line without separator" in log
    assert set(got) == {AM[1], AM[4], "PTANR5L17S2026IDC400002P1", "PTANR5L17S2026IDC400002P2"}
    assert (got[AM[1]]["status"], got[AM[1]]["status_label"]) == ("adopted", "Adopté")
    assert got[AM[1]]["source_ts"] == "2026-03-11T09:00:00Z"
    assert got[AM[1]]["fields"]["date_decided"] == "2026-03-11"
    assert got[AM[4]]["status"] == "pending" and got[AM[4]]["published_raw"] == "2026-03-11"
    assert got[AM[4]]["fields"]["author_name"] == "Mme Ségolène Amiot"  # deputies read again
    point = got["PTANR5L17S2026IDC400002P1"]
    assert point["parents"] == [DOSSIER] and point["published_raw"].startswith("2026-03-12T09:30")
    assert point["fields"]["organe_name"] == "Commission des affaires sociales"
    assert items[-1]["read_until"] == "2026-03-10"

    # -- run 3, same day again, dumps downloaded anew (no validators): nothing reparsed,
    # nothing refetched, and the old dump version of amendment n° 1 does not undo its adoption
    srv.reset_counts()
    items, stats, log = run(
        srv,
        tmp,
        "run3",
        today="2026-03-11",
        lists_read_until=store.read_until,
        known=store.known,
        fingerprints=store.fingerprints,
    )
    got = legis(items)
    assert got == {}, sorted(got)
    assert stats["vigie/older_than_held"] == 1 and f"{AM[1]} in the amendments dump" in log
    seen = {it["url"] for it in items if set(it) == {"source", "url"}}
    assert {PPL, DOSSIER, AM[2], REUNION_1, SITTING} <= seen
    assert srv.count(LIST.format("2026-03-11")) == 1 and srv.count(LIST.format("2026-03-10")) == 0
    assert [
        p for _, p, _, _ in srv.requests if p.startswith("/dyn/opendata/") and "list" not in p
    ] == [f"/dyn/opendata/{AM[5]}.json"]
    assert items[-1]["read_until"] == "2026-03-10"


def test_truncated_amendments_dump_logged_other_dumps_go_on(story):
    srv, tmp = story
    srv.set_state("truncated")
    items, stats, log = run(srv, tmp, "trunc", today="2026-03-10")
    got = legis(items)
    assert not any(u.startswith("AMANR") for u in got)
    assert {PPL, DOSSIER, f"{SITTING}#3001", "PTANR5L17S2026IDC400001P1"} <= set(got)
    assert "amendments dump unreadable" in log and DUMP_PATHS["amendments"] in log
    assert stats["vigie/errors"] == 1
    kept = {it["url"] for it in items if "etag" in it} - {srv.base_url + AMO10}
    assert srv.base_url + DUMP_PATHS["amendments"] not in kept and len(kept) == 3


def test_kinds_subset_fetches_only_its_dumps(story):
    srv, tmp = story
    items, stats, log = run(
        srv, tmp, "agenda", kinds=["agenda"], today="2026-03-11", lists_read_until="2026-03-10"
    )
    got = legis(items)
    assert set(got) == {
        "PTANR5L17S2026IDC400001P1",
        "PTANR5L17S2026IDC400002P1",
        "PTANR5L17S2026IDC400002P2",
    }
    assert srv.count(DUMP_PATHS["agenda"]) == 1
    assert sum(srv.count(p) for k, p in DUMP_PATHS.items() if k != "agenda") == 0
    assert (
        srv.count(f"/dyn/opendata/{AM[1]}.json") == 0
        and srv.count(f"/dyn/opendata/{REUNION_2}.json") == 1
    )


def test_followed_uid_found_nowhere_is_asked_by_its_uid(story):
    srv, tmp = story
    follow = [FOLLOWED_NEW, PPL, "QANR5L17QE13024"]
    items, stats, log = run(
        srv,
        tmp,
        "follow",
        kinds=["document"],
        follow=follow,
        today="2026-03-11",
        lists_read_until="2026-03-10",
        known={PPL: "2026-03-10T08:00:00Z"},
    )
    got = legis(items)
    assert got[FOLLOWED_NEW]["source_ts"] == "2026-03-11T14:00:00Z"  # its Last-Modified
    assert got[FOLLOWED_NEW]["parents"] == [DOSSIER]
    assert srv.count(f"/dyn/opendata/{FOLLOWED_NEW}.json") == 1
    assert srv.count(f"/dyn/opendata/{PPL}.json") == 0  # in the dump and held
    assert srv.count("/dyn/opendata/QANR5L17QE13024.json") == 0  # not a watched kind
