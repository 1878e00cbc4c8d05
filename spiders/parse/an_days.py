"""Which daily publication lists a run reads, and up to which day they are then fully read.

Why apart from the spider: the rules are the ones a stopped daemon lives by (three days down →
three lists on restart; today's list re-read on every run because it grows all day; a day whose
list or one of whose documents failed is read again next run) and they are pure date arithmetic.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def days_to_read(lists_read_until: str | None, since: str | None, today: date) -> list[date]:
    """Every day after ``lists_read_until`` (else from ``since``, else today alone) up to today."""
    if lists_read_until:
        first = date.fromisoformat(lists_read_until) + timedelta(days=1)
    elif since:
        first = date.fromisoformat(since)
    else:
        first = today
    days = [first + timedelta(d) for d in range((today - first).days + 1)]
    return days or [today]


def read_until(days: list[date], today: date, failed: Collection[str], before: str | None) -> str:
    """The last day before the first one not fully read; today never counts (it still grows);
    never earlier than what was already read (``before``)."""
    until = days[0] - timedelta(days=1)
    for day in days:
        if day >= today or day.isoformat() in failed:
            break
        until = day
    found = until.isoformat()
    return before if before and found < before else found
