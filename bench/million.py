"""A million items: size, Datasette, rematch and an unchanged crawl on a large archive (issue 15).

The archive is built once by ``bench/archive_gen.py`` (real schema, bulk inserts; ~10 min and
~6 GB for 1,000,000 items on a 2-core machine) and kept in ``bench/.cache/million-<N>.db``
(git-ignored), reused by every later run; ``make bench-clean`` (or ``rm -r bench/.cache``)
removes it. Opening it applies any new migration step, as a user's upgrade would.

Figures, each with its goal (same run, side by side):

- database size (file, and the biggest tables/indexes when SQLite has ``dbstat``);
- ``vigie serve`` (the real Datasette process, over HTTP): full-text search for a common and a
  rare word (items table page and JSON, the ``search`` canned query, the French ``/recherche``
  page), the items table with its default facets as shipped in the metadata (JSON and HTML, and
  each facet's own query, timed on the same file; each other facet over HTTP with ``?_facet=``),
  every canned query of ``monitor/web/datasette/metadata.yaml``, the item page: p50 and p95 over ``--repeat`` requests
  (goal p95 < 300 ms for search, < 500 ms for canned queries);
- ``vigie rematch`` on the whole archive vs a plain scan of the same rows through the same
  matcher (goal ≤ 2×);
- the crawl of an unchanged generated site against this archive vs against an empty database
  (goal: no growth with the archive; ratio printed, with the known-articles load on both).

    python -m bench.million                      # N = 1,000,000 (or $VIGIE_BENCH_MILLION_N)
    python -m bench.million --n 50000 --repeat 10  # quick
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CACHE = ROOT / "bench" / ".cache"
DEFAULT_N = int(os.environ.get("VIGIE_BENCH_MILLION_N", "1000000"))
SEARCH_GOAL_MS = 300
CANNED_GOAL_MS = 500
REMATCH_GOAL = 2.0
CRAWL_GOAL = 1.5  # "must not grow": the crawl on the big archive within 1.5x of the empty one
FACET_LIMIT_MS = 500  # monitor/web/serve.py SETTINGS["facet_time_limit_ms"]
METADATA = ROOT / "monitor" / "web" / "datasette" / "metadata.yaml"


# The items table's other facets, one click away in each column's menu (README, "Facets"): all
# indexed (storage/migrations.py), asked with ?_facet=column on top of the default ones.
OTHER_FACETS = ["chamber", "status", "followed", "rubrique", "ministry_answering", "group_name"]
OTHER_FACET_REPEAT = 5  # requests per added facet: each page also computes the 3 defaults


def default_facets() -> list[str]:
    """The items table's default facets, as shipped (the table page computes them together)."""
    import yaml

    meta = yaml.safe_load(METADATA.read_text("utf-8"))
    return list(meta["databases"]["vigie"]["tables"]["items"]["facets"])


def facet_paths() -> list[tuple[str, str, float, int | None]]:
    """Each non-default facet over HTTP: the table page with ``?_facet=column``, which Datasette
    computes together with the default facets (it cannot compute one facet alone)."""
    return [
        (f"items.json ?_facet={f} + defaults", f"/vigie/items.json?_facet={f}",
         CANNED_GOAL_MS, OTHER_FACET_REPEAT)
        for f in OTHER_FACETS
    ]  # fmt: skip


def cache_path(n: int) -> Path:
    return CACHE / f"million-{n}.db"


def ensure_archive(n: int, out: list[str]) -> Path:
    """The cached archive of N items, built now if absent."""
    from bench.archive_gen import build
    from storage.db import open_db

    path = cache_path(n)
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".building")
        for p in tmp.parent.glob(tmp.name + "*"):
            p.unlink()
        t0 = time.perf_counter()
        build(tmp, n, progress=lambda s: print(s, flush=True))
        built = time.perf_counter() - t0
        tmp.rename(path)
        out.append(f"archive built in {built:.0f} s into {path.relative_to(ROOT)} (kept; reused)")
    else:
        out.append(
            f"archive reused: {path.relative_to(ROOT)} (built earlier; make bench-clean removes it)"
        )
    t0 = time.perf_counter()
    db = open_db(path)  # applies any new migration step
    version = db.conn.execute("PRAGMA user_version").fetchone()[0]
    db.conn.close()
    out.append(
        f"opened at schema version {version} in {time.perf_counter() - t0:.1f} s (migrations included)"
    )
    return path


def bench_config(folder: Path, db: Path, base_url: str = "http://127.0.0.1:9") -> Path:
    from tests.conftest import write_config

    folder.mkdir(parents=True, exist_ok=True)
    cfg = write_config(
        folder,
        {"bench": {"spider": "site", "url": base_url}},
        crawl={"max_pages": 100_000, "download_timeout": 30},
    )
    text = cfg.read_text("utf-8").replace(str(folder / "vigie.db"), str(db))
    cfg.write_text(text, "utf-8")
    return cfg


# -- size -----------------------------------------------------------------------------------
def size_lines(path: Path) -> list[str]:
    import sqlite3

    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    conn = sqlite3.connect(path)
    n = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("item_versions", "alerts", "deliveries", "runs", "http_validators")
    }
    out = [
        f"database size: {total / 1e9:.2f} GB for {n:,} items ({total / n / 1e3:.1f} kB per item); "
        + ", ".join(f"{t} {c:,}" for t, c in counts.items())
    ]
    try:
        rows = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6"
        ).fetchall()
        out.append("  biggest: " + ", ".join(f"{name} {size / 1e9:.2f} GB" for name, size in rows))
    except sqlite3.Error:
        pass
    conn.close()
    return out


# -- Datasette ------------------------------------------------------------------------------
def start_serve(config: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = config.parent / "serve.log"
    cmd = [sys.executable, "-m", "monitor.cli.main", "--config", str(config), "serve",
           "--host", "127.0.0.1", "--port", str(port), "--no-allow-sql"]  # fmt: skip
    with log.open("wb") as f:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"vigie serve exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("vigie serve not ready after 120 s")


def fetch(base: str, path: str) -> tuple[float, int, bytes]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            body, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return (time.perf_counter() - t0) * 1000, status, body


def percentiles(ms: list[float]) -> tuple[float, float]:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return statistics.median(ms), p95


def timed(base: str, path: str, repeat: int) -> tuple[float, float, int, bytes]:
    """p50, p95 over ``repeat`` requests after a warm-up; a page slower than 1 s is asked
    3 times only (it misses its goal anyway, and 20 × 4 s would eat the bench's budget)."""
    first, status, body = fetch(base, path)  # warm-up (page cache, Datasette's table counts)
    if first > 1000:
        repeat = min(repeat, 3)
    ms = []
    for _ in range(repeat):
        t, status, body = fetch(base, path)
        ms.append(t)
    p50, p95 = percentiles(ms)
    return p50, p95, status, body


def datasette_paths(path: Path) -> list[tuple[str, str, float]]:
    """(label, URL path, goal ms) for every figure of the Datasette section."""
    import sqlite3

    import yaml

    from bench.archive_gen import COMMON_WORD, RARE_WORD

    conn = sqlite3.connect(path)
    with_version = conn.execute(
        "SELECT item_id FROM item_versions ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    author = conn.execute("SELECT author FROM items WHERE kind = 'question' LIMIT 1").fetchone()[0]
    conn.close()
    q = urllib.parse.quote
    out: list[tuple[str, str, float]] = []
    for word in (COMMON_WORD, RARE_WORD):
        out.append(
            (
                f"search '{word}': items table page",
                f"/vigie/items?_search={q(word)}",
                SEARCH_GOAL_MS,
            )
        )
        out.append(
            (f"search '{word}': items.json", f"/vigie/items.json?_search={q(word)}", SEARCH_GOAL_MS)
        )
        out.append(
            (f"search '{word}': canned query search", f"/vigie/search?q={q(word)}", SEARCH_GOAL_MS)
        )
        out.append((f"search '{word}': /recherche page", f"/recherche?q={q(word)}", SEARCH_GOAL_MS))
    facets = default_facets()
    out.append((f"items table, its {len(facets)} default facets (json)", "/vigie/items.json",
                CANNED_GOAL_MS))  # fmt: skip
    out.append(("items table page, default facets (html)", "/vigie/items", CANNED_GOAL_MS))
    meta = yaml.safe_load(METADATA.read_text("utf-8"))
    params = {"q": COMMON_WORD, "author": author, "item_id": with_version, "status": ""}
    for name, query in meta["databases"]["vigie"]["queries"].items():
        if name == "search":
            continue
        needed = [p for p in params if f":{p}" in query["sql"]]
        qs = "&".join(f"{p}={q(str(params[p]))}" for p in needed)
        out.append((f"canned {name}", f"/vigie/{name}" + (f"?{qs}" if qs else ""), CANNED_GOAL_MS))
    from datasette.utils import tilde_encode

    out.append(("item page", f"/vigie/items/{tilde_encode(with_version)}", CANNED_GOAL_MS))
    return out


def facet_sql_lines(path: Path, repeat: int) -> list[str]:
    """Each facet alone: Datasette's ColumnFacet SQL on the same file (the table page always
    computes the default facets together, so one facet cannot be asked alone over HTTP)."""
    import sqlite3

    conn = sqlite3.connect(path)
    out = []
    for f in [*default_facets(), *OTHER_FACETS]:
        sql = (f"select {f} as value, count(*) as count from (select * from items) "
               f"where {f} is not null group by {f} order by count desc, value limit 31")  # fmt: skip
        ms = []
        for _ in range(repeat + 1):
            t0 = time.perf_counter()
            conn.execute(sql).fetchall()
            ms.append(1000 * (time.perf_counter() - t0))
        p50, p95 = percentiles(ms[1:])
        ok = p95 < FACET_LIMIT_MS
        out.append(f"  facet {f:<47} {p50:7.0f} {p95:7.0f}   within Datasette's facet_time_limit "
                   f"({FACET_LIMIT_MS} ms): {'meets' if ok else 'MISSES'}")  # fmt: skip
    conn.close()
    return ["each facet alone (its Datasette SQL via sqlite3 on the same file), p50 / p95 ms", *out]


def datasette_lines(path: Path, work: Path, repeat: int) -> list[str]:
    import json

    cfg = bench_config(work / "serve", path)
    proc, base = start_serve(cfg)
    out = [
        f"vigie serve (Datasette) over HTTP, {repeat} requests each after one warm-up "
        f"(3 when the warm-up took over 1 s; {OTHER_FACET_REPEAT} for each added facet); p50 / p95 ms"
    ]
    misses = 0
    try:
        paths = [(*p, None) for p in datasette_paths(path)] + facet_paths()
        for label, url, goal, own_repeat in paths:
            p50, p95, status, body = timed(base, url, own_repeat or repeat)
            note = ""
            if url.startswith("/vigie/items.json") and status == 200:
                data = json.loads(body)
                if data.get("facets_timed_out"):
                    note = f"  facets timed out: {', '.join(data['facets_timed_out'])}"
                if "_search" in url:
                    note += f"  ({data.get('filtered_table_rows_count')} rows: {data.get('human_description_en')})"
            ok = status == 200 and p95 < goal and "timed out" not in note
            misses += not ok
            out.append(f"  {label:<52} {p50:7.0f} {p95:7.0f}   goal p95 < {goal:.0f}: "
                       f"{'meets' if ok else 'MISSES'}{'' if status == 200 else f' (HTTP {status})'}{note}")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(20)
    out += facet_sql_lines(path, repeat)
    out.append(f"Datasette: {misses} figure(s) miss their goal")
    return out


# -- rematch --------------------------------------------------------------------------------
def scan(config: str) -> tuple[int, float]:
    """The baseline: the same rows, in the same batches, through the same matcher; no writes."""
    import sqlite3

    from monitor.config import load_config
    from monitor.ingest.match import MATCHED_FIELDS, Matcher

    cfg = load_config(config)
    matcher = Matcher(cfg.watch.terms, cfg.watch.exclude)
    conn = sqlite3.connect(cfg.db_path)
    cols = ", ".join(MATCHED_FIELDS)
    t0 = time.perf_counter()
    n, last = 0, -(2**63)
    while True:
        rows = conn.execute(
            f"SELECT rowid, {cols} FROM items WHERE rowid > ? ORDER BY rowid LIMIT 2000", [last]
        ).fetchall()
        for _, *texts in rows:
            matcher.match(dict(zip(MATCHED_FIELDS, texts, strict=True)))
        n += len(rows)
        if len(rows) < 2000:
            return n, time.perf_counter() - t0
        last = rows[-1][0]


def rematch_lines(path: Path, work: Path) -> list[str]:
    cfg = bench_config(work / "rematch", path)
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "monitor.cli.main", "--config", str(cfg), "rematch"],
                         cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    vigie_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = subprocess.run([sys.executable, "-m", "bench.million", "--scan", str(cfg)], cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip
    scan_s = time.perf_counter() - t0
    ratio = vigie_s / scan_s
    return [
        f"vigie rematch: {vigie_s:.1f} s ({res.stdout.strip() or res.stderr.strip()[-300:]})",
        f"plain scan, same rows and matcher, no writes: {scan_s:.1f} s ({base.stdout.strip()})",
        f"ratio {ratio:.2f} (goal ≤ {REMATCH_GOAL}: {'meets' if ratio <= REMATCH_GOAL else 'MISSES'}); "
        "both are child processes timed from here (start-up included on both sides)",
    ]


# -- unchanged crawl ------------------------------------------------------------------------
def crawl_lines(path: Path, work: Path, articles: int, repeat: int) -> list[str]:
    from bench.crawl_overhead import vigie_crawl
    from bench.sitegen import generate
    from storage.db import open_db
    from storage.items import known_articles
    from tests.support.siteserver import SiteServer

    site = generate(work / "site", articles)
    log = work / "crawl.log"
    out = []
    with SiteServer(site.folder) as srv:
        empty_cfg = bench_config(work / "empty", work / "empty" / "vigie.db", srv.base_url)
        big_cfg = bench_config(work / "big", path, srv.base_url)
        for cfg in (empty_cfg, big_cfg):  # first crawl: the site's articles become known
            vigie_crawl(cfg, log)
        times: dict[str, list[float]] = {"empty": [], "big": []}
        cpu: dict[str, list[float]] = {"empty": [], "big": []}
        rows: dict[str, Any] = {}
        for _ in range(repeat):  # interleaved, so drift in the machine's load hits both
            for key, cfg in (("empty", empty_cfg), ("big", big_cfg)):
                srv.reset_counts()
                r = vigie_crawl(cfg, log)
                times[key].append(r.seconds)
                cpu[key].append(r.cpu)
                rows[key] = (r.outcome, len(srv.requests), srv.count(status=304))
    e, b = statistics.median(times["empty"]), statistics.median(times["big"])
    ce, cb = statistics.median(cpu["empty"]), statistics.median(cpu["big"])
    known = {}
    for key, db_path in (("empty", work / "empty" / "vigie.db"), ("big", path)):
        db = open_db(db_path)
        t0 = time.perf_counter()
        n = len(known_articles(db, "bench"))
        known[key] = (n, 1000 * (time.perf_counter() - t0))
        db.conn.close()
    ratio = b / e
    out += [
        f"unchanged site of {articles} articles, {repeat} interleaved crawls each, median wall s (CPU s of the child):",
        f"  empty database: {e:.2f} s ({ce:.2f}); outcome, requests, 304s of the last: {rows['empty']}",
        f"  {path.name}:   {b:.2f} s ({cb:.2f}); outcome, requests, 304s of the last: {rows['big']}",
        f"  ratio {ratio:.2f} (goal ≤ {CRAWL_GOAL}: {'meets' if ratio <= CRAWL_GOAL else 'MISSES'})",
        f"  known_articles('bench'): {known['empty'][0]:,} urls in {known['empty'][1]:.0f} ms (empty) vs "
        f"{known['big'][0]:,} urls in {known['big'][1]:.0f} ms (archive): per source, by index",
    ]
    return out


def run(
    n: int, repeat: int, articles: int, crawl_repeat: int, only: set[str], rematch_n: int
) -> list[str]:
    out: list[str] = [f"N = {n:,} items (env VIGIE_BENCH_MILLION_N or --n for a smaller archive)"]
    path = ensure_archive(n, out)
    out += size_lines(path)
    with tempfile.TemporaryDirectory(prefix="vigie-million-") as tmp:
        work = Path(tmp)
        if "datasette" in only:
            out.append("")
            out += datasette_lines(path, work, repeat)
        if "rematch" in only:
            out.append("")
            if rematch_n < n:
                out.append(f"rematch on an archive of {rematch_n:,} items (--rematch-n; the whole "
                           f"{n:,} takes {n // rematch_n}x as long: the matcher is linear)")  # fmt: skip
                out += rematch_lines(ensure_archive(rematch_n, out), work)
            else:
                out += rematch_lines(path, work)
        if "crawl" in only:
            out.append("")
            out += crawl_lines(path, work, articles, crawl_repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.million", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--n", type=int, default=DEFAULT_N, help="items in the archive (default %(default)s)"
    )
    ap.add_argument("--repeat", type=int, default=20, help="requests per Datasette figure")
    ap.add_argument("--articles", type=int, default=200, help="articles of the crawled site")
    ap.add_argument("--crawl-repeat", type=int, default=3)
    ap.add_argument(
        "--rematch-n",
        type=int,
        default=int(os.environ.get("VIGIE_BENCH_REMATCH_N", "100000")),
        help="items of the archive rematched (default %(default)s: two passes over a million "
        "items, rematch and its baseline, take ~20 min on 2 loaded cores)",
    )
    ap.add_argument("--only", default="datasette,rematch,crawl")
    ap.add_argument("--scan", metavar="CONFIG", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.scan:
        n, s = scan(a.scan)
        print(f"scanned {n} items in {s:.1f} s")
        return 0
    lines = run(
        a.n, a.repeat, a.articles, a.crawl_repeat, set(a.only.split(",")), min(a.rematch_n, a.n)
    )
    print("\n".join(lines))
    return 1 if any("MISSES" in line for line in lines) else 0


if __name__ == "__main__":
    raise SystemExit(main())
