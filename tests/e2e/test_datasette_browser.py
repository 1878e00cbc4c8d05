"""One item page rendered by headless Chromium from the real `vigie serve` process.

Honest about what it checks: the DOM Chromium built from the page (title, body paragraphs, the
link to the source), not the pixels; the screenshot is kept beside the test's tmp files for a
human to look at. Needs `chromium` on PATH (Debian: `apt-get install -y chromium`); without it
the test fails, unless VIGIE_SKIP_BROWSER=1 says this machine deliberately has no browser.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from datasette.utils import tilde_encode

from tests.conftest import vigie, write_config
from tests.support.served import Served, start_serve
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("VIGIE_SKIP_BROWSER") == "1":
        pytest.skip("chromium not installed and VIGIE_SKIP_BROWSER=1")
    pytest.fail(
        "chromium not found on PATH: install it (Debian/Ubuntu: `apt-get update && "
        "apt-get install -y chromium`) or set VIGIE_SKIP_BROWSER=1 to skip the browser test"
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """A real crawl of wp_like only (cheaper than test_datasette's archive) and `vigie serve`."""
    tmp = tmp_path_factory.mktemp("browser")
    wp = SiteServer("wp_like").start()
    cfg = write_config(tmp, {"avec": {"spider": "site", "url": wp.base_url}})
    try:
        res = vigie("crawl", config=cfg)
        assert res.returncode == 0, res.stderr[-3000:]
        server = start_serve(cfg)
        try:
            yield server, f"{wp.base_url}/2026/02/10/experimentation-secpa-rencontres-avecsante/"
        finally:
            server.stop()
    finally:
        wp.stop()


def headless(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_item_page_in_headless_chromium(
    chromium: str, served: tuple[Served, str], tmp_path: Path
) -> None:
    server, article = served
    url = f"{server.base}/vigie/items/{tilde_encode(article)}"
    shot = tmp_path / "item.png"
    res = headless(chromium, tmp_path / "profile", f"--screenshot={shot}", url)
    assert shot.exists(), res.stderr[-2000:]
    assert png_size(shot) == (1280, 1600)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank canvas

    res = headless(chromium, tmp_path / "profile", "--dump-dom", url)
    assert res.returncode == 0, res.stderr[-2000:]
    page = lxml.html.fromstring(res.stdout)
    title = page.cssselect("article.vigie-item h2.vigie-title")[0].text_content()
    assert title == "Rencontres AVECsanté : l'avenir de l'expérimentation SECPa au cœur des débats"
    paragraphs = [p.text_content() for p in page.cssselect(".vigie-body .vigie-text > p")]
    assert len(paragraphs) >= 3
    assert paragraphs[0].startswith("Cette année encore, les Rencontres AVECsanté")
    assert any("SECPa" in p for p in paragraphs)
    links = [a.get("href") for a in page.cssselect(".vigie-source-link a")]
    assert links == [article]
    fields = dict(
        zip(
            [dt.text_content() for dt in page.cssselect(".vigie-fields dt")],
            [dd.text_content() for dd in page.cssselect(".vigie-fields dd")],
            strict=True,
        )
    )
    assert fields["source"] == "avec" and fields["published"].startswith("2026-02-10")
    assert fields["matched"] == "1"
