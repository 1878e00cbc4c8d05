"""A peer for scale: urlwatch (PyPI) watching the same pages of the local site for SECPA (issue 7).

urlwatch gets one job per page Vigie fetched with a 200 in its first crawl (home and listing
pages, feed, sitemap, every article), in its own temporary config, cache and hooks files, HOME
pointing there too, no proxy, no mail, only its stdout reporter (read back to count what it would
tell the user). Article jobs keep the lines that mention the term (``html2text: re`` then
``grep: (?i)secpa``); home, listing, feed and sitemap jobs watch the whole page, which is how a
urlwatch user notices new articles. It runs three times, like Vigie: first run, unchanged site,
then 1 % of the articles edited. Requests and bytes come from the same server counters.

    python -m bench.peer_urlwatch --articles 2000
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.crawl_overhead import children_cpu  # noqa: E402

CONFIG = """\
display: {new: true, error: true, unchanged: false, empty-diff: false}
report:
  text: {details: false, footer: false, minimal: false}
  stdout: {enabled: true, color: false}
  email: {enabled: false}
  html: {diff: unified}
"""


def urlwatch_exe() -> str | None:
    local = Path(sys.executable).parent / "urlwatch"
    return str(local) if local.exists() else shutil.which("urlwatch")


def write_jobs(path: Path, base_url: str, pages: list[str], site: Any) -> None:
    docs = []
    for i, target in enumerate(pages):
        lines = [f"name: p{i}", f'url: "{base_url}{target}"']
        if site.is_article(target):
            lines += ["filter:", "  - html2text: re", "  - grep: '(?i)secpa'"]
        docs.append("\n".join(lines) + "\n")
    path.write_text("---\n".join(docs), "utf-8")


@dataclass
class WatchRun:
    label: str
    seconds: float
    cpu: float
    requests: int
    not_modified: int
    bytes: int
    reported: dict[str, int] = field(default_factory=dict)  # NEW/CHANGED/ERROR lines
    code: int = 0


def watch_once(label: str, exe: str, folder: Path, srv: Any) -> WatchRun:
    cmd = [
        exe,
        "--urls",
        str(folder / "urls.yaml"),
        "--config",
        str(folder / "urlwatch.yaml"),
        "--cache",
        str(folder / "cache.db"),
        "--hooks",
        str(folder / "hooks.py"),
    ]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        HOME=str(folder),
        XDG_CONFIG_HOME=str(folder),
        XDG_CACHE_HOME=str(folder),
        NO_PROXY="127.0.0.1,localhost",
    )
    srv.reset_counts()
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    (folder / f"{label.split('.')[0]}.out").write_text(proc.stdout + proc.stderr, "utf-8")
    reqs = list(srv.requests)
    reported = {
        verb: len(re.findall(rf"^\d+\. {verb}: ", proc.stdout, re.M))
        for verb in ("NEW", "CHANGED", "ERROR")
    }
    return WatchRun(
        label,
        seconds,
        children_cpu() - cpu0,
        len(reqs),
        sum(1 for r in reqs if r[2] == 304),
        sum(r[3] for r in reqs),
        reported,
        proc.returncode,
    )


@dataclass
class PeerResult:
    runs: list[WatchRun]
    jobs: int
    vigie: list[Any]  # bench.incremental.CrawlCost, same order: first, unchanged, changed
    version: str
    n_changed: int
    n_matching: int

    def lines(self) -> list[str]:
        out = [
            f"{self.version}: {self.jobs} jobs = the pages Vigie fetched with a 200 in its first crawl",
            f"{'run':<24}{'tool':<10}{'wall s':>8}{'CPU s':>7}{'requests':>10}{'304':>6}"
            f"{'bytes':>12}  reported to the user",
        ]
        for w, v in zip(self.runs, self.vigie, strict=False):
            told = ", ".join(f"{k} {n}" for k, n in w.reported.items() if n) or "nothing"
            out.append(
                f"{w.label:<24}{'urlwatch':<10}{w.seconds:8.2f}{w.cpu:7.1f}{w.requests:10d}"
                f"{w.not_modified:6d}{w.bytes:12,d}  {told}"
                + (f" (exit {w.code})" if w.code else "")
            )
            vtold = (
                f"new items {v.row.get('items_new', 0)}, changed {v.row.get('items_changed', 0)}"
            )
            out.append(
                f"{'':<24}{'Vigie':<10}{v.seconds:8.2f}{v.cpu:7.1f}{v.requests:10d}"
                f"{v.not_modified:6d}{v.bytes:12,d}  {vtold}"
            )
        out += [
            "",
            "What each tool does here (be fair):",
            "- urlwatch fetches a fixed list of URLs and diffs each filtered page against its "
            "cache; it sends If-None-Match/If-Modified-Since, so an unchanged page costs a 304, "
            "but every watched page costs one request on every run. It does not discover new "
            "articles (a listing job only shows a diff of link text; the new article is not "
            "watched until someone adds a job), keeps no archive of article text, and with the "
            f"SECPA filter an edited article is reported only if a line mentioning SECPA changed "
            f"({self.n_matching} of the articles mention it at all). It does not read robots.txt.",
            "- Vigie discovers articles itself (feed, sitemap, listings), fetches each article "
            "once, and on later runs asks only the discovery pages (conditionally) plus the "
            "articles a feed or sitemap announces as changed; it parses and stores every article "
            "(full text, versions, matches, alert outbox), which is where its CPU goes. It obeys "
            "robots.txt (asked once per run, its Sitemap: lines read by the spider) and probes "
            "/feed/, /feed, /wp-sitemap.xml. "
            "An edit that changes neither the sitemap lastmod nor the feed is not seen until "
            "revalidate_known is set (then each known article costs a conditional request, as "
            "in urlwatch).",
            "- Vigie's figures are those of bench.incremental (same site, same server counters); "
            "CPU is the crawl child's (urlwatch's: its one process); bytes are response bodies.",
        ]
        return out


def run(site: Any, workdir: Path, pages: list[str], vigie: list[Any]) -> PeerResult | None:
    """``pages``: targets to watch; ``vigie``: the three CrawlCosts of bench.incremental."""
    from tests.support.siteserver import SiteServer

    exe = urlwatch_exe()
    if exe is None:
        return None
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    folder = workdir / "urlwatch"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "urlwatch.yaml").write_text(CONFIG, "utf-8")
    (folder / "hooks.py").write_text("# no hooks\n", "utf-8")
    runs = []
    with SiteServer(site.folder) as srv:
        write_jobs(folder / "urls.yaml", srv.base_url, pages, site)
        runs.append(watch_once("1. first run", exe, folder, srv))
        runs.append(watch_once("2. unchanged site", exe, folder, srv))
        srv.set_state("changed")
        runs.append(watch_once(f"3. {len(site.changed)} articles changed", exe, folder, srv))
    return PeerResult(runs, len(pages), vigie, version, len(site.changed), len(site.matching))


def pages_of(first_crawl_requests: list[tuple[str, str, int, int]]) -> list[str]:
    """The targets a Vigie crawl got with a 200, robots.txt aside, in request order."""
    seen: dict[str, None] = {}
    for _, target, status, _ in first_crawl_requests:
        if status == 200 and target != "/robots.txt":
            seen.setdefault(target, None)
    return list(seen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.peer_urlwatch", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--articles", type=int, default=2000)
    a = ap.parse_args(argv)
    from bench import incremental
    from bench.sitegen import generate

    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        site = generate(Path(tmp) / "site", a.articles)
        inc = incremental.run(site, Path(tmp))
        result = run(site, Path(tmp), pages_of(inc.first.log), inc.crawls())
        if result is None:
            print("urlwatch is not installed: .venv/bin/pip install 'urlwatch>=2.28'")
            return 1
        print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
