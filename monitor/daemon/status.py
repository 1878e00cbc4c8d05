"""What ``vigie status`` shows: is the daemon alive, and per source its last run, next run, health.

Read-only: plain dicts out (``collect``), one table renderer (``render``); the command prints
either the table or the dicts as JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.config import Config
from monitor.daemon.service import TZ, daemon_alive, knob_seconds, next_fire, source_trigger
from storage import health as store_health
from storage import runs as store_runs

if TYPE_CHECKING:
    import sqlite_utils

COUNTS = ("pages_fetched", "not_modified", "items_seen", "items_new", "items_changed", "errors")


def daemon_status(db: sqlite_utils.Database, cfg: Config, now: datetime) -> dict[str, Any]:
    row = store_runs.daemon_row(db)
    if row is None:
        return {
            "alive": False,
            "state": "never started",
            "pid": None,
            "started": None,
            "heartbeat": None,
        }
    return {**row, "alive": daemon_alive(row, cfg.daemon.heartbeat_every, now)}


def source_status(db: sqlite_utils.Database, cfg: Config, now: datetime) -> list[dict[str, Any]]:
    last = store_runs.last_runs(db)
    health = {r["source"]: r for r in store_health.all_states(db)}
    seconds = knob_seconds()
    out = []
    for name, src in cfg.sources.items():
        run = last.get(name)
        nxt = next_fire(source_trigger(src.schedule, seconds=seconds), now) if src.enabled else None
        h = health.get(name)
        out.append(
            {
                "source": name,
                "enabled": src.enabled,
                "schedule": src.schedule,
                "last_run": None
                if run is None
                else {
                    "id": run["id"],
                    "started": run["started"],
                    "ended": run["ended"],
                    "outcome": run["outcome"],
                    "reason": run["reason"],
                    "counts": {k: run.get(k) or 0 for k in COUNTS},
                },
                "last_success": store_runs.last_success(db, name),
                "next_run": nxt.astimezone(TZ).isoformat(timespec="seconds") if nxt else None,
                "health": None
                if h is None
                else {
                    "state": h["state"],
                    "consecutive_failures": h["consecutive_failures"],
                    "last_reason": h["last_reason"],
                    "broken_since": h["broken_since"],
                },
            }
        )
    return out


def collect(db: sqlite_utils.Database, cfg: Config, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {
        "now": now.isoformat(timespec="seconds"),
        "daemon": daemon_status(db, cfg, now),
        "sources": source_status(db, cfg, now),
    }


def _local(ts: str | None) -> str:
    if not ts:
        return "-"
    d = datetime.fromisoformat(ts)
    d = d if d.tzinfo else d.replace(tzinfo=UTC)
    return d.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _daemon_line(d: dict[str, Any]) -> str:
    if d["alive"]:
        return f"daemon: alive (pid {d['pid']}, since {_local(d['started'])}, heartbeat {_local(d['heartbeat'])})"
    if d["state"] == "never started":
        return "daemon: not running (never started on this database)"
    return f"daemon: NOT RUNNING (last state {d['state']}, last heartbeat {_local(d['heartbeat'])}, pid {d['pid']})"


def _row(s: dict[str, Any]) -> list[str]:
    run, h = s["last_run"], s["health"]
    if run is None:
        last, outcome, counts = "never", "-", "-"
    else:
        c = run["counts"]
        last = _local(run["started"])
        outcome = run["outcome"] + (f" ({run['reason']})" if run["reason"] else "")
        counts = f"{c['items_seen']} seen, {c['items_new']} new, {c['items_changed']} changed, {c['errors']} err"
    if not s["enabled"]:
        health = "disabled"
    elif h is None:
        health = "never run" if run is None else "no health record"
    else:
        fails = h["consecutive_failures"] or 0
        health = h["state"] + (f" ({fails} failure{'s' * (fails > 1)} in a row)" if fails else "")
    nxt = _local(s["next_run"]) if s["next_run"] else "-"
    return [s["source"], last, outcome, counts, nxt, health]


def render(data: dict[str, Any], width: int = 60) -> str:
    """A plain-text table: one line per source, the daemon line on top."""
    header = ["SOURCE", "LAST RUN", "OUTCOME", "COUNTS", "NEXT RUN", "HEALTH"]
    rows = [_row(s) for s in data["sources"]]
    for r in rows:
        if len(r[2]) > width:
            r[2] = r[2][: width - 1] + "…"
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=False)]
    lines = [_daemon_line(data["daemon"]), ""]
    for r in [header, *rows]:
        lines.append("  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)
