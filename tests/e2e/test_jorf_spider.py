"""The real jorf spider, in a child process, over the DILA archives of
tests/support/jorf_fixtures.py served on 127.0.0.1: archives read in order from ``since``, the
watched natures only, a correction in a later archive, a truncated archive that fails the run
and is retried, and the ``read`` names handed back by the store never read twice."""

from __future__ import annotations

import pytest

from tests.support.jorf_fixtures import (
    AVIS_ID,
    AVIS_LATE_ID,
    BASE,
    DECISION_ID,
    DECRET_ID,
    OLD,
    SECPA_ID,
    SECPA_NOR,
    TRUNC,
    A,
    B,
    C,
    build_story,
)
from tests.support.run_spider import crawl
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

SPIDER = "spiders.jorf:JorfSpider"
NATURES = ["ARRETE", "DECRET", "AVIS"]


@pytest.fixture
def story(tmp_path):
    srv = SiteServer(build_story(tmp_path / "site")).start()
    yield srv, tmp_path
    srv.stop()


def run(srv, tmp, name, **kw):
    return crawl(SPIDER, tmp, name, source="jo", url=srv.base_url + BASE, natures=NATURES, **kw)


def archives(srv) -> list[str]:
    return [p.rsplit("/", 1)[1] for _, p, _, _ in srv.requests if p.endswith(".tar.gz")]


def test_archives_in_order_correction_truncated_retried(story):
    srv, tmp = story
    items, stats, log = run(srv, tmp, "run1", since="2026-03-03")
    # -- order, what was asked, what was marked read ----------------------------------------
    assert archives(srv) == [A, B, TRUNC, C]  # oldest first, OLD before since, Freemium never
    texts = [(it["uid"], it["source_ts"]) for it in items if it.get("kind") == "jo_text"]
    assert texts == [
        (SECPA_ID, "2026-03-03T21:30:15Z"),
        (DECRET_ID, "2026-03-03T21:30:15Z"),
        (AVIS_ID, "2026-03-04T21:30:12Z"),
        (SECPA_ID, "2026-03-10T21:30:20Z"),  # the correction: same uid, newer version
    ]
    read = [it["names"] for it in items if "names" in it]
    assert read == [[A], [B], [C]]  # the truncated archive is not marked read
    # each archive's items come before its read mark
    kinds = ["T" if it.get("kind") else "R" for it in items if it.get("kind") or "names" in it]
    assert kinds == ["T", "T", "R", "T", "R", "T", "R"]
    # -- the truncated archive: an error naming the file; the run goes on ------------------
    assert stats["vigie/errors"] == 1 and f"archive {TRUNC} unreadable" in log
    assert stats["vigie/archives_read"] == 3
    # -- a malformed member: logged with the archive and member, skipped --------------------
    assert stats["vigie/parse_errors"] == 1 and "JORFTEXT000053999999.xml" in log
    # -- the SECPA arrêté, then its correction ----------------------------------------------
    first, corr = [it for it in items if it.get("uid") == SECPA_ID]
    f = first["fields"]
    assert (first["kind"], first["chamber"], first["title"][:30]) == (
        "jo_text",
        "JO",
        "Arrêté du 25 février 2026 rela",
    )
    assert (f["nor"], f["nature"], f["date_publi"], f["is_correction"]) == (
        SECPA_NOR,
        "ARRETE",
        "2026-03-04",
        False,
    )
    assert f["ministry"].startswith("Ministère du travail, de la santé")
    assert (
        f["legifrance_url"] == first["url"] == f"https://www.legifrance.gouv.fr/jorf/id/{SECPA_ID}"
    )
    assert [a["num"] for a in f["articles"]] == ["1", "2", "3"]
    assert f["articles"][0]["text"].startswith(
        "L'expérimentation des structures d'exercice coordonné"
    )
    assert "article 51" in f["articles"][0]["text"] and "L. 162-31-1" in first["text"]
    assert "15 000 euros" in f["articles"][1]["text"]
    assert corr["fields"]["is_correction"] is True
    assert "150 000 euros" in corr["fields"]["articles"][1]["text"]
    assert corr["fingerprint"] != first["fingerprint"]
    assert DECISION_ID not in {it.get("uid") for it in items}  # not a watched nature

    # -- run 2: the store hands back what was read: only the truncated archive is asked ------
    srv.reset_counts()
    done = [n for names in read for n in names]
    items, stats, log = run(srv, tmp, "run2", read=done)
    assert archives(srv) == [TRUNC] and stats["vigie/errors"] == 1
    assert not [it for it in items if it.get("kind")]

    # -- run 3: the archive is whole now: read, marked, nothing else asked --------------------
    srv.set_state("fixed")
    srv.reset_counts()
    items, stats, log = run(srv, tmp, "run3", read=done)
    assert archives(srv) == [TRUNC]
    assert [it.get("uid") for it in items if it.get("kind")] == [AVIS_LATE_ID]
    assert [it["names"] for it in items if "names" in it] == [[TRUNC]]
    assert "vigie/errors" not in stats


def test_max_archives_and_first_run_window(story):
    srv, tmp = story
    items, stats, log = run(srv, tmp, "cap", since="2026-03-01", max_archives=2)
    assert archives(srv) == [OLD, A]
    assert [it["names"] for it in items if "names" in it] == [[OLD], [A]]
    # without since nor read: the last 7 days before "today"
    srv.reset_counts()
    run(srv, tmp, "window", today="2026-03-11")
    assert archives(srv) == [B, TRUNC, C]


def test_listing_without_archives_fails_the_run(story):
    srv, tmp = story
    srv.override(BASE + "/", body="<html><body>maintenance</body></html>")
    items, stats, log = run(srv, tmp, "empty")
    assert stats["vigie/errors"] == 1 and "listing names no JORF_*.tar.gz archive" in log
    assert items == []
