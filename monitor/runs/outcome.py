"""Judge a finished run: ok, or failed with a reason a user understands."""

from __future__ import annotations

from typing import Any


def judge(
    run: dict[str, Any],
    finish_reason: str | None,
    empty_ok: bool,
    stats: dict[str, Any] | None = None,
) -> tuple[str, str | None]:
    stats = stats or {}
    if finish_reason not in ("finished", "closespider_pagecount"):
        if finish_reason == "shutdown":
            return "interrupted", "stopped by a signal before the end of the crawl"
        return "failed", f"crawl ended early: {finish_reason or 'unknown reason'}"
    errors = run.get("errors") or 0
    pages = run.get("pages_fetched") or 0
    if (run.get("items_seen") or 0) == 0 and not empty_ok:
        blocked = stats.get("vigie/robots_blocked", 0)
        detail = f"{errors} errors, {pages} pages fetched"
        top = main_reason(stats)
        if top:
            detail = f"{top}; {detail}"
        if blocked:
            detail += f", {blocked} requests forbidden by robots.txt"
        return (
            "failed",
            f"zero items ({detail}); if this source is empty on purpose, set empty_ok = true",
        )
    if errors >= max(3, pages // 2 + 1):
        top = main_reason(stats)
        return "failed", f"{errors} errors for {pages} pages fetched" + (
            f", mostly {top}" if top else ""
        )
    return "ok", f"{errors} errors" if errors else None


def main_reason(stats: dict[str, Any]) -> str | None:
    """The most frequent fetch-failure reason of the run (``vigie/error/<reason>`` stats)."""
    reasons = {
        k.removeprefix("vigie/error/"): v for k, v in stats.items() if k.startswith("vigie/error/")
    }
    return max(reasons, key=lambda k: reasons[k]) if reasons else None
