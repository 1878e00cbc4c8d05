"""Days of publication lists to read, and the day they are fully read up to."""

from __future__ import annotations

from datetime import date

import pytest

from spiders.parse.an_days import days_to_read, read_until

TODAY = date(2026, 3, 11)


@pytest.mark.parametrize(
    ("until", "since", "expected"),
    [
        ("2026-03-10", None, ["2026-03-11"]),  # a daily run: today only
        ("2026-03-07", "2026-01-01", ["2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"]),
        (None, "2026-03-09", ["2026-03-09", "2026-03-10", "2026-03-11"]),
        (None, None, ["2026-03-11"]),
        ("2026-03-11", None, ["2026-03-11"]),  # already read "up to today": today again anyway
    ],
)
def test_days_to_read(until, since, expected):
    assert [d.isoformat() for d in days_to_read(until, since, TODAY)] == expected


@pytest.mark.parametrize(
    ("failed", "before", "expected"),
    [
        ((), "2026-03-07", "2026-03-10"),  # three days read; today never counts
        (("2026-03-09",), "2026-03-07", "2026-03-08"),  # 03-09 is read again next run
        (("2026-03-08",), "2026-03-07", "2026-03-07"),
        (("2026-03-11",), "2026-03-07", "2026-03-10"),  # today failing changes nothing
    ],
)
def test_read_until(failed, before, expected):
    days = days_to_read(before, None, TODAY)
    assert read_until(days, TODAY, failed, before) == expected


def test_first_run_from_today_marks_yesterday():
    assert read_until(days_to_read(None, None, TODAY), TODAY, (), None) == "2026-03-10"
