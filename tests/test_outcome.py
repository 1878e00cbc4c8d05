"""How a finished run is judged, and the one-line reason a user reads."""

from __future__ import annotations

import pytest

from monitor.runs.outcome import judge, main_reason


def run(**kw):
    return {"items_seen": 0, "errors": 0, "pages_fetched": 0, **kw}


@pytest.mark.parametrize(
    ("row", "finish", "empty_ok", "stats", "outcome", "reason_part"),
    [
        (run(items_seen=5), "finished", False, {}, "ok", None),
        (run(), "finished", True, {}, "ok", None),
        (
            run(errors=7),
            "finished",
            False,
            {"vigie/error/DNS lookup failed": 7},
            "failed",
            "site unreachable: DNS lookup failed (7 errors",
        ),
        (
            run(errors=4),
            "finished",
            False,
            {"vigie/error/connection refused": 4},
            "failed",
            "site unreachable: connection refused",
        ),
        (
            run(errors=4),
            "finished",
            False,
            {"vigie/error/timeout": 4},
            "failed",
            "site unreachable: timeout",
        ),
        (
            run(errors=2),
            "finished",
            False,
            {"vigie/error/SSLError": 2},
            "failed",
            "site unreachable: TLS error",
        ),
        (
            run(errors=2, pages_fetched=1),
            "finished",
            False,
            {"vigie/error/HTTP 404": 2},
            "failed",
            "HTTP 404; 2 errors, 1 pages fetched); if this source is empty on purpose",
        ),
        (
            run(errors=1, pages_fetched=3),
            "finished",
            False,
            {"vigie/robots_blocked": 4},
            "failed",
            "forbidden by robots.txt",
        ),
        (
            run(items_seen=2, errors=9, pages_fetched=10),
            "finished",
            False,
            {"vigie/error/HTTP 500": 6, "vigie/error/timeout": 3},
            "failed",
            "mostly HTTP 500",
        ),
        (run(items_seen=40, errors=2, pages_fetched=50), "finished", False, {}, "ok", "2 errors"),
        (run(items_seen=3), "shutdown", False, {}, "interrupted", "signal"),
        (run(items_seen=3), "closespider_pagecount", False, {}, "ok", None),
        (run(), "finished", False, {"vigie/not_modified": 3}, "ok", "not modified"),
        (
            run(errors=1),
            "finished",
            False,
            {"vigie/not_modified": 3, "vigie/errors": 1},
            "failed",
            "zero items",
        ),
    ],
)
def test_judge(row, finish, empty_ok, stats, outcome, reason_part):
    got, reason = judge(row, finish, empty_ok, stats)
    assert got == outcome
    if reason_part is None:
        assert reason is None
    else:
        assert reason_part in reason


def test_main_reason_picks_the_most_frequent():
    assert (
        main_reason({"vigie/error/timeout": 2, "vigie/error/HTTP 503": 5, "other": 9}) == "HTTP 503"
    )
    assert main_reason({}) is None


@pytest.mark.parametrize(
    "reason", ["DNS lookup failed", "connection refused", "timeout", "SSLError"]
)
def test_unreachable_site_never_suggests_empty_ok(reason):
    got, why = judge(run(errors=3), "finished", False, {f"vigie/error/{reason}": 3})
    assert got == "failed"
    assert why.startswith("site unreachable: ")
    assert "empty_ok" not in why
