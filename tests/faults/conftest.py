"""Fault-suite parts: a small generated press site, a config for it, and readers of the results.

Why a generated site rather than ``tests/sites/listing_only``: every article here carries a
machine-readable date, so no crawl pays the first-call cost of htmldate's dateparser search
(several seconds per child process), and the kill test can ask for as many articles as it needs.
The site is still served by the real fixture server (``tests/support/siteserver.py``) from a
folder with a ``MANIFEST.toml``, and crawled by the real ``vigie crawl`` in a child process.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import db_of, vigie, write_config
from tests.support.siteserver import SiteServer

SOURCE = "press"
MATCHING = (1, 2)  # articles a01 and a02 mention SECPA
PARAGRAPH = (
    "Les équipes des centres de santé ont présenté leur bilan annuel devant les élus du territoire, "
    "avec des chiffres détaillés sur l’accès aux soins, la médiation et l’interprétariat."
)


def article_path(n: int) -> str:
    return f"/articles/a{n:02d}"


def article_html(
    n: int, *, date: str | None = None, extra: str = "", matching: tuple[int, ...] = MATCHING
) -> str:
    title = f"Article {n:02d} : " + (
        "l’expérimentation SECPA prolongée" if n in matching else "la vie des centres de santé"
    )
    date = date or f"2026-02-{1 + n % 27:02d}T09:00:00+01:00"
    paras = "".join(f"<p>{html.escape(PARAGRAPH)} (§{i})</p>\n" for i in range(3))
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{date}">
</head><body><main><article class="article-full"><h1>{html.escape(title)}</h1>
<p class="meta"><time datetime="{date}">{date[:10]}</time></p>
<div class="corps">{paras}{extra}</div></article></main></body></html>
"""


def home_html(n_articles: int) -> str:
    cards = "".join(
        f'<article class="teaser"><h2><a href="{article_path(n)}">Article {n:02d}</a></h2></article>\n'
        for n in range(1, n_articles + 1)
    )
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Le Courrier des centres</title></head>
<body><nav><a href="/">Accueil</a> <a href="/contact">Contact</a></nav><main>{cards}</main></body></html>
"""


def feed_xml(base: str, n_articles: int) -> str:
    entries = "".join(
        f"<item><title>Article {n:02d}</title><link>{base}{article_path(n)}</link>"
        f"<pubDate>Mon, 02 Feb 2026 09:00:00 +0100</pubDate></item>"
        for n in range(1, n_articles + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Le Courrier</title>{entries}</channel></rss>"
    )


def sitemap_xml(base: str, n_articles: int) -> str:
    urls = "".join(
        f"<url><loc>{base}{article_path(n)}</loc></url>" for n in range(1, n_articles + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


HTML = "text/html; charset=utf-8"


def build_site(folder: Path, n_articles: int = 4, matching: tuple[int, ...] = MATCHING) -> Path:
    """Write the site folder: home listing, articles, a feed and a sitemap at non-default paths
    (used only when the test config names them), robots.txt allowing everything."""
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(home_html(n_articles), "utf-8")
    (folder / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", "utf-8")
    (folder / "news.rss").write_text(feed_xml("{{BASE}}", n_articles), "utf-8")
    (folder / "sitemap-news.xml").write_text(sitemap_xml("{{BASE}}", n_articles), "utf-8")
    lines = [
        "[site]",
        'description = "Generated press site for the fault suite"',
        'captured = "2026-02-14"',
        'provenance = "hand-built (tests/faults/conftest.py)"',
        "",
        '[paths."/"]',
        'file = "index.html"',
        f'headers = {{ Content-Type = "{HTML}" }}',
        '[paths."/news.rss"]',
        'file = "news.rss"',
        'headers = { Content-Type = "application/rss+xml; charset=utf-8" }',
        '[paths."/sitemap-news.xml"]',
        'file = "sitemap-news.xml"',
        'headers = { Content-Type = "application/xml; charset=utf-8" }',
    ]
    for n in range(1, n_articles + 1):
        name = f"articles/a{n:02d}.html"
        (folder / name).write_text(article_html(n, matching=matching), "utf-8")
        lines += [
            f'[paths."{article_path(n)}"]',
            f'file = "{name}"',
            f'headers = {{ Content-Type = "{HTML}" }}',
        ]
    (folder / "MANIFEST.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.fixture
def press_site(tmp_path: Path) -> Iterator[Callable[..., SiteServer]]:
    """Factory: press_site(n_articles=4, host=..., matching=...) → a started server of a generated site."""
    servers: list[SiteServer] = []

    def start(
        n_articles: int = 4, host: str = "127.0.0.1", matching: tuple[int, ...] = MATCHING
    ) -> SiteServer:
        folder = build_site(tmp_path / f"site{len(servers)}", n_articles, matching)
        srv = SiteServer(folder, host=host).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


def press_config(
    tmp_path: Path, srv: SiteServer, source: dict[str, Any] | None = None, **sections: Any
) -> Path:
    """A config with one site source ``press`` on ``srv``; ``sections`` merge into the defaults."""
    return write_config(
        tmp_path, {SOURCE: {"spider": "site", "url": srv.base_url, **(source or {})}}, **sections
    )


def crawl(cfg: Path, *, timeout: float = 90, env: dict | None = None):
    return vigie("crawl", SOURCE, config=cfg, timeout=timeout, env=env)


def items(cfg: Path) -> dict[str, dict]:
    return {r["url"]: r for r in db_of(cfg).query("select * from items where source = ?", [SOURCE])}


def runs(cfg: Path) -> list[dict]:
    return list(db_of(cfg).query("select * from runs order by id"))


def alerts(cfg: Path, event: str | None = None) -> list[dict]:
    where, args = ("where event = ?", [event]) if event else ("", [])
    return list(db_of(cfg).query(f"select * from alerts {where} order by id", args))


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def output(res) -> str:
    return res.stdout + res.stderr


def stamp_requests(srv: SiteServer) -> list[tuple[float, str, int]]:
    """Record (monotonic time, path, status) of every answer the server gives from now on.

    Server-side clock: the time the answer was decided, before its bytes were written."""
    import time

    stamps: list[tuple[float, str, int]] = []
    record = srv._record

    def _record(method: str, path: str, status: int, size: int) -> None:
        stamps.append((time.monotonic(), path, status))
        record(method, path, status, size)

    srv._record = _record  # type: ignore[method-assign]
    return stamps
