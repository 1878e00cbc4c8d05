"""What does a re-crawl cost? (issue 7; goal: listing/feed requests only, 0 article requests, bytes ≤ 5 %)

Three Vigie crawls (``crawl_source``) of the generated site into one database, the server counting
every request and every body byte it sends:

1. first crawl, empty database (the baseline of this benchmark);
2. the site unchanged: conditional requests for the home page, feed, sitemap and listing pages
   (304), robots.txt fetched in full, known articles not asked for at all;
3. 1 % of the articles edited (new ETag, new sitemap ``lastmod``): the sitemap comes back in
   full, the edited articles are fetched and must be counted as changed items.

    python -m bench.incremental --articles 2000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.crawl_overhead import vigie_config, vigie_crawl  # noqa: E402

BYTES_GOAL = 0.05


@dataclass
class CrawlCost:
    """One crawl seen from both ends: the server's counters and Vigie's run row."""

    label: str
    seconds: float
    requests: int
    article_requests: int
    other_requests: int
    not_modified: int  # 304 answers sent by the server
    bytes: int  # body bytes sent by the server
    row: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""
    cpu: float = 0.0
    log: list[tuple[str, str, int, int]] = field(
        default_factory=list
    )  # (method, target, status, bytes)


def measure(label: str, srv: Any, site: Any, config: Path, log: Path) -> CrawlCost:
    srv.reset_counts()
    crawl = vigie_crawl(config, log)
    reqs = list(srv.requests)
    articles = sum(1 for _, path, _, _ in reqs if site.is_article(path))
    return CrawlCost(
        label=label,
        seconds=crawl.seconds,
        requests=len(reqs),
        article_requests=articles,
        other_requests=len(reqs) - articles,
        not_modified=sum(1 for r in reqs if r[2] == 304),
        bytes=sum(r[3] for r in reqs),
        row=crawl.row,
        outcome=crawl.outcome,
        log=reqs,
        cpu=crawl.cpu,
    )


@dataclass
class IncrementalResult:
    first: CrawlCost
    unchanged: CrawlCost
    changed: CrawlCost
    n_changed: int
    articles: int

    def crawls(self) -> list[CrawlCost]:
        return [self.first, self.unchanged, self.changed]

    def lines(self) -> list[str]:
        out = [
            f"site: {self.articles} articles; third crawl after editing {self.n_changed} of them",
            f"{'crawl':<26}{'wall s':>8}{'requests':>10}{'articles':>10}{'other':>7}"
            f"{'304':>6}{'bytes':>12}{'new':>6}{'changed':>9}{'outcome':>9}",
        ]
        for c in self.crawls():
            out.append(
                f"{c.label:<26}{c.seconds:8.2f}{c.requests:10d}{c.article_requests:10d}"
                f"{c.other_requests:7d}{c.not_modified:6d}{c.bytes:12,d}"
                f"{c.row.get('items_new', 0):6d}{c.row.get('items_changed', 0):9d}{c.outcome:>9}"
            )
        f, u, ch = self.crawls()
        share = u.bytes / f.bytes if f.bytes else 0.0
        ok_req = u.article_requests == 0
        out += [
            f"unchanged vs first: requests {u.requests}/{f.requests} = {u.requests / f.requests:.1%}, "
            f"article requests {u.article_requests} (goal 0: {'meets' if ok_req else 'MISSES'}), "
            f"bytes {share:.2%} (goal ≤ {BYTES_GOAL:.0%}: {'meets' if share <= BYTES_GOAL else 'MISSES'}), "
            f"wall time {u.seconds / f.seconds:.0%} of the first crawl",
            f"1 % changed: article requests {ch.article_requests} (expected {self.n_changed}), "
            f"other requests {ch.other_requests} (unchanged crawl: {u.other_requests}), "
            f"changed items detected {ch.row.get('items_changed', 0)} (expected {self.n_changed}: "
            f"{'meets' if ch.row.get('items_changed', 0) == self.n_changed else 'MISSES'}), "
            f"bytes {ch.bytes / f.bytes:.2%} of the first crawl",
            "unchanged crawl, every request: "
            + ", ".join(f"{t} {st} ({n:,} B)" for _, t, st, n in sorted(u.log, key=lambda r: r[1])),
            "(robots.txt is asked unconditionally; home page, feed, sitemap and listing "
            "pages conditionally; /feed/, /feed and /wp-sitemap.xml are discovery probes)",
        ]
        return out


def run(site: Any, workdir: Path) -> IncrementalResult:
    from tests.support.siteserver import SiteServer

    log = workdir / "incremental.log"
    with SiteServer(site.folder) as srv:
        config = vigie_config(workdir / "incremental", srv.base_url)
        first = measure("1. first (empty db)", srv, site, config, log)
        unchanged = measure("2. unchanged site", srv, site, config, log)
        srv.set_state("changed")
        changed = measure(f"3. {len(site.changed)} articles changed", srv, site, config, log)
    return IncrementalResult(first, unchanged, changed, len(site.changed), len(site.articles))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.incremental", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--articles", type=int, default=2000)
    a = ap.parse_args(argv)
    from bench.sitegen import generate

    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        site = generate(Path(tmp) / "site", a.articles)
        print("\n".join(run(site, Path(tmp)).lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
