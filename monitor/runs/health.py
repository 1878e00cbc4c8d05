"""Run-health rules: finished runs → ``source_health`` state → health alerts in the outbox.

Called by the crawl runner after each run row is final (:func:`after_run`, outside any open
transaction: it takes its own). Rules, per source:

- A run with outcome ``failed`` counts as a failure. So does an ``ok`` run that saw zero items
  when the last run that saw any saw some (reason ``"zero items"``), unless the source sets
  ``empty_ok`` or the run saw nothing because the source answered 304 without any error. ``interrupted`` runs (daemon stopped) count for nothing.
- ``alerts.failures_before_alert`` failures in a row → state ``broken`` and one
  ``health_broken`` alert; while broken, one ``health_reminder`` per ``alerts.reminder_every``
  (checked at each failed run); the first success → one ``health_recovered``.
- ``stale_after`` set and nothing new for longer (newest item first seen, or since tracking
  began) → state ``stale`` and one ``health_stale`` alert; new items again → ``health_recovered``.

Health alerts go to the global plus the source's recipients and are always immediate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from monitor.alerts.policy import recipients_for
from monitor.config import Config
from storage import health as store
from storage import outbox
from storage.db import write_tx

if TYPE_CHECKING:
    import sqlite_utils

ZERO_ITEMS = "zero items"


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def new_state(source: str) -> dict:
    return {"source": source, "state": "ok", "consecutive_failures": 0, "last_items_seen": 0}


def _failure(
    state: dict,
    run: dict,
    reason: str | None,
    ts: str,
    now: datetime,
    *,
    threshold: int,
    reminder_every: int,
) -> list[tuple[str, dict]]:
    state["consecutive_failures"] = (state.get("consecutive_failures") or 0) + 1
    state["last_failure"], state["last_reason"] = ts, reason
    payload = {
        "reason": reason,
        "failures": state["consecutive_failures"],
        "run_id": run.get("id"),
        "last_success": state.get("last_success"),
    }
    if state.get("state") != "broken":
        if state["consecutive_failures"] < threshold:
            return []
        state.update(state="broken", broken_since=ts, last_alert=ts)
        return [("health_broken", {**payload, "broken_since": ts})]
    last = _parse(state.get("last_alert"))
    if last is None or now - last >= timedelta(seconds=reminder_every):
        state["last_alert"] = ts
        return [("health_reminder", {**payload, "broken_since": state.get("broken_since")})]
    return []


def _staleness(
    state: dict, run: dict, ts: str, now: datetime, stale_after: int | None, newest: str | None
) -> list[tuple[str, dict]]:
    if not stale_after:
        if state.get("state") == "stale":
            state["state"] = "ok"
        return []
    if not state.get("last_new_item"):
        state["last_new_item"] = newest or ts  # the clock starts when tracking starts
    last_new = _parse(state["last_new_item"]) or now
    is_stale = now - last_new > timedelta(seconds=stale_after)
    payload = {
        "last_new_item": state["last_new_item"],
        "stale_after": _human(stale_after),
        "run_id": run.get("id"),
    }
    if is_stale and state.get("state") != "stale":
        state.update(state="stale", last_alert=ts)
        return [("health_stale", payload)]
    if not is_stale and state.get("state") == "stale":
        state.update(state="ok", last_alert=ts)
        return [("health_recovered", {**payload, "reason": "nouveaux éléments"})]
    return []


def _human(seconds: int) -> str:
    for unit, size in (("j", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def evaluate(
    state: dict,
    run: dict,
    now: datetime,
    *,
    threshold: int,
    reminder_every: int,
    stale_after: int | None = None,
    empty_ok: bool = False,
    newest_item: str | None = None,
) -> list[tuple[str, dict]]:
    """Update ``state`` (a ``source_health`` row) for one finished run; return (event, payload)s."""
    outcome = run.get("outcome")
    if outcome not in ("ok", "failed"):
        return []
    ts = outbox.stamp(now)
    seen, new = run.get("items_seen") or 0, run.get("items_new") or 0
    reason = run.get("reason") or ("run failed" if outcome == "failed" else None)
    failed = outcome == "failed"
    # a run that saw nothing because the source answered 304 (and nothing failed) is a quiet
    # night, not an emptied source: since issue 15 a site's home page can answer 304 too
    quiet = bool(run.get("not_modified")) and not run.get("errors")
    if (
        not failed
        and seen == 0
        and not quiet
        and (state.get("last_items_seen") or 0) > 0
        and not empty_ok
    ):
        failed, reason = True, ZERO_ITEMS
    if seen > 0:
        state["last_items_seen"] = seen
    if new > 0:
        state["last_new_item"] = ts
    if failed:
        return _failure(
            state, run, reason, ts, now, threshold=threshold, reminder_every=reminder_every
        )
    events: list[tuple[str, dict]] = []
    state["consecutive_failures"], state["last_success"] = 0, ts
    if state.get("state") == "broken":
        events.append(
            (
                "health_recovered",
                {
                    "broken_since": state.get("broken_since"),
                    "reason": state.get("last_reason"),
                    "run_id": run.get("id"),
                },
            )
        )
        state.update(state="ok", broken_since=None, last_alert=ts)
    return events + _staleness(state, run, ts, now, stale_after, newest_item)


def after_run(
    db: sqlite_utils.Database, cfg: Config, source: str, run: dict, now: datetime
) -> list[int]:
    """Apply one finished run to the source's health; enqueue and return the alerts it calls for."""
    src = cfg.sources.get(source)
    recipients = recipients_for(cfg.alerts.email.recipients, src.recipients if src else [])
    with write_tx(db):
        state = store.get_state(db, source) or new_state(source)
        events = evaluate(
            state,
            run,
            now,
            threshold=cfg.alerts.failures_before_alert,
            reminder_every=cfg.alerts.reminder_every,
            stale_after=src.stale_after if src else None,
            empty_ok=src.empty_ok if src else False,
            newest_item=store.newest_item(db, source),
        )
        store.save_state(db, state)
        return [
            outbox.enqueue(
                db,
                event=event,
                item_id=None,
                source=source,
                run_id=run.get("id"),
                recipients=recipients,
                mode="immediate",
                payload=payload,
                now=now,
                channels=list(cfg.channels),  # a broken source reaches the chat too
            )
            for event, payload in events
        ]


def is_stale(state: dict, stale_after: int | None, now: datetime) -> bool:
    """For ``vigie status``: nothing new for longer than ``stale_after``."""
    last = _parse(state.get("last_new_item"))
    return bool(stale_after and last and now - last > timedelta(seconds=stale_after))


def status(db: sqlite_utils.Database, cfg: Config, now: datetime) -> list[dict]:
    """One row per known source: the stored health state plus a computed ``stale`` flag."""
    rows = {r["source"]: r for r in store.all_states(db)}
    out = []
    for name in sorted(set(rows) | set(cfg.sources)):
        row = rows.get(name) or new_state(name)
        src = cfg.sources.get(name)
        out.append({**row, "stale": is_stale(row, src.stale_after if src else None, now)})
    return out
