"""How fast is a whole Assemblée legislature ingested? (issue 3; goal: seconds, not minutes)

    python -m bench.dump_ingest --n 50000

Generates ``--n`` written-question records in the real open-data schema
(``tests/support/anfixtures.make_an_record``: ~2 % mention SECPA, a quarter answered, list and
object nodes, ISO and DD/MM/YYYY dates), zips them as the nightly dump, then times, in this
process and on a fresh SQLite file:

(a) **first ingest**: the dump read member by member (``iter_dump``), each record parsed
    (``parse_an_record``), authors named from a deputies map, then the real
    ``monitor.ingest.pipeline.StorePipeline`` (normalize → match → upsert + ``item_versions`` + outbox,
    batched transactions, run counters). Scrapy's engine is not started: the pipeline is fed
    directly, so the figure is parsing + our processing + SQLite, not HTTP;
(b) **re-ingest** of a dump where 1 % of the records got an answer (the 99 % unchanged take the
    hash-compare path);
(c) **baseline**, same run: read the same zip, ``json.loads`` every member, and sqlite-utils
    ``insert_all`` the same item rows (read back from (a)) into a fresh database with the same
    schema (indexes and FTS triggers included), with no processing.

Prints the times and the ratios (a)/(c) and (b)/(c). ``--profile`` prints the top functions of
(a) under cProfile.

``--repeat N`` times (a) and (c) N times each, alternating, on fresh files, and keeps the best
of each: on a shared machine another process slows one run, rarely all; the load average is
printed with the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gencache import cached  # noqa: E402
from monitor.ingest.pipeline import StorePipeline  # noqa: E402
from spiders.assemblee import AssembleeSpider  # noqa: E402
from spiders.parse.an_deputies import Deputy  # noqa: E402
from spiders.parse.an_dump import iter_dump  # noqa: E402
from storage import items as store_items  # noqa: E402
from storage import runs as store_runs  # noqa: E402
from storage.db import open_db  # noqa: E402
from tests.support.anfixtures import make_an_record, write_an_zip  # noqa: E402

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

[sources.assemblee]
spider = "assemblee"
url = "https://www.assemblee-nationale.fr"
"""
UNRELATED_TEXT = (
    "M. {who} attire l'attention de M. le ministre de l'aménagement du territoire sur "
    "l'entretien des routes départementales n° {n} et sur le financement des ouvrages d'art "
    "dont la charge pèse sur les communes rurales. Il lui demande quelles mesures il entend "
    "prendre pour accompagner les collectivités."
)
UNRELATED_ANSWER = (
    "<p>Les crédits de la dotation de soutien à l'investissement local sont maintenus.</p>"
)
AUTHORS = [f"PA{700000 + i}" for i in range(577)]


def records(n: int, answered_every: int = 4, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        matching = i % 50 == 0
        kw: dict[str, Any] = {
            "author_ref": rng.choice(AUTHORS),
            "list_nodes": i % 3 == 0,
            "old_dates": i % 7 == 0,
            "answered": i % answered_every == 0,
        }
        if not matching:
            kw.update(
                text=UNRELATED_TEXT.format(who=kw["author_ref"], n=i),
                rubrique="voirie",
                tete_analyse=f"Routes départementales {i}",
                analyse="Entretien",
                answer_text=UNRELATED_ANSWER if kw["answered"] else None,
            )
        out.append(make_an_record(i, **kw))
    return out


def deputies() -> dict[str, Deputy]:
    return {
        uid: Deputy(
            uid, f"M. Député {uid}", f"Département {i % 101} ({i % 9 + 1}e circonscription)"
        )
        for i, uid in enumerate(AUTHORS)
    }


class _Stats:
    """Scrapy's stats interface, as much as the pipeline uses."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


class _Crawler:
    """Just what the pipeline reads of a crawler: settings (config, source, run) and stats."""

    def __init__(self, config: Path, run_id: int, source: str = "assemblee") -> None:
        from scrapy.settings import Settings

        self.settings = Settings(
            {
                "VIGIE_CONFIG_PATH": str(config),
                "VIGIE_SOURCE": source,
                "VIGIE_RUN_ID": run_id,
                # batches written by the pipeline's writer thread, as in the crawl child
                "VIGIE_BACKGROUND_WRITES": True,
            }
        )
        self.stats = _Stats()


GENERATORS = ["bench/dump_ingest.py", "tests/support/anfixtures.py"]


def generate(folder: Path, n: int) -> None:
    """The first dump and the same dump one event later for 1 % of the records."""
    first = records(n)
    write_an_zip(folder / "qe1.zip", first)
    changed = max(1, n // 100)
    second = list(first)
    for i in random.Random(2).sample(range(n), changed):
        rec = json.loads(json.dumps(second[i]))["question"]  # same record, one event later
        if rec["textesReponse"]:  # already answered: the ministry answering changes
            rec["minAttribs"]["minAttrib"] = {
                "denomination": {"developpe": "Ministère de l'intérieur"}
            }
        else:
            rec["textesReponse"] = {
                "texteReponse": {
                    "infoJO": {"dateJO": "2026-04-14", "pageJO": "3012"},
                    "texte": UNRELATED_ANSWER,
                }
            }
            rec["cloture"] = {"codeCloture": "REP_PUB", "libelleCloture": "Réponse publiée"}
        second[i] = {"question": rec}
    write_an_zip(folder / "qe2.zip", second)
    (folder / f"questions-{n}.ok").write_text("")


def every_run(firsts: list[float], bases: list[float]) -> str:
    """Each repetition's times, in order: a best-of-N hides a slow first run, this line shows it."""
    ingest = ", ".join(f"{x:.2f}" for x in firsts)
    base = ", ".join(f"{x:.2f}" for x in bases)
    return f"every run, in order: first ingest {ingest} s; baseline {base} s"


def bench_config(db_path: Path, template: str) -> Path:
    """A config naming ``db_path``, beside it: the pipeline opens the database its config names."""
    config = db_path.with_suffix(".toml")
    config.write_text(template.format(db=db_path, dir=db_path.parent), "utf-8")
    return config


def same_run(again: dict, first: dict) -> None:
    """A repetition of (a) must store what the first did, on its own fresh database."""
    if again["items_new"] != first["items_new"]:
        raise SystemExit(
            f"repetition stored {again['items_new']} new items, the first {first['items_new']}: "
            "not a first ingest"
        )


def add_repeat(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time (a) and (c) this many times, alternating, and keep the best of each "
        "(a shared machine: other processes slow one run, not all)",
    )


def repeat_side_by_side(
    repeat: int,
    folder: Path,
    first: tuple[float, float, dict],
    again: Callable[[Path], dict],
    base: Callable[[Path], float],
) -> tuple[list[float], list[float]]:
    """Every repetition of (a) and (c), alternating, each on fresh files in ``folder``:
    ``first`` = (a)'s and (c)'s times and run row from the first repetition; ``again(db)``
    reruns (a) on a fresh database, ``base(db)`` reruns (c). Returns every time of each side."""
    t_first, t_base, run1 = first
    firsts, bases = [t_first], [t_base]
    for i in range(1, repeat):
        t = time.perf_counter()
        run = again(folder / f"again{i}.db")
        firsts.append(time.perf_counter() - t)
        same_run(run, run1)
        bases.append(base(folder / f"baseline{i}.db"))
        for f in folder.glob(f"*{i}.*"):
            f.unlink()
    return firsts, bases


def ingest(zip_path: Path, db_path: Path, names: dict[str, Deputy]) -> dict:
    """(a)/(b): dump → items → the real pipeline; returns the run row.

    The pipeline opens the database its config names: each database gets its own config, or a
    "first" ingest would in fact re-read a full database (a repetition of (a) once did)."""
    config = bench_config(db_path, CONFIG)
    db = open_db(db_path)
    run_id = store_runs.start_run(db, "assemblee", "2026-01-01T00:00:00+00:00")
    crawler = _Crawler(config, run_id)
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    # the spider's own member loop (checksum skip, parse, names), without the download
    spider = AssembleeSpider(
        source="assemblee",
        url="https://www.assemblee-nationale.fr",
        fingerprints=store_items.fingerprints(db, "assemblee"),
    )
    spider.crawler = crawler  # type: ignore[misc]
    spider.deputies = names
    for item in spider._read_dump("QE", "bench://dump", zip_path):
        pipeline.process_item(item)
    pipeline.close_spider()
    return store_runs.get_run(db, run_id)


def baseline(zip_path: Path, rows: list[dict], db_path: Path) -> float:
    """(c): read + json.loads every member, insert_all the same rows, nothing else."""
    started = time.perf_counter()
    parsed = 0
    for member in iter_dump(zip_path):
        json.loads(member.data)
        parsed += 1
    db = open_db(db_path)
    with db.conn:
        db["items"].insert_all(rows, batch_size=500)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.dump_ingest", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--n", type=int, default=50_000, help="records in the dump (default 50,000)")
    ap.add_argument("--profile", action="store_true", help="cProfile the first ingest")
    add_repeat(ap)
    a = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        d = Path(tmp)
        names = deputies()

        t = time.perf_counter()
        changed = max(1, a.n // 100)
        done, reused = cached(f"questions-{a.n}.ok", GENERATORS, lambda f: generate(f, a.n))
        zip1, zip2 = done.parent / "qe1.zip", done.parent / "qe2.zip"
        print(
            f"{'reused' if reused else 'generated'} {a.n} records, {changed} changed; dump "
            f"{zip1.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t:.1f}s; kept in "
            f"{done.parent.relative_to(ROOT)})"
        )

        profiler = cProfile.Profile() if a.profile else None
        t = time.perf_counter()
        if profiler:
            profiler.enable()
        run1 = ingest(zip1, d / "vigie.db", names)
        if profiler:
            profiler.disable()
        t_first = time.perf_counter() - t

        t = time.perf_counter()
        run2 = ingest(zip2, d / "vigie.db", names)
        t_again = time.perf_counter() - t

        db = open_db(d / "vigie.db")
        rows = list(db["items"].rows)
        versions = db["item_versions"].count
        alerts = db["alerts"].count
        t_base = baseline(zip1, rows, d / "baseline.db")
        firsts, bases = repeat_side_by_side(
            a.repeat,
            d,
            (t_first, t_base, run1),
            lambda db: ingest(zip1, db, names),
            lambda db: baseline(zip1, rows, db),
        )
        t_first, t_base = min(firsts), min(bases)

    print(
        f"(a) first ingest:   {t_first:7.2f}s  new={run1['items_new']} "
        f"({a.n / t_first:,.0f} records/s)"
    )
    print(
        f"(b) re-ingest 1 %:  {t_again:7.2f}s  changed={run2['items_changed']} "
        f"unchanged={run2['items_unchanged']} versions={versions} alerts={alerts}"
    )
    best = f", best of {a.repeat}" if a.repeat > 1 else ""
    print(
        f"(c) baseline:       {t_base:7.2f}s  (json.loads + insert_all, same rows, same schema{best})"
    )
    print(
        f"ratios: first/baseline = {t_first / t_base:.2f}x (goal ≤ 1.5x), "
        f"re-ingest/baseline = {t_again / t_base:.2f}x"
    )
    if a.repeat > 1:
        print(every_run(firsts, bases))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
