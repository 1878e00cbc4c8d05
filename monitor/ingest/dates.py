"""Date text as found on pages and feeds → ISO 8601, Europe/Paris.

Why our own regexes before dateparser: dateparser returns ``None`` for
"Publié le Samedi 28 février 2026 à 17h00", misreads "17 h 00", turns page numbers into years and
some French abbreviations into other months. So we first *cut the date out* with explicit patterns
(ISO 8601, RFC 822, French long form, French numeric day/month/year) and build the value with
``datetime`` / ``email.utils``; one French-only dateparser with fixed settings is the last resort
(relative dates such as "hier", "il y a 3 heures").

Rules that shape the output:

* a source that gives only a day yields ``"YYYY-MM-DD"``: we never invent a time;
* the time-zone rule (issue 13, README "Dates and time zones"): a timestamp with an explicit
  offset or named zone other than UTC (``-04:00``, ``EDT``, ``CET``) keeps that offset, so its
  calendar day is the publisher's (``2020-06-01T23:30:00-04:00`` stays on 1 June); a UTC
  timestamp (``Z``, ``+00:00``, ``GMT``) is converted to Europe/Paris
  (``"YYYY-MM-DDTHH:MM:SS+01:00"`` or ``+02:00``); a time without offset is Paris local time;
  an RFC 822 date without a zone is UTC (RFC 5322 "-0000");
* formats met on real pages beyond those: compact ISO ``20201123T11:02:35Z``, one-digit seconds
  ``2020-12-05T23:15:0Z``, Unix ``date`` output ``Tue Jan 28 15:28:56 CET 2020``, the US RFC 822
  variant ``Tue, Sep 15 2020 10:01:41 EDT`` and English long dates (read by
  ``spiders/parse/date_text.py``, the same reader the spider uses to compare a page's dates);
* a local time that does not exist (spring-forward hour) is read with the offset in force before
  the change, so "29 mars 2026 à 2h30" becomes 03:30+02:00; an ambiguous autumn hour takes its
  first occurrence (summer time);
* impossible dates (31 février), dates before 1990 and dates more than two days after ``now``
  raise :class:`DateError`: they are page-parsing mistakes, not news;
* a time without a day ("17h00") and a month without a day ("février 2026") raise too;
* a day without a year ("3 mars", listings) takes the latest year that keeps it within the
  far-future limit.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from monitor.ingest.text import fold
from spiders.parse.date_text import read_timestamp

__all__ = ["PARIS", "DateError", "normalize_date", "to_paris"]

PARIS = ZoneInfo("Europe/Paris")
EARLIEST = date(1990, 1, 1)
MAX_AHEAD = timedelta(days=2)


class DateError(ValueError):
    """A date text we cannot or must not turn into a date; the message names text and reason."""

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason
        super().__init__(f"date {text!r}: {reason}")


def to_paris(dt: datetime) -> datetime:
    """Aware datetime in Europe/Paris; a naive one is taken as Paris local time.

    The round trip through UTC normalizes non-existent local times (spring-forward gap).
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=PARIS)
    return dt.astimezone(UTC).astimezone(PARIS)


_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
# "17h00", "17 h 00", "17h", "17:00", "17:00:05"; connectors "à", ",", "-", "vers"
_TIME = (
    r"(?:\s*(?:,|-|a|vers|des)?\s*(?P<hh>\d{1,2})\s*(?:h|:)\s*(?P<mi>\d{2})?(?::(?P<ss>\d{2}))?)"
)

_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[t ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{1,2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)"
)
_RFC822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun),\s*)?\d{1,2}\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{2,4}\s+"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[+-]\d{4}|[a-z]{1,5}))?"
)
_FRENCH = re.compile(
    rf"(?<!\d)(?:(?:{_DAYS})\s+)?(?P<d>\d{{1,2}})\s*(?:er)?\s+(?P<mon>{_MONTH_ALT})\b\.?"
    rf"\s+(?P<y>\d{{4}})(?!\d){_TIME}?(?!\d)"
)
_NO_YEAR = re.compile(
    rf"(?<!\d)(?:(?:{_DAYS})\s+)?(?P<d>\d{{1,2}})\s*(?:er)?\s+(?P<mon>{_MONTH_ALT})\b\.?"
    rf"(?!\s*\d{{4}}){_TIME}?(?!\d)"
)
_NUMERIC = re.compile(
    rf"(?<![\d/.])(?P<d>\d{{1,2}})[/.](?P<m>\d{{1,2}})[/.](?P<y>\d{{4}})(?![\d/]){_TIME}?(?!\d)"
)
#: compact ISO, Unix ``date``, US RFC 822 and English dates: read by date_text
_OTHER = re.compile(
    r"\d{8}t\d\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:january|february|march|april|june|july|august|september|"
    r"october|november|december)\s+\d{4}"
)
_BARE_TIME = re.compile(rf"^\s*(?:a\s+)?{_TIME}\s*$")
_MONTH_ONLY = re.compile(rf"^\s*(?:{_MONTH_ALT})\.?\s+\d{{4}}\s*$")
_HAS_TIME = re.compile(r"\d\s*(?:h|:)\s*\d|\d\s*h\b|\b(?:heure|minute|seconde)s?\b")


def _clock(text: str, hh: str | None, mi: str | None, ss: str | None) -> tuple[int, int, int]:
    hour, minute, second = int(hh or 0), int(mi or 0), int(ss or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateError(text, f"impossible time {hour:02d}:{minute:02d}")
    return hour, minute, second


def _build(text: str, y: int, m: int, d: int, clock: tuple[int, int, int] | None) -> date:
    try:
        if clock is None:
            return date(y, m, d)
        return datetime(y, m, d, *clock)
    except ValueError as exc:  # "day is out of range for month"…
        raise DateError(text, f"impossible date {y:04d}-{m:02d}-{d:02d}: {exc}") from None


def _from_iso(text: str, found: re.Match[str]) -> date:
    g = found.groupdict()
    clock = _clock(text, g["hh"], g["mi"], g["ss"]) if g["hh"] else None
    value = _build(text, int(g["y"]), int(g["m"]), int(g["d"]), clock)
    tz = g["tz"]
    if clock is None or not tz:
        return value  # naive datetimes are Paris local time (see to_paris)
    assert isinstance(value, datetime)
    if tz == "z":
        return value.replace(tzinfo=UTC)
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return value.replace(tzinfo=timezone(sign * offset))


def _from_rfc822(text: str, found: re.Match[str]) -> date:
    try:
        value = email.utils.parsedate_to_datetime(found.group())
    except (TypeError, ValueError) as exc:
        raise DateError(text, f"bad RFC 822 date: {exc}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _from_parts(text: str, found: re.Match[str], month: int) -> date:
    g = found.groupdict()
    clock = _clock(text, g["hh"], g["mi"], g["ss"]) if g["hh"] else None
    return _build(text, int(g["y"]), month, int(g["d"]), clock)


def _without_year(text: str, found: re.Match[str], now: datetime) -> date:
    """ "3 mars" on a listing: the latest such day not after the far-future limit."""
    month, day = _MONTHS[found["mon"]], int(found["d"])
    year = now.year
    if (month, day) > ((now + MAX_AHEAD).month, (now + MAX_AHEAD).day):
        year -= 1
    if (month, day) == (2, 29):  # only leap years have it: walk back to the last one
        while year % 4 or (year % 100 == 0 and year % 400):
            year -= 1
    g = found.groupdict()
    clock = _clock(text, g["hh"], g["mi"], g["ss"]) if g["hh"] else None
    return _build(text, year, month, day, clock)


def _cut(text: str, folded: str, now: datetime) -> date | None:
    """Find the first date our patterns know, most specific pattern first."""
    if found := _ISO.search(folded):
        return _from_iso(text, found)
    if found := _RFC822.search(folded):
        return _from_rfc822(text, found)
    if _OTHER.search(folded) and (value := read_timestamp(text)) is not None:
        return value
    if found := _FRENCH.search(folded):
        return _from_parts(text, found, _MONTHS[found["mon"]])
    if found := _NUMERIC.search(folded):
        return _from_parts(text, found, int(found["m"]))
    if found := _NO_YEAR.search(folded):
        return _without_year(text, found, now)
    return None


@lru_cache(maxsize=8)
def _parser(now_paris: datetime) -> DateDataParser:
    """One French parser per reference time (a crawl passes one ``now``, so one parser)."""
    return DateDataParser(
        languages=["fr"],
        settings={
            "RELATIVE_BASE": now_paris,
            "TIMEZONE": "Europe/Paris",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "PREFER_DATES_FROM": "past",
            # no "timestamp"/"no-spaces-time": they read "1349" or "20260203" as dates
            "PARSERS": ["relative-time", "absolute-time"],
        },
    )


def _fallback(text: str, folded: str, now: datetime) -> date:
    if _BARE_TIME.match(folded):
        raise DateError(text, "a time without a day")
    if _MONTH_ONLY.match(folded):
        raise DateError(text, "a month without a day")
    data = _parser(now.replace(tzinfo=None)).get_date_data(text)
    if data.date_obj is None:
        raise DateError(text, "no date found")
    if data.period != "day":
        raise DateError(text, f"too vague (only a {data.period})")
    value: datetime = data.date_obj
    return value if _HAS_TIME.search(folded) else value.date()


def _zoned(value: datetime) -> datetime:
    """The time-zone rule: an explicit non-UTC offset is kept (its calendar day is the
    publisher's); UTC and naive (Paris local) times are expressed in Europe/Paris."""
    offset = value.utcoffset()
    if offset is not None and offset != timedelta(0):
        return value
    return to_paris(value)


def _check_range(text: str, value: date, now: datetime) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if day < EARLIEST:
        raise DateError(text, f"before {EARLIEST.isoformat()}")
    if isinstance(value, datetime):
        too_late = value > now + MAX_AHEAD
    else:
        too_late = value > now.date() + MAX_AHEAD
    if too_late:
        raise DateError(text, f"more than 2 days after now ({now.isoformat()})")


def normalize_date(text: str | None, now: datetime) -> str | None:
    """Date text → ``"YYYY-MM-DD"`` or ``"YYYY-MM-DDTHH:MM:SS±HH:MM"`` (Europe/Paris).

    ``None`` for empty input; :class:`DateError` when the text holds no usable date.
    ``now`` (naive = Paris) is the reference for relative dates and the "far future" check.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    now = to_paris(now)
    folded = re.sub(r"\s+", " ", fold(text))
    value = _cut(text, folded, now)
    if value is None:
        value = _fallback(text, folded, now)
    if isinstance(value, datetime):
        value = _zoned(value)
        _check_range(text, value, now)
        return value.isoformat(timespec="seconds")
    _check_range(text, value, now)
    return value.isoformat()
