"""Field types and the base model shared by the config (``monitor/config.py``) and the
source families (``monitor/sources/<family>.py``).

Why a module of its own: the family models need these types and ``monitor.config`` needs the
families (through the registry); putting the shared pieces here breaks the import cycle.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _duration(value: Any) -> Any:
    """Accept 3600, "90s", "30m", "12h", "14d", "2w" → seconds."""
    if isinstance(value, bool):
        raise ValueError('expected a duration like "30m", "12h" or "14d"')
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return int(m.group(1)) * _UNITS[m.group(2)]
    raise ValueError(f'{value!r} is not a duration; expected e.g. "30m", "12h" or "14d"')


Duration = Annotated[int, BeforeValidator(_duration)]


def validate_cron(value: str) -> str:
    """A 5-field crontab with day names; numeric day-of-week is refused (APScheduler reads
    0 as Monday where cron reads it as Sunday)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"{value!r} is not a cron expression; expected 5 fields "
            '(minute hour day month day-of-week), e.g. "0 7 * * *"'
        )
    if re.search(r"\d", fields[4]):
        raise ValueError(
            f"{value!r}: write the day of week with names (mon-fri, sat,sun), not numbers, "
            'e.g. "0 7 * * mon-fri"'
        )
    try:
        CronTrigger.from_crontab(value, timezone="Europe/Paris")
    except ValueError as exc:
        raise ValueError(
            f'{value!r} is not a valid cron expression ({exc}); e.g. "0 7 * * *"'
        ) from None
    hour = fields[1]
    if hour == "2" or hour.startswith("2,") or hour.endswith(",2"):
        raise ValueError(
            f"{value!r} runs between 02:00 and 03:00 Europe/Paris, which the DST change skips "
            'or repeats; pick another hour, e.g. "30 3 * * *"'
        )
    return value


Cron = Annotated[str, BeforeValidator(lambda v: validate_cron(v) if isinstance(v, str) else v)]


def _http_url(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f'{value!r} is not an http(s) URL; e.g. "https://www.fncs.org"')
        return v
    return value


HttpUrl = Annotated[str, BeforeValidator(_http_url)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceBase(Section):
    spider: str = Field(
        ...,
        description="The source family: a name registered in monitor/sources/registry.py (tables below).",
    )
    label: str | None = Field(
        None, description="Display name in the archive and in mails; default: the source key."
    )
    enabled: bool = Field(
        True, description="false keeps the source in the file but never crawls it."
    )
    url: HttpUrl = Field(..., description="The site's base URL; every fetched URL derives from it.")
    schedule: Cron = Field(
        "0 7 * * *", description='Cron (Europe/Paris, day names), e.g. "0 7,13,19 * * mon-fri".'
    )
    timeout: Duration | None = Field(
        None, description="Overrides crawl.run_timeout for this source."
    )
    stale_after: Duration | None = Field(
        None, description='Health alert when nothing new was seen for this long, e.g. "30d".'
    )
    empty_ok: bool = Field(
        False, description="Declare that zero items is normal for this source (no health alert)."
    )
    recipients: list[str] = Field(
        [],
        description="Extra recipients for this source's alerts (added to alerts.email.recipients).",
    )
