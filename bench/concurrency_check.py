"""How many requests does a crawl really have in flight at once against one slow site?

A politeness check, not a timing: the fixture server (tests/support/siteserver.py) serves a small
generated site (bench/sitegen.py) with every article page answered ``--slow`` seconds late, and
counts, on the server side, how many requests it is handling at the same moment (from reading the
request line to writing the answer). Each crawl also runs with a probe in Scrapy's downloader
(``Downloader._download`` wrapped in the crawl child) that records, per download slot, the most
requests Scrapy itself had on the wire at once, the slot keys and each slot's concurrency/delay.

Cases: ``concurrent_requests_per_domain`` 1 and 2 × ``download_delay`` 0 and 1 (AutoThrottle off,
as in the tests' config), for Vigie (``monitor.runs.child`` child, the process ``crawl_source``
runs) and for a bare Scrapy ``SitemapSpider`` with the same settings; then one case where the
server is slower than ``download_timeout`` (what a fault test with a "slow server" does): there
Scrapy gives up, retries, and the server still holds the abandoned requests. Then the delay-0
cases again with two candidate fixes applied in the crawl child (``--fixes``): "reserve" (the
downloader reserves the transfer slot before scheduling the download task) and "cap"
(``CONCURRENT_REQUESTS`` lowered to the per-domain value).

    python -m bench.concurrency_check              # ~3 min on 2 cores
    python -m bench.concurrency_check --articles 6 --slow 0.3
"""

from __future__ import annotations

import argparse
import atexit
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SOURCE = "bench"


# -- server side ----------------------------------------------------------------------------------
def counting_server(folder: Path) -> Any:
    """A ``SiteServer`` that counts requests in flight: every request calls ``_take_override``
    first and ``_record`` exactly once, just before its answer is written (see siteserver.py)."""
    from tests.support.siteserver import SiteServer

    class CountingServer(SiteServer):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.clear_peaks()

        def clear_peaks(self) -> None:
            self._count_lock = getattr(self, "_count_lock", threading.Lock())
            with self._count_lock:
                self.in_flight: Counter[str] = Counter()  # path -> requests being answered
                self.peak = 0
                self.peak_paths: list[str] = []

        def _take_override(self, target: str) -> Any:
            with self._count_lock:
                self.in_flight[target] += 1
                now = sum(self.in_flight.values())
                if now > self.peak:
                    self.peak = now
                    self.peak_paths = sorted(self.in_flight.elements())
            return super()._take_override(target)

        def _record(self, method: str, path: str, status: int, size: int) -> None:
            with self._count_lock:
                self.in_flight[path] -= 1
                if self.in_flight[path] <= 0:
                    del self.in_flight[path]
            super()._record(method, path, status, size)

    return CountingServer(folder)


# -- crawl children (with the downloader probe) ---------------------------------------------------
def _install_probe(out: Path) -> None:
    """Wrap ``Downloader._download`` (the span a request holds a transfer slot): per slot key,
    the most requests on the wire at once; written to ``out`` as JSON when the child exits."""
    from scrapy.core.downloader import Downloader

    now: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    slots: dict[str, dict[str, float]] = {}
    total = {"now": 0, "peak": 0, "downloads": 0}
    original = Downloader._download

    async def _download(self: Any, slot: Any, request: Any) -> Any:
        key = str(request.meta.get(self.DOWNLOAD_SLOT))
        slots[key] = {"concurrency": slot.concurrency, "delay": round(slot.delay, 3)}
        now[key] += 1
        total["now"] += 1
        total["downloads"] += 1
        peak[key] = max(peak[key], now[key])
        total["peak"] = max(total["peak"], total["now"])
        try:
            return await original(self, slot, request)
        finally:
            now[key] -= 1
            total["now"] -= 1

    Downloader._download = _download  # type: ignore[method-assign]

    @atexit.register
    def _write() -> None:
        out.write_text(
            json.dumps(
                {
                    "peak_per_slot": dict(peak),
                    "peak_total": total["peak"],
                    "downloads": total["downloads"],
                    "slots": slots,
                }
            )
        )


def _reserve_before_scheduling() -> None:
    """Candidate fix "reserve": ``Downloader._process_queue`` as in Scrapy 2.19, plus one line:
    the request enters ``slot.transferring`` before its download task is scheduled (2.19 adds it
    in ``_download``, which with the asyncio reactor runs only on a later loop turn, so the
    ``while`` loop sees free transfer slots until the queue is empty)."""
    from time import monotonic

    from scrapy.core.downloader import Downloader
    from scrapy.utils.asyncio import call_later
    from scrapy.utils.defer import _schedule_coro

    def _process_queue(self: Any, slot: Any) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # the fix: reserve the transfer slot now
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break

    Downloader._process_queue = _process_queue  # type: ignore[method-assign]


def _cap_total_concurrency() -> None:
    """Candidate fix "cap": CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN (settings only)."""
    import monitor.runs.child
    from spiders import settings as spider_settings

    original = spider_settings.polite_settings

    def polite_settings(**kw: Any) -> dict[str, Any]:
        out = original(**kw)
        out["CONCURRENT_REQUESTS"] = out["CONCURRENT_REQUESTS_PER_DOMAIN"]
        return out

    monitor.runs.child.polite_settings = polite_settings  # type: ignore[assignment]


def _child(argv: list[str]) -> int:
    """``--child OUT FIX vigie <monitor.runs.child args>`` or ``--child OUT FIX bare SETTINGS URL``."""
    out, fix, kind, rest = Path(argv[0]), argv[1], argv[2], argv[3:]
    _install_probe(out)
    if fix == "reserve":
        _reserve_before_scheduling()
    elif fix == "cap" and kind == "vigie":
        _cap_total_concurrency()
    if kind == "bare":
        from bench.crawl_overhead import _bare_child

        return _bare_child(rest[0], rest[1])
    from monitor.runs.child import main as crawler_main

    return crawler_main(rest)


# -- the check ------------------------------------------------------------------------------------
@dataclass
class Case:
    side: str  # "Vigie" or "bare"
    per_domain: int
    delay: float
    slow: float  # server delay on article pages
    timeout: float
    fix: str = "none"
    server_peak: int = 0
    server_peak_paths: list[str] = field(default_factory=list)
    scrapy: dict[str, Any] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    retries: int = 0  # requests the server saw more than once

    def line(self) -> str:
        per_slot = ", ".join(
            f"{k} {v}" for k, v in sorted(self.scrapy.get("peak_per_slot", {}).items())
        )
        conf = ", ".join(
            f"{k} c={v['concurrency']} d={v['delay']:g}"
            for k, v in sorted(self.scrapy.get("slots", {}).items())
        )
        return (
            f"{self.side:<5} {self.fix:<7} {self.per_domain:>10} {self.delay:>5g} {self.slow:>6g} "
            f"{self.timeout:>7g} {self.server_peak:>11} {per_slot or '?':<22} "
            f"{self.requests:>5} {self.retries:>7} {self.seconds:>6.1f}  {conf}"
        )


HEADER = (
    "side  fix     per_domain delay  slow_s timeout_s server_peak scrapy_peak_per_slot   "
    "reqs repeats wall_s  slots seen (concurrency, delay)"
)


def run_case(
    srv: Any,
    site: Any,
    work: Path,
    side: str,
    per_domain: int,
    delay: float,
    slow: float,
    timeout: float,
    retry_times: int = 1,
    fix: str = "none",
) -> Case:
    from bench.crawl_overhead import LOG_LEVEL, baseline_settings
    from monitor.config import load_config
    from storage import runs as store_runs
    from storage.db import open_db
    from tests.support.configs import write_config

    tag = f"{side}-{fix}-c{per_domain}-d{delay:g}-s{slow:g}-t{timeout:g}"
    folder = work / tag
    folder.mkdir(parents=True)
    config = write_config(
        folder,
        {SOURCE: {"spider": "site", "url": srv.base_url}},
        crawl={
            "max_pages": 100_000,
            "download_timeout": int(timeout),
            "download_delay": delay,
            "autothrottle": False,
            "concurrent_requests_per_domain": per_domain,
            "retry_times": retry_times,
        },
    )
    srv.clear_overrides()
    for path in site.articles:
        srv.override(path, delay=slow)
    probe = folder / "probe.json"
    cmd = [sys.executable, "-m", "bench.concurrency_check", "--child", str(probe), fix]
    if side == "bare":
        settings = folder / "bare_settings.json"
        bare = baseline_settings(config)
        if fix == "cap":
            bare["CONCURRENT_REQUESTS"] = bare["CONCURRENT_REQUESTS_PER_DOMAIN"]
        settings.write_text(json.dumps(bare))
        cmd += ["bare", str(settings), srv.base_url]
    else:
        cfg = load_config(str(config))
        db = open_db(cfg.db_path)
        run_id = store_runs.start_run(db, SOURCE, "2026-02-14T00:00:00+00:00")
        db.conn.close()
        cmd += [
            "vigie",
            "--config",
            str(config),
            "--source",
            SOURCE,
            "--run-id",
            str(run_id),
            "--log-level",
            LOG_LEVEL,
        ]
    srv.reset_counts()
    srv.clear_peaks()
    t0 = time.perf_counter()
    with (folder / "crawl.log").open("ab") as log:
        subprocess.run(
            cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=600
        )
    seconds = time.perf_counter() - t0
    time.sleep(slow + 0.2)  # let abandoned requests finish on the server before reading counts
    seen = Counter(path for _, path, _, _ in srv.requests)
    case = Case(
        side,
        per_domain,
        delay,
        slow,
        timeout,
        fix,
        srv.peak,
        srv.peak_paths,
        json.loads(probe.read_text()) if probe.is_file() else {},
        len(srv.requests),
        seconds,
        sum(n - 1 for n in seen.values() if n > 1),
    )
    return case


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    ap = argparse.ArgumentParser(
        prog="python -m bench.concurrency_check", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--articles", type=int, default=10)
    ap.add_argument("--slow", type=float, default=0.5, help="server delay per article page, s")
    ap.add_argument("--sides", default="Vigie,bare")
    ap.add_argument(
        "--fixes",
        default="none,reserve,cap",
        help="none: Scrapy as installed; reserve: downloader patched (see "
        "_reserve_before_scheduling); cap: CONCURRENT_REQUESTS = per-domain value; "
        "the candidate fixes run on the delay-0 cases only",
    )
    a = ap.parse_args(argv)
    from bench.sitegen import generate

    sides = [s.strip() for s in a.sides.split(",") if s.strip()]
    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="vigie-conc-") as tmp:
        work = Path(tmp)
        site = generate(work / "site", a.articles, per_page=5, feed_size=3)
        print(
            f"site: {a.articles} articles, article pages answered {a.slow:g} s late; "
            "AutoThrottle off; CONCURRENT_REQUESTS 8",
            flush=True,
        )
        print(HEADER, flush=True)
        fixes = [f.strip() for f in a.fixes.split(",") if f.strip()]
        plan = [(c, d, a.slow, 5.0, "none") for c in (1, 2) for d in (0.0, 1.0)]
        plan.append((1, 0.0, 3.0, 1.0, "none"))  # server slower than download_timeout
        plan += [(c, 0.0, a.slow, 5.0, f) for f in fixes if f != "none" for c in (1, 2)]
        plan.append((1, 0.0, 3.0, 1.0, "reserve"))
        plan = [p for p in plan if p[4] in fixes]
        with counting_server(site.folder) as srv:
            for per_domain, delay, slow, timeout, fix in plan:
                for side in sides:
                    case = run_case(
                        srv, site, work, side, per_domain, delay, slow, timeout, fix=fix
                    )
                    cases.append(case)
                    print(case.line(), flush=True)
                    if case.server_peak > per_domain:
                        print(
                            f"      server peak {case.server_peak} > {per_domain}: in flight "
                            f"then: {', '.join(case.server_peak_paths)}",
                            flush=True,
                        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
