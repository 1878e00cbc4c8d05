"""Table-driven tests of monitor.ingest.dates: every case lives in tests/cases/dates.toml."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from monitor.ingest.dates import PARIS, DateError, normalize_date, to_paris

TABLE = tomllib.loads((Path(__file__).parent / "cases" / "dates.toml").read_text("utf-8"))
CASES = TABLE["case"]
NOW = TABLE["now"]


def test_case_ids_are_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_date_case(case):
    now = case.get("now", NOW)
    if "error" in case:
        with pytest.raises(DateError) as raised:
            normalize_date(case["input"], now)
        assert case["error"] in str(raised.value)
        assert repr(case["input"]) in str(raised.value)  # the message names the text
    else:
        assert normalize_date(case["input"], now) == (case["expected"] or None)


def test_none_is_none():
    assert normalize_date(None, NOW) is None


def test_date_error_is_a_value_error_with_parts():
    with pytest.raises(ValueError) as raised:
        normalize_date("31 février 2026", NOW)
    assert raised.value.text == "31 février 2026"
    assert "out of range" in raised.value.reason


def test_naive_now_is_paris_time():
    # 7 March is within two days of 5 March 12:00 whether now is naive or aware
    assert normalize_date("7 mars 2026", datetime(2026, 3, 5, 12)) == "2026-03-07"


def test_relative_dates_follow_now_not_the_clock():
    assert normalize_date("hier", datetime(2020, 6, 2, 9, tzinfo=PARIS)) == "2020-06-01"
    assert normalize_date("hier", datetime(2024, 1, 1, 9, tzinfo=PARIS)) == "2023-12-31"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (datetime(2026, 1, 15, 12, 0), "2026-01-15T12:00:00+01:00"),
        (datetime(2026, 7, 15, 12, 0), "2026-07-15T12:00:00+02:00"),
        (datetime(2026, 3, 29, 2, 30), "2026-03-29T03:30:00+02:00"),  # non-existent local time
        (datetime.fromisoformat("2026-07-15T10:00:00+00:00"), "2026-07-15T12:00:00+02:00"),
    ],
)
def test_to_paris(given, expected):
    result = to_paris(given)
    assert result.tzinfo is PARIS
    assert result.isoformat() == expected
