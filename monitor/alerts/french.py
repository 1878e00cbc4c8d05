"""French dates as people write them ("12 mars 2025"), for mails, headlines and pages.

Why its own module: the mail composer, the one-line headlines and the archive's pages all say
dates the same way, and the headline module is imported by the composer (one place, no cycle).
"""

from __future__ import annotations

from datetime import datetime

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(value: str | None) -> str:
    """``2025-03-12T10:00:00+01:00`` → ``12 mars 2025`` (the text as is when not ISO)."""
    if not value:
        return ""
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
