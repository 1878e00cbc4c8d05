"""Issue 15: article pages parsed in a worker process (spiders/parse_pool.py) give the same
stored items as pages parsed in the crawl process; a worker that dies or hangs loses no page;
its log records reach the crawl's log; no worker outlives its crawl.

Real parts only: the fixture sites over HTTP on 127.0.0.1, the real CLI and crawl child, real
worker processes; the one test-only knob is ``VIGIE_TEST_PARSE_WORKER`` (crash or hang on a
marker URL), read by the worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path
from typing import Any

import psutil
import pytest

from bench.sitegen import generate
from spiders.parse.article import parse_article
from spiders.parse_pool import TEST_HOOK, ParsePool
from tests.conftest import ROOT, db_of, vigie, write_config
from tests.support.siteserver import SITES_DIR, SiteServer

pytestmark = pytest.mark.e2e

POOL_ON = {"parse_workers": 1, "parse_pool_after": 0}
POOL_OFF = {"parse_workers": 0}
#: what the two modes must store alike (not first/last_seen: clock times)
COLUMNS = (
    "id, url, kind, title, author, published, published_raw, date_source, body, matched,"
    " matched_terms, snippet, discovery_hints"
)


def crawl(tmp_path: Path, name: str, base_url: str, pool: dict, env: dict | None = None, **crawl):
    (tmp_path / name).mkdir(parents=True)
    cfg = write_config(
        tmp_path / name, {"site": {"spider": "site", "url": base_url}}, crawl={**pool, **crawl}
    )
    res = vigie("crawl", config=cfg, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    return cfg, res


def stored(cfg: Path) -> dict[str, dict[str, Any]]:
    """The items by id; discovery hints as data (a hint stored with the item or by a later
    HintItem is written with other JSON spacing, and which comes first depends on the order
    the discovery pages answer in, in any mode)."""
    db = db_of(cfg)
    rows = {r["id"]: r for r in db.query(f"select {COLUMNS} from items order by id")}
    for row in rows.values():
        row["discovery_hints"] = json.loads(row["discovery_hints"] or "null")
    return rows


def differences(a: dict, b: dict) -> list[tuple[str, str, Any, Any]]:
    """(id, column, here, there) of every stored value that differs."""
    out = [(k, "(missing)", k in a, k in b) for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        out += [(k, c, a[k][c], b[k][c]) for c in a[k] if a[k][c] != b[k][c]]
    return out


def run_row(cfg: Path) -> dict[str, Any]:
    (row,) = db_of(cfg).query(
        "select outcome, pages_fetched, items_new, items_unchanged, errors from runs"
    )
    return row


def in_worker(stderr: str) -> int:
    """Pages the crawl says a worker parsed (its INFO line at the spider's close)."""
    for line in stderr.splitlines():
        if "parsed in worker process(es)" in line:
            return int(line.split(": ")[-1].split()[0])
    return 0


def not_articles(stderr: str) -> list[str]:
    return sorted(
        line.split("not an article: ")[1]
        for line in stderr.splitlines()
        if "not an article: " in line
    )


# -- same stored result --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def labelled_site(tmp_path_factory) -> Path:
    """tests/sites/labelled (75 hand-built article pages of every pattern of issue 13) served
    with a sitemap, plus pages that only a crawl can clean: "… | Fédé Santé" titles on pages
    that declare no site name (learnt once three pages share it; test_article_titles.py)."""
    src = SITES_DIR / "labelled"
    folder = tmp_path_factory.mktemp("labelled-site")
    shutil.copytree(src / "pages", folder / "pages")
    manifest = tomllib.loads((src / "MANIFEST.toml").read_text("utf-8"))
    paths = dict(manifest["paths"])
    body = "<p>" + "La fédération défend les centres de santé participatifs. " * 6 + "</p>"
    for n in range(6):
        (folder / "pages" / f"fede-{n}.html").write_text(
            f"<html><head><title>Position {n} de la fédération | Fédé Santé</title></head>"
            f"<body><main>{body}</main></body></html>",
            "utf-8",
        )
        paths[f"/fede-{n}"] = {"file": f"pages/fede-{n}.html"}
    urls = "".join(f"<url><loc>{{{{BASE}}}}{p}</loc></url>" for p in paths)
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        "utf-8",
    )
    (folder / "home.html").write_text("<html><body><p>Accueil</p></body></html>", "utf-8")
    html = {"Content-Type": "text/html; charset=UTF-8"}
    lines = [
        "[site]",
        'description = "labelled pages (tests/sites/labelled) with a sitemap and learnt-name titles"',
        f'captured = "{manifest["site"]["captured"]}"',
        'provenance = "hand-built (tests/sites/labelled; fede-* pages written by this test)"',
        '[paths."/"]',
        'file = "home.html"',
        'headers = { Content-Type = "text/html; charset=UTF-8" }',
        '[paths."/sitemap.xml"]',
        'file = "sitemap.xml"',
        'headers = { Content-Type = "application/xml; charset=UTF-8" }',
    ]
    for path, entry in paths.items():
        lines += [f'[paths."{path}"]', f'file = "{entry["file"]}"']
        headers = entry.get("headers", html)
        lines.append("headers = { " + ", ".join(f'{k} = "{v}"' for k, v in headers.items()) + " }")
    (folder / "MANIFEST.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def test_pool_stores_what_in_process_parsing_stores_labelled_pages(tmp_path, labelled_site):
    """One request at a time, so both crawls meet the pages in one order (the learnt site
    names depend on it); every page of the pool crawl parsed by the worker or parsed again."""
    with SiteServer(labelled_site) as srv:
        off, off_res = crawl(
            tmp_path, "off", srv.base_url, POOL_OFF, concurrent_requests_per_domain=1
        )
        on, on_res = crawl(tmp_path, "on", srv.base_url, POOL_ON, concurrent_requests_per_domain=1)
    here, there = stored(off), stored(on)
    assert len(here) >= 70
    assert differences(here, there) == []
    assert run_row(off) == run_row(on)
    assert not_articles(off_res.stderr) == not_articles(on_res.stderr)
    assert in_worker(on_res.stderr) >= 70
    assert in_worker(off_res.stderr) == 0
    fede = sorted(r["title"] for r in there.values() if r["url"].split("/")[-1].startswith("fede-"))
    # learnt across pages: the "… | Fédé Santé" pages after the first three lose the name
    assert len(fede) == 6
    assert [t for t in fede if t.endswith("| Fédé Santé")] and len(
        [t for t in fede if "Fédé Santé" not in t]
    ) == 3


@pytest.mark.parametrize("key", ["wp_like", "drupal_like", "federation_pdf"])
def test_pool_stores_what_in_process_parsing_stores_fixture_sites(tmp_path, site_server, key):
    srv = site_server(key)
    off, off_res = crawl(tmp_path, "off", srv.base_url, POOL_OFF)
    on, on_res = crawl(tmp_path, "on", srv.base_url, POOL_ON)
    assert differences(stored(off), stored(on)) == []
    assert stored(on)
    assert run_row(off) == run_row(on)
    assert not_articles(off_res.stderr) == not_articles(on_res.stderr)
    assert in_worker(on_res.stderr) > 0


def test_pool_stores_what_in_process_parsing_stores_bench_site(tmp_path):
    site = generate(tmp_path / "site", 60, per_page=10, feed_size=5, secpa_every=7)
    with SiteServer(site.folder) as srv:
        off, _ = crawl(tmp_path, "off", srv.base_url, POOL_OFF)
        on, on_res = crawl(tmp_path, "on", srv.base_url, POOL_ON)
    assert len(stored(on)) >= 60
    assert differences(stored(off), stored(on)) == []
    assert in_worker(on_res.stderr) >= 60


def in_crawl_process(stderr: str) -> int:
    """Pages the crawl says it parsed itself (the same INFO line's last figure)."""
    for line in stderr.splitlines():
        if "parsed in worker process(es)" in line:
            return int(line.split(", ")[-1].split()[0])
    return -1


def test_a_large_crawl_starts_its_worker_before_the_pages_arrive(tmp_path):
    """Issue 15: a crawl asking for more than ``parse_pool_after`` article pages starts the
    worker at once: it parses every page, the crawl process none (before, the crawl process
    parsed the first ``parse_pool_after`` pages itself while the worker was not started)."""
    site = generate(tmp_path / "site", 60, per_page=10, feed_size=5, secpa_every=7)
    with SiteServer(site.folder) as srv:
        _, res = crawl(
            tmp_path, "early", srv.base_url, {"parse_workers": 1, "parse_pool_after": 20}
        )
    assert in_worker(res.stderr) == 60
    assert in_crawl_process(res.stderr) == 0


def test_small_crawl_starts_no_worker(tmp_path, site_server):
    """Under ``parse_pool_after`` pages, no worker is started (it would cost more than it saves)."""
    srv = site_server("wp_like")
    _, res = crawl(tmp_path, "lazy", srv.base_url, {"parse_workers": 1, "parse_pool_after": 40})
    assert "parsed in worker process(es)" not in res.stderr


# -- site names: learnt in the crawl process, applied when the worker answers --------------------
TITLE_PAGES = [
    "<html><head><title>Notre position | Fédé Santé</title></head><body><main><p>x</p></main></body></html>",
    "<html><head><title>Appel à projets | Assos Santé</title>"
    '<meta property="og:title" content="Appel à projets | Assos Santé">'
    '<meta property="og:site_name" content="Assos Santé"></head><body>'
    "<main><article><p>" + "Texte de l’appel à projets. " * 12 + "</p></article></main>"
    '<aside class="widget"><h1>Restez informés</h1></aside>'
    "<footer><h1>Nous contacter</h1></footer></body></html>",
    "<html><head><title>Trois | AOC media - Analyse Opinion Critique</title></head>"
    "<body><h1>Trois</h1><p>" + "Un texte. " * 30 + "</p></body></html>",
]


def test_worker_fields_equal_in_process_fields_on_the_title_cases():
    """The cases of tests/parse/test_article_titles.py, with and without learnt names."""

    async def both() -> list[tuple[Any, Any]]:
        pool = ParsePool(workers=1, after=0, log_level=logging.INFO, source="t")
        out = []
        try:
            for html in TITLE_PAGES:
                for names in ([], ["Fédé Santé"], ["aoc media - analyse opinion critique"]):
                    url = "https://x.example/a"
                    worker = await pool.parse(html, url, {}, names)
                    out.append((worker, parse_article(html, url, site_names=names)))
        finally:
            pool.close()
        assert pool.pooled == len(out) and not pool.failed
        return out

    pairs = asyncio.run(both())
    for worker, here in pairs:
        assert worker == here
    assert {w.title for w, _ in pairs} >= {"Notre position", "Appel à projets", "Trois"}
    assert pairs[0][0].raw_title == "Notre position | Fédé Santé"


# -- failures -----------------------------------------------------------------------------------
def test_a_page_that_kills_the_worker_is_still_stored(tmp_path, site_server):
    srv = site_server("wp_like")
    marker = "experimentation-secpa-rencontres-avecsante"
    off, _ = crawl(tmp_path, "off", srv.base_url, POOL_OFF)
    on, res = crawl(tmp_path, "on", srv.base_url, POOL_ON, env={TEST_HOOK: f"crash:{marker}"})
    assert differences(stored(off), stored(on)) == []
    assert any(marker in url for url in stored(on))
    warnings = [line for line in res.stderr.splitlines() if "parse worker failed" in line]
    assert len(warnings) == 1, res.stderr[-3000:]
    assert "WARNING" in warnings[0] and "exit code 70" in warnings[0]


def test_a_hung_worker_is_killed_and_its_pages_parsed_in_process(monkeypatch, caplog):
    monkeypatch.setenv(TEST_HOOK, "hang:/stuck")
    html = TITLE_PAGES[2]

    async def run() -> tuple[list[Any], ParsePool, list[int]]:
        pool = ParsePool(workers=1, after=0, log_level=logging.INFO, timeout=1.5, source="t")
        await pool.parse(html, "https://x.example/fine", {}, [])  # the worker is up
        pids = pool.pids()
        results = await asyncio.gather(
            pool.parse(html, "https://x.example/stuck", {}, []),
            pool.parse(html, "https://x.example/after", {}, []),
        )
        pool.close()
        return results, pool, pids

    with caplog.at_level(logging.WARNING, logger="vigie.spider"):
        t0 = time.monotonic()
        results, pool, pids = asyncio.run(run())
        waited = time.monotonic() - t0
    assert results == [None, None]  # both pages to be parsed in-process by the spider
    assert pool.failed and pool.live == []
    assert waited < 30
    warnings = [r for r in caplog.records if "parse worker failed" in r.getMessage()]
    assert len(warnings) == 1 and "no answer" in warnings[0].getMessage()
    assert pids and not any(psutil.pid_exists(p) and _alive(p) for p in pids)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_worker_log_records_reach_the_crawl_log(caplog):
    """What the libraries log while parsing in the worker is logged by the crawl process, as
    when parsed in-process (here trafilatura's and htmldate's DEBUG records)."""
    html = TITLE_PAGES[1]
    url = "https://x.example/a"

    async def pooled() -> None:
        pool = ParsePool(workers=1, after=0, log_level=logging.DEBUG, source="t")
        try:
            assert await pool.parse(html, url, {}, []) is not None
        finally:
            pool.close()

    with caplog.at_level(logging.DEBUG):
        parse_article(html, url)
        here = [(r.name, r.getMessage()) for r in caplog.records]
        caplog.clear()
        asyncio.run(pooled())
        there = [
            (r.name, r.getMessage())
            for r in caplog.records
            if r.name not in ("vigie.spider", "asyncio")
        ]
    assert here, "parse_article logs nothing at DEBUG: pick another page"
    assert sorted(there) == sorted(here)


# -- no orphan, no zombie ---------------------------------------------------------------------------
def tagged(tag: str) -> list[psutil.Process]:
    """Live processes started with the environment variable VIGIE_TEST_TAG=tag."""
    found = []
    for proc in psutil.process_iter():
        try:
            if (
                proc.environ().get("VIGIE_TEST_TAG") == tag
                and proc.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_no_worker_left_after_a_crawl(tmp_path, site_server):
    srv = site_server("drupal_like")
    tag = uuid.uuid4().hex
    _, res = crawl(tmp_path, "on", srv.base_url, POOL_ON, env={"VIGIE_TEST_TAG": tag})
    assert in_worker(res.stderr) > 0
    assert tagged(tag) == []
    # waited for by the crawl process before it exits (no zombie): its CPU time is counted in
    # the crawl process's children, which is how bench/crawl_overhead.py counts it
    (line,) = [x for x in res.stderr.splitlines() if "parsed in worker process(es)" in x]
    assert float(line.split("(CPU ")[1].split(" s)")[0]) > 0, line


def test_killed_crawl_child_leaves_no_worker(tmp_path):
    """kill -9 of the crawl child while its worker parses: the worker dies with it."""
    site = generate(tmp_path / "site", 40, per_page=10, feed_size=5)
    tag = uuid.uuid4().hex
    with SiteServer(site.folder) as srv:
        for path in site.articles:
            srv.override(path, delay=0.3)
        (tmp_path / "kill").mkdir()
        cfg = write_config(
            tmp_path / "kill", {"site": {"spider": "site", "url": srv.base_url}}, crawl=POOL_ON
        )
        parent = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli.main", "--config", str(cfg), "crawl"],
            cwd=ROOT,
            env={**os.environ, "VIGIE_TEST_TAG": tag},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            child, workers = _child_and_workers(parent)
            child.send_signal(signal.SIGKILL)
            deadline = time.monotonic() + 10
            while any(_alive(w.pid) for w in workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not any(_alive(w.pid) for w in workers)
        finally:
            parent.wait(timeout=60)
        srv.clear_overrides()
    assert tagged(tag) == []


def _child_and_workers(parent: subprocess.Popen) -> tuple[psutil.Process, list[psutil.Process]]:
    """The crawl child, once it has a worker process (a "spawn" child running spawn_main)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in psutil.Process(parent.pid).children(recursive=True):
            try:
                if "monitor.runs.child" not in " ".join(child.cmdline()):
                    continue
                workers = [w for w in child.children() if "spawn_main" in " ".join(w.cmdline())]
                if workers:
                    return child, workers
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.05)
    raise AssertionError("no crawl child with a parse worker")
