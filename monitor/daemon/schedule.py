"""Schedules: the source triggers (cron, Europe/Paris), their previous and next fire times, and
the catch-up plan computed at daemon start from the ``runs`` table.

Why apart from the daemon: ``vigie status`` needs the same next-run computation without
starting a scheduler, and the rules (day names, DST, catch-up) are testable without processes.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config
from storage import runs as store_runs

TZ = ZoneInfo("Europe/Paris")
SCHEDULE_KNOB = "VIGIE_SCHEDULE_SECONDS"


def knob_seconds() -> int | None:
    value = os.environ.get(SCHEDULE_KNOB, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def source_trigger(schedule: str, *, jitter: int = 0, seconds: int | None = None) -> BaseTrigger:
    """The trigger of one source: its cron, or the test knob's interval."""
    if seconds:
        return IntervalTrigger(seconds=seconds, timezone=TZ, jitter=jitter or None)
    minute, hour, day, month, day_of_week = schedule.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=day_of_week,
        timezone=TZ,
        jitter=jitter or None,
    )


def previous_fire(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before ``now`` (no jitter), or None if none within a year."""
    if isinstance(trigger, IntervalTrigger):
        return now - trigger.interval
    for days in (1 / 24, 1, 8, 32, 367):
        fire = trigger.get_next_fire_time(None, now - timedelta(days=days))
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return None


def next_fire(trigger: BaseTrigger, now: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, now)


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    d = datetime.fromisoformat(ts)
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def catch_up_plan(
    db: Any, cfg: Config, now: datetime, seconds: int | None = None
) -> dict[str, dict]:
    """Per enabled source: ``catch_up`` (run at once) and ``missed`` (a window with no run at all)."""
    plan = {}
    for name, src in cfg.enabled_sources().items():
        prev = previous_fire(source_trigger(src.schedule, seconds=seconds), now)
        success = _parse(store_runs.last_success(db, name))
        attempt = _parse(store_runs.last_attempt(db, name))
        plan[name] = {
            "previous_fire": prev,
            "catch_up": prev is not None and (success is None or success < prev),
            "missed": prev is not None and attempt is not None and attempt < prev,
        }
    return plan


# -- the daemon -------------------------------------------------------------------------------
