"""Read-side helpers shared by commands and run reports (no writes here).

Gaps: written-question numbers are sequential within a legislature, so a number
between the lowest and the highest seen that is not in the archive is a question not seen yet
(missed by a failed run, or withdrawn from the dump). One window-function query finds the gaps
as ranges, so a legislature of tens of thousands of questions costs one index-free scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

_NUMBERS = (
    "SELECT DISTINCT number FROM items WHERE chamber = 'AN' AND qtype = 'QE' "
    "AND legislature = ? AND number IS NOT NULL{source}"
)


@dataclass(frozen=True)
class Gaps:
    legislature: int
    lowest: int | None  # lowest QE number seen (None: no QE stored)
    highest: int | None
    ranges: list[tuple[int, int]]  # missing numbers, as inclusive ranges, ascending

    @property
    def count(self) -> int:
        return sum(b - a + 1 for a, b in self.ranges)


def _where(source: str | None) -> tuple[str, list]:
    return (" AND source = ?", [source]) if source else ("", [])


def qe_gaps(db: sqlite_utils.Database, legislature: int, source: str | None = None) -> Gaps:
    """Missing QE numbers of ``legislature`` between the lowest and highest stored."""
    cond, params = _where(source)
    numbers = _NUMBERS.format(source=cond)
    low, high = db.conn.execute(
        f"SELECT min(number), max(number) FROM ({numbers})", [legislature, *params]
    ).fetchone()
    rows = db.conn.execute(
        f"SELECT prev + 1, number - 1 FROM (SELECT number, lag(number) OVER (ORDER BY number) "
        f"AS prev FROM ({numbers})) WHERE number - prev > 1 ORDER BY number",
        [legislature, *params],
    ).fetchall()
    return Gaps(legislature, low, high, [(a, b) for a, b in rows])


def qe_gap_count(db: sqlite_utils.Database, legislature: int, source: str | None = None) -> int:
    return qe_gaps(db, legislature, source).count


def qe_legislatures(db: sqlite_utils.Database, source: str | None = None) -> list[int]:
    """Legislatures that have at least one stored QE."""
    cond, params = _where(source)
    return [
        r[0]
        for r in db.conn.execute(
            "SELECT DISTINCT legislature FROM items WHERE chamber = 'AN' AND qtype = 'QE' "
            f"AND legislature IS NOT NULL{cond} ORDER BY legislature",
            params,
        )
    ]


def format_ranges(ranges: list[tuple[int, int]]) -> str:
    """``[(5, 5), (7, 9)]`` → ``"5, 7-9"``."""
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
