"""The calendar day a date text names, under Vigie's time-zone rule (pure, no dateparser).

Why here and not only in ``monitor/ingest/dates.py``: the spider must compare the dates a page
gives (byline, JSON-LD, meta, ``<time>``, URL) *before* deciding whether the costly htmldate
extensive search is needed, and spiders may not import ``monitor``. This module only answers
"which day?"; ``monitor/ingest/dates.py`` turns the chosen text into the stored ISO value with
the same rule, and a test checks that both agree on every labelled page.

The time-zone rule (README "Dates and time zones"): a timestamp with an explicit offset or a
named zone other than UTC (``-04:00``, ``EDT``, ``CET``) keeps its own calendar day — that is
the day its publisher lived it; a UTC timestamp (``Z``, ``+00:00``, ``GMT``, ``UTC``) is
converted to Europe/Paris first; a timestamp without a zone is a local time and keeps its day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = ["ZONES", "cut_date", "day_of", "read_timestamp"]

PARIS = ZoneInfo("Europe/Paris")

#: named zones seen in the wild (RFC 822 and Unix ``date`` output); UTC ones are converted
ZONES = {
    "z": 0,
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "wet": 0,
    "bst": 60,
    "cet": 60,
    "met": 60,
    "cest": 120,
    "mest": 120,
    "eet": 120,
    "eest": 180,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
}
_UTC_NAMES = {"z", "ut", "utc", "gmt"}
_EN_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_FR_MONTHS = {
    "janv": 1,
    "jan": 1,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juil": 7,
    "aout": 8,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_ZONE = (
    r"(?P<tz>z\b|[+-]\d{2}:?\d{2}\b|(?:" + "|".join(sorted(ZONES, key=len, reverse=True)) + r")\b)"
)
_CLOCK = r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{1,2})(?:[.,]\d+)?)?"
_ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    rf"(?:[t ]{_CLOCK}\s*{_ZONE}?)?(?![\d-])"
)
_COMPACT = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>\d\d)(?P<d>\d\d)t(?P<hh>\d\d):?(?P<mi>\d\d)(?::?(?P<ss>\d\d))?"
    rf"(?:[.,]\d+)?\s*{_ZONE}?"
)
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DOW = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
_EN_DMY = re.compile(rf"{_DOW}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON},?\s+(?P<y>\d{{4}})")
_EN_MDY = re.compile(rf"{_DOW}{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})")
#: Unix ``date``: "Tue Jan 28 15:28:56 CET 2020" (the year after the clock and zone)
_ASCTIME = re.compile(rf"{_DOW}{_MON}\s+(?P<d>\d{{1,2}})\s+{_CLOCK}\s*{_ZONE}?\s+(?P<y>\d{{4}})")
_AFTER = re.compile(rf"^\s*(?:at\s+|,\s*|-\s*)?{_CLOCK}\s*{_ZONE}?")
_FR = re.compile(
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    r"(?<!\d)(?P<d>[0-3]?\d)\s*(?:er)?\s+(?P<mon>janv|jan|fevr|fev|mars|avr|mai|juin|juil|aout|"
    r"sept|sep|oct|nov|dec)[a-z]*\.?\s+(?P<y>(?:19|20)\d\d)(?!\d)"
)
_NUMERIC = re.compile(
    r"(?<![\d/.])(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)\d\d)(?![\d/])"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_FOLD = str.maketrans("éèêëàâäîïôöûüùç", "eeeeaaaiioouuuc")


def fold(text: str) -> str:
    """Lower case without French accents; same length as ``text`` once its spaces are clean."""
    return text.lower().translate(_FOLD)


def _zone(tz: str | None) -> timezone | None:
    if not tz:
        return None
    tz = tz.lower()
    if tz in ZONES:
        return timezone(timedelta(minutes=ZONES[tz]))
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _stamp(g: dict[str, str | None], month: int) -> date | datetime | None:
    try:
        day = date(int(g["y"] or 0), month, int(g["d"] or 0))
        if not g.get("hh"):
            return day
        clock = datetime(
            day.year, day.month, day.day, int(g["hh"] or 0), int(g["mi"] or 0), int(g["ss"] or 0)
        )
    except ValueError:
        return None
    zone = _zone(g.get("tz"))
    return clock.replace(tzinfo=zone) if zone is not None else clock


def read_timestamp(text: str) -> date | datetime | None:
    found = _find(text)
    return found[0] if found else None


def cut_date(text: str | None) -> str | None:
    """Only the words of the first date in ``text`` ("Publié le 3 févr. 2026 par X" → "3 févr.
    2026"), as written; None when there is none."""
    if not text:
        return None
    clean = " ".join(text.replace("\xa0", " ").split())
    found = _find(clean)
    return clean[found[1] : found[2]].strip(" ,") if found else None


def _find(text: str) -> tuple[date | datetime | None, int, int] | None:
    """The first date the text names: a ``date`` (no time), a naive or an aware ``datetime``.

    Formats: ISO 8601 (also one-digit seconds ``23:15:0Z`` and compact ``20201123T11:02:35Z``),
    RFC 822 and its US variant (``Tue, Sep 15 2020 10:01:41 EDT``), Unix ``date``
    (``Tue Jan 28 15:28:56 CET 2020``), English and French long dates, ``dd/mm/yyyy``."""
    if not _YEAR.search(text):
        return None  # most text blocks: no year, no date (and the patterns below are costly)
    folded = fold(text)
    if len(folded) != len(text):
        folded = text.lower()
    if m := _ISO.search(folded) or _COMPACT.search(folded):
        return _stamp(m.groupdict(), int(m["m"])), m.start(), m.end()
    if m := _ASCTIME.search(folded):
        return _stamp(m.groupdict(), _EN_MONTHS[m["mon"]]), m.start(), m.end()
    for pattern in (_EN_DMY, _EN_MDY):
        if m := pattern.search(folded):
            g: dict[str, str | None] = dict(m.groupdict())
            end = m.end()
            if after := _AFTER.match(folded[m.end() :]):
                g.update(after.groupdict())
                end += after.end()
            return _stamp(g, _EN_MONTHS[m["mon"]]), m.start(), end
    if m := _FR.search(folded):
        return _stamp(m.groupdict(), _FR_MONTHS[m["mon"]]), m.start(), m.end()
    if m := _NUMERIC.search(folded):
        return _stamp(m.groupdict(), int(m["m"])), m.start(), m.end()
    return None


def is_utc(value: datetime) -> bool:
    offset = value.utcoffset()
    return offset is not None and offset == timedelta(0)


def day_of(text: str | None) -> date | None:
    """The calendar day under the time-zone rule (module docstring); None when no date."""
    if not text:
        return None
    value = read_timestamp(text)
    if value is None:
        return None
    if isinstance(value, datetime):
        if is_utc(value):
            value = value.astimezone(UTC).astimezone(PARIS)
        return value.date()
    return value
