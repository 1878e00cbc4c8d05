"""The front page and an item page rendered by headless Chromium from the real `vigie serve`.

Honest about what it checks: the DOM Chromium built from the pages (text, order, highlights),
at a phone's width (390 px), not the pixels. No request may leave localhost: Chromium resolves
every other host name to nothing (``--host-resolver-rules``) and its network log
(``--log-net-log``) must show connections to 127.0.0.1 only, and every resource URL in the DOM
must be local. On failure a screenshot is taken and its path given in the message; with
``VIGIE_SCREENSHOTS=DIR`` screenshots are always kept there (for a human to look at).

Needs `chromium` on PATH (Debian: `apt-get install -y chromium`); without it the tests fail,
unless VIGIE_SKIP_BROWSER=1 says this machine deliberately has no browser.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from datasette.utils import tilde_encode

from tests.conftest import vigie, write_config
from tests.support.served import Served, free_port, start_serve
from tests.support.siteserver import SiteServer

pytestmark = pytest.mark.e2e

PHONE = "390,1600"
LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("VIGIE_SKIP_BROWSER") == "1":
        pytest.skip(
            "VIGIE_SKIP_BROWSER=1: this machine declares it has no browser (chromium not on "
            "PATH); the same pages are still checked over HTTP by tests/e2e/test_front.py"
        )
    pytest.fail(
        "chromium not found on PATH: install it (Debian/Ubuntu: `apt-get update && "
        "apt-get install -y chromium`) or set VIGIE_SKIP_BROWSER=1 to skip the browser test"
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """A real crawl of wp_like (labelled) and of a site that is down, then `vigie serve`."""
    tmp = tmp_path_factory.mktemp("browser")
    wp = SiteServer("wp_like").start()
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
    cfg = write_config(
        tmp,
        {
            "avec": {"spider": "site", "url": wp.base_url, "label": "AVECsanté"},
            "zz_down": {"spider": "site", "url": down, "label": "Site injoignable"},
        },
        alerts={"failures_before_alert": 1},
    )
    try:
        res = vigie("crawl", config=cfg)
        assert res.returncode == 1, res.stderr[-3000:]  # one source failed, as wanted
        server = start_serve(cfg)
        try:
            yield server, f"{wp.base_url}/2026/02/10/experimentation-secpa-rencontres-avecsante/"
        finally:
            server.stop()
    finally:
        wp.stop()


def headless(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        # Chromium's own services (form autofill hints, sync, component updates) would ask
        # Google about any page with a form: the browser's traffic, not the page's
        "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter",
        "--disable-component-update",
        "--disable-sync",
        "--disable-domain-reliability",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp / 'profile'}",
        f"--window-size={PHONE}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@contextmanager
def screenshot_on_failure(chromium: str, tmp: Path, url: str, name: str) -> Iterator[None]:
    keep = os.environ.get("VIGIE_SCREENSHOTS")
    try:
        yield
    except BaseException as exc:
        shot = tmp / f"{name}.png"
        headless(chromium, tmp, f"--screenshot={shot}", url)
        raise AssertionError(f"{exc}\nscreenshot of {url}: {shot}") from exc
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        headless(chromium, tmp, f"--screenshot={Path(keep) / (name + '.png')}", url)


def render(chromium: str, tmp: Path, url: str) -> lxml.html.HtmlElement:
    """The DOM Chromium built for ``url``; asserts nothing left localhost while loading it."""
    netlog = tmp / "net.json"
    res = headless(chromium, tmp, f"--log-net-log={netlog}", "--dump-dom", url)
    assert res.returncode == 0 and res.stdout, res.stderr[-2000:]
    assert_local_only(netlog, url)
    doc = lxml.html.fromstring(res.stdout)
    for el, attr, link, _ in doc.iterlinks():
        if el.tag == "a" or (el.tag == "form" and attr == "action"):
            continue  # links are followed by people, not loaded by the page
        assert urlsplit(link).hostname in (None, *LOCAL_HOSTS), (el.tag, attr, link)
    return doc


def assert_local_only(netlog: Path, url: str) -> None:
    log = json.loads(netlog.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    connects, requested = [], []
    for event in log["events"]:
        kind, params = names[event["type"]], event.get("params") or {}
        if kind in ("TCP_CONNECT_ATTEMPT", "TCP_CONNECT") and "address" in params:
            connects.append(params["address"].rsplit(":", 1)[0])
        elif kind == "TCP_CONNECT" and "remote_address" in params:
            connects.append(params["remote_address"].rsplit(":", 1)[0])
        elif kind == "URL_REQUEST_START_JOB" and "127.0.0.1" in str(
            params.get("network_isolation_key")
        ):
            requested.append(params["url"])
    assert url in requested, requested  # the log did see the page
    assert set(connects) == LOCAL_HOSTS, connects
    assert {urlsplit(u).hostname for u in requested} == LOCAL_HOSTS, requested


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def test_front_page_in_headless_chromium(
    chromium: str, served: tuple[Served, str], tmp_path: Path
) -> None:
    server, article = served
    url = f"{server.base}/"
    with screenshot_on_failure(chromium, tmp_path, url, "front"):
        doc = render(chromium, tmp_path, url)
        assert doc.get("lang") == "fr"
        mentions = doc.cssselect("ol.vigie-mentions > li")
        titles = [text(li.cssselect("a.vigie-item-link")[0]) for li in mentions]
        assert titles == [
            "Rencontres AVECsanté : l'avenir de l'expérimentation SECPa au cœur des débats",
            "Structures participatives : le financement maintenu pour 2026",
        ]  # 10 February before 20 January
        first = mentions[0]
        assert "SECPa" in [m.text_content() for m in first.cssselect("mark")]
        assert article in [a.get("href") for a in first.cssselect("a")]
        health = [text(li) for li in doc.cssselect("ul.vigie-health > li")]
        assert health[0].startswith("en panne Site injoignable")  # broken first…
        assert "échecs consécutifs : 1" in health[0]
        assert health[1].startswith("fonctionne AVECsanté")  # …though sorted after by name
        assert len(doc.cssselect("#graphique svg rect")) >= 2


def test_item_page_in_headless_chromium(
    chromium: str, served: tuple[Served, str], tmp_path: Path
) -> None:
    server, article = served
    url = f"{server.base}/vigie/items/{tilde_encode(article)}"
    with screenshot_on_failure(chromium, tmp_path, url, "item"):
        doc = render(chromium, tmp_path, url)
        title = doc.cssselect("article.vigie-item h1.vigie-title")[0]
        assert text(title) == (
            "Rencontres AVECsanté : l'avenir de l'expérimentation SECPa au cœur des débats"
        )
        assert [m.text_content() for m in title.cssselect("mark")] == ["SECPa"]
        paragraphs = doc.cssselect(".vigie-body .vigie-text > p")
        assert len(paragraphs) >= 3
        assert text(paragraphs[0]).startswith("Cette année encore, les Rencontres AVECsanté")
        marks = {m.text_content() for m in doc.cssselect(".vigie-body mark")}
        assert "SECPa" in marks
        assert text(doc.cssselect(".vigie-why")[0]).startswith(
            "Pourquoi cet élément : « SECPA » dans : titre, texte"
        )
        meta = [text(s) for s in doc.cssselect(".vigie-meta")[0].cssselect("span")]
        assert meta[:3] == ["AVECsanté", "Article", "10 février 2026 à 09:12"]
        assert [a.get("href") for a in doc.cssselect(".vigie-source-link a")] == [article]
