"""Gaps in written-question numbers (storage/queries.py) and the `vigie gaps` command."""

from __future__ import annotations

import pytest

from storage.db import open_db
from storage.queries import format_ranges, qe_gap_count, qe_gaps, qe_legislatures
from tests.conftest import vigie, write_config


def add(db, number, *, leg=17, qtype="QE", chamber="AN", source="assemblee"):
    db["items"].insert(
        {
            "id": f"QANR5L{leg}{qtype}{number}-{source}",
            "source": source,
            "kind": "question",
            "url": f"https://example.org/{leg}/{qtype}/{number}",
            "chamber": chamber,
            "legislature": leg,
            "qtype": qtype,
            "number": number,
        }
    )


@pytest.fixture
def db():
    database = open_db(":memory:")
    for n in (3, 4, 7, 10, 11, 12, 15):
        add(database, n)
    add(database, 5, qtype="QG")  # other types do not fill QE gaps
    add(database, 6, leg=16)  # nor other legislatures
    add(database, 8, chamber="Sénat")
    add(database, 13, source="other")
    return database


def test_missing_numbers_as_ranges(db):
    g = qe_gaps(db, 17)
    assert (g.lowest, g.highest) == (3, 15)
    assert g.ranges == [(5, 6), (8, 9), (14, 14)]  # 13 is stored by the source "other"
    assert g.count == 5 == qe_gap_count(db, 17)
    assert format_ranges(g.ranges) == "5-6, 8-9, 14"


def test_per_source_and_empty_legislature(db):
    assert qe_gaps(db, 17, "other").ranges == []
    assert qe_gaps(db, 17, "assemblee").ranges == [(5, 6), (8, 9), (13, 14)]
    assert qe_gaps(db, 16).count == 0 and qe_gaps(db, 16).lowest == 6
    empty = qe_gaps(db, 15)
    assert (empty.lowest, empty.highest, empty.count) == (None, None, 0)
    assert qe_legislatures(db) == [16, 17]


def test_gaps_command(tmp_path):
    cfg = write_config(
        tmp_path,
        {"an": {"spider": "assemblee"}, "press": {"spider": "site", "url": "https://example.org"}},
    )
    res = vigie("gaps", config=cfg)
    assert res.returncode == 0 and "no written question" in res.stdout
    db = open_db(tmp_path / "vigie.db")
    for n in (1, 2, 5, 9):
        add(db, n, source="an")
    add(db, 3, leg=16, source="an")
    res = vigie("gaps", config=cfg)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "legislature 16: QE 3-3, 0 missing",
        "legislature 17: QE 1-9, 5 missing: 3-4, 6-8",
    ]
    res = vigie("gaps", "--legislature", "17", "--source", "an", config=cfg)
    assert res.stdout.splitlines() == ["legislature 17: QE 1-9, 5 missing: 3-4, 6-8"]
    res = vigie("gaps", "--source", "press", config=cfg)
    assert res.returncode == 2 and "not an Assemblée source" in res.stderr
