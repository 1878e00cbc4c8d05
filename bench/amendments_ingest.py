"""First ingest of a legislature's amendments, and a day's update (issue 11).

    python -m bench.amendments_ingest --n 100000

Generates ``--n`` amendments in the real open-data schema (``bench/anlegis_gen.py``: 2 % name
SECPA, decisions as strings or objects, cosigners as string or list, ``xsi:nil``, entities),
zipped as ``Amendements.json.zip``, then, in this process and on fresh SQLite files:

(a) **first ingest**: the dump read member by member by the real spider's loop
    (``AnLegisSpider._read_dump``: fingerprint, parse, names), each ``LegisItem`` through the
    real ``StorePipeline`` (normalize, match, follow, links and citations, upsert + versions +
    outbox, batched transactions); Scrapy's engine is not started, so the figure is parsing +
    our processing + SQLite, not HTTP;
(b) **a day's update**: the same dump again where ``--day`` records changed (a decision): the
    unchanged ones are skipped by fingerprint, the changed ones stored as versions;
(c) **baseline**, same run: read the same zip, ``json.loads`` every member and sqlite-utils
    ``insert_all`` the same rows (read back from (a)) into a fresh database with the same schema.

Prints the times, the ratios (a)/(c) and (b)/(c), and the peak RSS of this process after each
step (the dump is streamed: memory must stay flat as N grows).

``--repeat N`` times (a) and (c) N times each, alternating, on fresh files, and keeps the best
of each: on a shared machine another process slows one run, rarely all; the load average is
printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.anlegis_gen import DEPUTIES, write_amendments_zip  # noqa: E402
from bench.dump_ingest import (  # noqa: E402
    _Crawler,
    add_repeat,
    baseline,
    bench_config,
    every_run,
    repeat_side_by_side,
)
from bench.gencache import cached  # noqa: E402
from monitor.ingest.pipeline import StorePipeline  # noqa: E402
from spiders.an_legis import AnLegisSpider  # noqa: E402
from spiders.parse.an_deputies import Deputy  # noqa: E402
from storage import legis as store_legis  # noqa: E402
from storage import runs as store_runs  # noqa: E402
from storage.db import open_db  # noqa: E402

CONFIG = """\
[storage]
path = "{db}"

[watch]
terms = ["SECPA", "Sepca", "structure* d'exercice coordonné* participati*",
         "centres et maisons de santé participati*"]

[alerts]
outbox_dir = "{dir}/outbox"

[alerts.email]
recipients = ["veille@example.org"]

[sources.an]
spider = "an_legis"
"""

GENERATORS = [
    "bench/anlegis_gen.py",
    "bench/amendments_ingest.py",
    "tests/support/anlegis_fixtures.py",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(zip_path: Path, db_path: Path) -> dict[str, Any]:
    """(a)/(b): dump → the spider's member loop → the real pipeline; returns the run row.

    The pipeline opens the database its config names: each database gets its own config, or a
    "first" ingest would in fact re-read a full database (a repetition of (a) once did)."""
    config = bench_config(db_path, CONFIG)
    db = open_db(db_path)
    run_id = store_runs.start_run(db, "an", "2026-01-01T00:00:00+00:00")
    crawler = _Crawler(config, run_id, source="an")
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    known, prints = store_legis.held_versions(db, "an")
    spider = AnLegisSpider(source="an", kinds=["amendment"], known=known, fingerprints=prints)
    spider.crawler = crawler  # type: ignore[misc]
    # names as the deputies dump gives them (a record whose author is unnamed keeps no
    # fingerprint and is read again next time: here every author is known)
    spider.deputies = {uid: Deputy(uid, f"M. Député {uid}", None, "Groupe") for uid in DEPUTIES}
    for item in spider._read_dump("amendments", "bench://dump", zip_path, None):
        pipeline.process_item(item)
    pipeline.close_spider()
    return store_runs.get_run(db, run_id)


def day_update(src: Path, dst: Path, changed: int) -> int:
    """The same dump where ``changed`` pending amendments got a decision (adopted)."""
    n = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if n < changed and b"En traitement" in data:
                rec = json.loads(data)
                life = rec["amendement"]["cycleDeVie"]
                life["sort"] = {"code": "ADO", "libelle": "Adopté"}
                life["dateSort"] = "2026-03-12"
                data = json.dumps(rec, ensure_ascii=False).encode()
                n += 1
            zout.writestr(info.filename, data)
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.amendments_ingest")
    ap.add_argument("--n", type=int, default=100_000, help="amendments (default 100,000)")
    ap.add_argument("--day", type=int, default=300, help="decisions in the day's update")
    add_repeat(ap)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vigie-bench-am-") as tmp:
        d = Path(tmp)
        t = time.perf_counter()

        def build(folder: Path) -> None:
            write_amendments_zip(folder / "Amendements.json.zip", a.n)
            changed = day_update(folder / "Amendements.json.zip", folder / "day2.zip", a.day)
            (folder / "changed.txt").write_text(str(changed))
            (folder / f"amendments-{a.n}-{a.day}.ok").write_text("")

        done, reused = cached(f"amendments-{a.n}-{a.day}.ok", GENERATORS, build)
        zip1, zip2 = done.parent / "Amendements.json.zip", done.parent / "day2.zip"
        changed = int((done.parent / "changed.txt").read_text())
        print(
            f"{'reused' if reused else 'generated'} {a.n} amendments "
            f"({zip1.stat().st_size / 1e6:.0f} MB zipped), {changed} decided the next day "
            f"({time.perf_counter() - t:.1f}s; kept in {done.parent.relative_to(ROOT)})"
        )
        rss0 = peak_rss_mb()
        t = time.perf_counter()
        run1 = ingest(zip1, d / "vigie.db")
        t_first = time.perf_counter() - t
        rss1 = peak_rss_mb()
        t = time.perf_counter()
        run2 = ingest(zip2, d / "vigie.db")
        t_day = time.perf_counter() - t
        db = open_db(d / "vigie.db")
        rows = list(db["items"].rows)
        alerts = db["alerts"].count
        t_base = baseline(zip1, rows, d / "baseline.db")
        firsts, bases = repeat_side_by_side(
            a.repeat,
            d,
            (t_first, t_base, run1),
            lambda db: ingest(zip1, db),
            lambda db: baseline(zip1, rows, db),
        )
        t_first, t_base = min(firsts), min(bases)
    print(
        f"(a) first ingest:  {t_first:7.2f}s  new={run1['items_new']} "
        f"({a.n / t_first:,.0f} amendments/s)  peak RSS {rss0:.0f} → {rss1:.0f} MB"
    )
    print(
        f"(b) day's update:  {t_day:7.2f}s  changed={run2['items_changed']} "
        f"unchanged={run2['items_unchanged']} alerts so far={alerts}"
    )
    best = f", best of {a.repeat}" if a.repeat > 1 else ""
    print(
        f"(c) baseline:      {t_base:7.2f}s  (json.loads + insert_all, same rows, same schema{best})"
    )
    if a.repeat > 1:
        print(every_run(firsts, bases))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"ratios: first/baseline = {t_first / t_base:.2f}x (goal ≤ 1.5x), "
        f"day/baseline = {t_day / t_base:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
