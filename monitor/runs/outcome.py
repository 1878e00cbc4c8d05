"""Judge a finished run: ok, or failed with a reason a user understands.

A site that could not be reached at all (DNS, connection refused, timeout, TLS) is named as
such: telling the user to "set empty_ok = true" there would hide an outage (issue 10)."""

from __future__ import annotations

from typing import Any


def judge(
    run: dict[str, Any],
    finish_reason: str | None,
    empty_ok: bool,
    stats: dict[str, Any] | None = None,
) -> tuple[str, str | None]:
    """(outcome, reason) of a finished run from its row and the Scrapy stats."""
    stats = stats or {}
    if finish_reason not in ("finished", "closespider_pagecount"):
        if finish_reason == "shutdown":
            return "interrupted", "stopped by a signal before the end of the crawl"
        return "failed", f"crawl ended early: {finish_reason or 'unknown reason'}"
    errors = run.get("errors") or 0
    pages = run.get("pages_fetched") or 0
    if (run.get("items_seen") or 0) == 0 and not empty_ok:
        if finish_reason == "finished" and _all_not_modified(stats):
            return "ok", "not modified since the last run (304)"
        blocked = stats.get("vigie/robots_blocked", 0)
        detail = f"{errors} errors, {pages} pages fetched"
        top = main_reason(stats)
        cause = unreachable_cause(stats) if pages == 0 else None
        if cause:
            return "failed", f"site unreachable: {cause} ({errors} errors, no page fetched)"
        if top:
            detail = f"{top}; {detail}"
        if blocked:
            detail += f", {blocked} requests forbidden by robots.txt"
        return (
            "failed",
            f"zero items ({detail}); if this source is empty on purpose, set empty_ok = true",
        )
    if stats.get("vigie/source_failure"):  # spiders.base.SOURCE_FAILURE: a part that must be read
        return "failed", str(stats["vigie/source_failure"])
    if errors >= max(3, pages // 2 + 1):
        top = main_reason(stats)
        return "failed", f"{errors} errors for {pages} pages fetched" + (
            f", mostly {top}" if top else ""
        )
    return "ok", f"{errors} errors" if errors else None


def _all_not_modified(stats: dict[str, Any]) -> bool:
    """Zero items because every document answered 304 is a quiet night, not a broken source
    (stat names from ``spiders.base``: NOT_MODIFIED, ERRORS, PARSE_ERRORS)."""
    return (
        stats.get("vigie/not_modified", 0) > 0
        and not stats.get("vigie/errors", 0)
        and not stats.get("vigie/parse_errors", 0)
    )


def main_reason(stats: dict[str, Any]) -> str | None:
    """The most frequent fetch-failure reason of the run (``vigie/error/<reason>`` stats)."""
    reasons = {
        k.removeprefix("vigie/error/"): v for k, v in stats.items() if k.startswith("vigie/error/")
    }
    return max(reasons, key=lambda k: reasons[k]) if reasons else None


#: fetch-failure reasons (``spiders.base.download_failure_reason``) meaning "never reached"
_UNREACHABLE = (
    ("DNS lookup failed", "DNS lookup failed"),
    ("connection refused", "connection refused"),
    ("timeout", "timeout"),
)
_TLS_MARKS = ("ssl", "tls", "certificate", "handshake")


def unreachable_cause(stats: dict[str, Any]) -> str | None:
    """The cause when every failure says the site was never reached, else None."""
    reasons = {
        k.removeprefix("vigie/error/"): v for k, v in stats.items() if k.startswith("vigie/error/")
    }
    causes: dict[str, int] = {}
    for reason, count in reasons.items():
        low = reason.lower()
        cause = next((c for prefix, c in _UNREACHABLE if low.startswith(prefix.lower())), None)
        if cause is None and any(m in low for m in _TLS_MARKS):
            cause = "TLS error"
        if cause is None:
            return None
        causes[cause] = causes.get(cause, 0) + count
    return max(causes, key=lambda k: causes[k]) if causes else None
