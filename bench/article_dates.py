"""Publication day and title accuracy on the labelled pages: Vigie next to htmldate (issue 13).

    python -m bench.article_dates          # or: python -m bench --only dates

The same pages (tests/sites/labelled/, hand-built from the issue's patterns), in the same run:
Vigie (``spiders.parse.article.parse_article`` then ``monitor.ingest.dates.normalize_date``, the
path a crawl takes) against ``htmldate.find_date`` in its extensive and fast modes. A page is
right when the stored day equals the expected one ("" expected: no date must be given). Times
are wall-clock totals over the set, Vigie including body extraction (trafilatura).
"""

from __future__ import annotations

import sys
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "sites" / "labelled"
#: the clock the pages are read at (their capture date), for the far-future check
NOW = datetime(2026, 3, 1, 12, 0)
#: the classes modelled on the French press and association seeds (SITES.md)
PRESS = ("french-association", "french-press")


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{100 * self.ratio:.1f} % ({self.right}/{self.total})"


@dataclass
class Report:
    days: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    french: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    classes: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    titles: Score = field(default_factory=Score)
    decisions: Score = field(default_factory=Score)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    misses: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def expectations() -> list[dict]:
    return tomllib.loads((LABELLED / "expectations.toml").read_text("utf-8"))["page"]


def vigie_page(html: bytes, url: str) -> tuple[str, str | None, bool, str | None, str]:
    """(day or "", title, is_article, date source, decision) as a crawl would store them."""
    from monitor.ingest.dates import DateError, normalize_date
    from spiders.parse.article import parse_article

    fields = parse_article(html, url)
    try:
        iso = normalize_date(fields.date_raw, NOW) or ""
    except DateError:
        iso = ""
    return iso[:10], fields.title, fields.is_article, fields.date_source, fields.decision


def htmldate_day(html: bytes, url: str, extensive: bool) -> str:
    from htmldate import find_date

    try:
        return find_date(html, url=url, extensive_search=extensive, original_date=True) or ""
    except Exception:  # noqa: BLE001 - a failure of the peer counts as a miss
        return ""


def evaluate(with_htmldate: bool = True) -> Report:
    report = Report()
    for case in expectations():
        html = (LABELLED / case["file"]).read_bytes()
        url, want = case["url"], case["day"]
        start = time.perf_counter()
        day, title, is_article, source, decision = vigie_page(html, url)
        report.seconds["vigie"] += time.perf_counter() - start
        found = {"vigie": day}
        if with_htmldate:
            for name, extensive in (("htmldate extensive", True), ("htmldate fast", False)):
                start = time.perf_counter()
                found[name] = htmldate_day(html, url, extensive)
                report.seconds[name] += time.perf_counter() - start
        for name, got in found.items():
            report.days[name].add(got == want)
            if case["french"]:
                report.french[name].add(got == want)
            report.classes[(case["class"], name)].add(got == want)
        report.sources[source or "none"] += 1
        report.titles.add(title == case["title"])
        report.decisions.add(is_article == case["article"])
        if day != want or title != case["title"] or is_article != case["article"]:
            report.misses.append(
                f"{case['file']}: day {day or '-'} (expected {want or '-'}, from {source}); "
                f"title {title!r}{'' if title == case['title'] else ' (expected ' + repr(case['title']) + ')'}; "
                f"{decision}"
            )
    return report


def lines(report: Report) -> list[str]:
    names = list(report.days)
    out = [
        f"labelled pages: {report.days['vigie'].total} ({report.french['vigie'].total} in French, "
        f"of which {sum(report.classes[(k, 'vigie')].total for k in PRESS)} French press and "
        "association pages modelled on the seeds), tests/sites/labelled/ (hand-built)",
        f"{'publication day right':22} {'all pages':>16} {'French pages':>16} "
        f"{'FR press+assoc.':>16} {'time':>8}",
    ]
    for name in names:
        press = Score(
            sum(report.classes[(k, name)].right for k in PRESS),
            sum(report.classes[(k, name)].total for k in PRESS),
        )
        out.append(
            f"{name:22} {str(report.days[name]):>16} {str(report.french[name]):>16} "
            f"{str(press):>16} {report.seconds[name]:7.2f}s"
        )
    out.append(
        f"Vigie titles right: {report.titles}; article/listing decisions right: {report.decisions}"
    )
    out.append(
        "Vigie date sources: "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.sources.items(), key=lambda kv: -kv[1]))
    )
    out.append("by class (" + " / ".join(names) + "):")
    for klass in dict.fromkeys(k for k, _ in report.classes):
        out.append(
            f"  {klass:26} " + " / ".join(str(report.classes[(klass, n)]).strip() for n in names)
        )
    if report.misses:
        out.append("Vigie misses:")
        out += [f"  {m}" for m in report.misses]
    return out


def main(argv: list[str] | None = None) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    print("\n".join(lines(evaluate())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
