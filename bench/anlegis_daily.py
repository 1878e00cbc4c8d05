"""A day's incremental update of the Assemblée legislative watch, over HTTP (issue 11).

    python -m bench.anlegis_daily --n 20000 --changed 200 --new 100

Issue 11 asks that "a day's incremental update (a few hundred documents) costs seconds and only
those requests". This bench serves, on 127.0.0.1 (``tests/support/siteserver.py``):

- an amendments dump of ``--n`` amendments (``bench/anlegis_gen.py``: the real schema) and the
  deputies dump (AMO10), both with ETag and Last-Modified;
- on day 2, the daily publication list with ``--changed`` amendments of the dump that got a
  decision (adopted) and ``--new`` amendments tabled that day, each at ``/dyn/opendata/{uid}.json``.

It runs the real ``vigie crawl`` (child process, real SQLite file) on day 1 (first load from the
dump), then on day 2, then day 2 again, and prints for each run: wall time, the requests the
server answered, by kind and status, and what the run stored. The goals: day 2 fetches exactly
the listed documents (plus the list and conditional dump requests answered 304), and takes
seconds; the repeat costs no document request. Baseline, same run: the same list and documents
fetched one by one with ``urllib`` from the same server (the transfer alone, no parsing or
storing), and the day-1 first load.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.anlegis_gen import DEPUTIES, amendment_record  # noqa: E402
from tests.conftest import vigie  # noqa: E402
from tests.support.anfixtures import make_deputy, write_deputies_zip  # noqa: E402
from tests.support.anlegis_fixtures import (  # noqa: E402
    AMO10,
    DUMP_LM,
    DUMP_PATHS,
    _manifest,
    _zip_entry,
    publication_list,
)
from tests.support.configs import write_config  # noqa: E402
from tests.support.siteserver import SiteServer  # noqa: E402

DAY1, DAY2 = "2026-03-10", "2026-03-11"
LIST = "/dyn/opendata/list-publication/publication_{day}"


def build(folder: Path, n: int, changed: int, new: int) -> list[str]:
    """The served folder; returns the uids listed on day 2."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    day2: list[tuple[str, dict]] = []
    with zipfile.ZipFile(folder / "amendements.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(n + new):
            name, rec = amendment_record(i, rng)
            if i >= n:  # tabled on day 2: only in the list
                day2.append((rec["amendement"]["uid"], rec))
                continue
            zf.writestr(name, json.dumps(rec, ensure_ascii=False, indent=1))
            life = rec["amendement"]["cycleDeVie"]
            if len(day2) < changed and "@xsi:nil" in (life.get("sort") or {}):
                life["sort"] = {"code": "ADO", "libelle": "Adopté"}
                life["dateSort"] = DAY2
                day2.append((rec["amendement"]["uid"], rec))
    write_deputies_zip(
        folder / "amo10.zip",
        [
            make_deputy(uid, "M.", "Député", f"N{k}", "Ain", "01", str(k % 5 + 1))
            for k, uid in enumerate(DEPUTIES)
        ],
    )
    paths: dict[str, dict] = {
        DUMP_PATHS["amendments"]: _zip_entry(folder / "amendements.zip"),
        AMO10: _zip_entry(folder / "amo10.zip"),
    }
    entries = []
    for k, (uid, rec) in enumerate(day2):
        (folder / f"{uid}.json").write_text(json.dumps(rec, ensure_ascii=False), "utf-8")
        paths[f"/dyn/opendata/{uid}.json"] = {
            "file": f"{uid}.json",
            "headers": {
                "Content-Type": "application/json; charset=utf-8",
                "Last-Modified": DUMP_LM,
            },
        }
        entries.append(
            (f"{DAY2}T{9 + k // 3600 % 10:02d}:{k // 60 % 60:02d}:{k % 60:02d}.000+01:00", uid)
        )
    (folder / "list_day2.txt").write_bytes(publication_list(entries))
    paths[LIST.format(day=DAY2)] = {
        "file": "list_day2.txt",
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
    }
    _manifest(folder, paths, {})
    return [uid for uid, _ in day2]


def kind_of(path: str) -> str:
    if path.startswith("/dyn/opendata/list-publication/"):
        return "daily list"
    if path.startswith("/dyn/opendata/"):
        return "document"
    if path.endswith(".zip"):
        return "deputies dump" if "AMO10" in path else "amendments dump"
    return path


def crawl(cfg: Path, srv: SiteServer, day: str) -> tuple[float, Counter, str]:
    srv.reset_counts()
    t0 = time.perf_counter()
    res = vigie("crawl", "an", config=cfg, env={"VIGIE_TODAY": day}, timeout=3600)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"vigie crawl failed on {day}:\n{res.stdout}\n{res.stderr[-3000:]}")
    counts: Counter = Counter()
    for path, status, _conditional in srv.log():
        counts[(kind_of(path), status)] += 1
    line = next((ln for ln in res.stdout.splitlines() if " new=" in ln), res.stdout.strip()[-200:])
    return wall, counts, line.strip()


def fetch_plain(base: str, uids: list[str]) -> float:
    """Baseline: the list and each listed document, one urllib GET each, nothing else."""
    t0 = time.perf_counter()
    urllib.request.urlopen(base + LIST.format(day=DAY2)).read()
    for uid in uids:
        urllib.request.urlopen(f"{base}/dyn/opendata/{uid}.json").read()
    return time.perf_counter() - t0


def describe(counts: Counter) -> str:
    return ", ".join(f"{k} {s}: {v}" for (k, s), v in sorted(counts.items()))


def run(n: int, changed: int, new: int) -> list[str]:
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vigie-anlegis-daily-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        listed = build(work / "site", n, changed, new)
        out.append(
            f"site: dump of {n:,} amendments; day 2 lists {len(listed)} documents "
            f"({changed} decisions on dump amendments, {new} new); built in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        with SiteServer(work / "site") as srv:
            cfg = write_config(
                work,
                {
                    "an": {
                        "spider": "an_legis",
                        "url": srv.base_url,
                        "open_data_url": srv.base_url,
                        "kinds": ["amendment"],
                        "since": DAY1,
                    }
                },
            )
            runs = [
                (label, day, *crawl(cfg, srv, day))
                for label, day in (
                    ("day 1, first load", DAY1),
                    ("day 2, daily list", DAY2),
                    ("day 2 again", DAY2),
                )
            ]
            plain = fetch_plain(srv.base_url, listed)
        out.append(f"{'run':22} {'wall s':>7}  requests by kind and status")
        for label, _day, wall, counts, _line in runs:
            out.append(f"{label:22} {wall:7.2f}  {describe(counts)}")
        out.append("run lines: " + " | ".join(line for *_, line in runs))
        _, _, t_day, c_day, _ = runs[1]
        _, _, t_first, _, _ = runs[0]
        docs = sum(v for (k, s), v in c_day.items() if k == "document")
        dumps_200 = sum(v for (k, s), v in c_day.items() if k.endswith("dump") and s == 200)
        again_docs = sum(v for (k, s), v in runs[2][3].items() if k == "document")
        ok = docs == len(listed) and dumps_200 == 0 and again_docs == 0
        out.append(
            f"day 2: {docs} document requests for {len(listed)} listed, {dumps_200} dump "
            f"downloads, repeat: {again_docs} document requests "
            f"(goal: only those requests: {'meets' if ok else 'MISSES'})"
        )
        out.append(
            f"day 2 wall {t_day:.2f} s = {t_day / t_first:.2f}x the first load ({t_first:.2f} s), "
            f"{t_day / plain:.1f}x fetching the same list and documents with urllib "
            f"({plain:.2f} s, no processing) (goal: seconds: {'meets' if t_day < 60 else 'MISSES'})"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.anlegis_daily", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--n", type=int, default=20_000, help="amendments in the dump (day 1)")
    ap.add_argument("--changed", type=int, default=200, help="dump amendments decided on day 2")
    ap.add_argument("--new", type=int, default=100, help="amendments tabled on day 2")
    a = ap.parse_args(argv)
    print("\n".join(run(a.n, a.changed, a.new)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
