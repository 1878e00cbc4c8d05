"""What does one JORF archive cost, and does memory stay flat over a month? (issue 12)

    python -m bench.jorf_archive --archives 60 --texts 600

Generates ``--archives`` synthetic DILA increments ``JORF_YYYYMMDD-HHMMSS.tar.gz`` (two a day,
as DILA publishes) with the builders of the test fixtures (``tests/support/jorf_fixtures.py``:
the real layout, TEXTE_VERSION + ARTICLE XML), ``--texts`` texts each (natures mixed: arrêtés,
décrets, avis, décisions, nominations; 4 articles each, ~1 % mention SECPA), then times, in this
process, on the same bytes:

(a) **baseline**: stream the tar.gz (``tarfile`` over ``GzipFile``) and ``lxml.etree.fromstring``
    every XML member; nothing else (no item, no matching, no storage);
(b) **Vigie**: the spider's parse (``spiders.parse.jorf.parse_archive``: streamed, META and
    articles read, HTML cleaned, ``jo_text`` items built for the watched natures) plus the
    pipeline's matcher (``monitor.ingest.match.Matcher`` on title and text with the shipped
    watch terms). Storing is not measured here: the ``jo_text`` rows go through the lead's
    legislative pipeline (issue 12), not written yet on this branch.

Peak RSS: a child process reads the archives one after the other as the spider does (one
archive's bytes in memory at a time) and reports ``ru_maxrss`` after the first 5 archives and
after the last: flat memory means the two are close.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from monitor.ingest.match import Matcher  # noqa: E402
from spiders.defaults import JORF_NATURES  # noqa: E402
from spiders.parse.jorf import parse_archive  # noqa: E402
from tests.support.jorf_fixtures import Art, Txt, make_archive  # noqa: E402

TERMS = [
    "SECPA",
    "Sepca",
    "structure* d'exercice coordonné* participati*",
    "centres et maisons de santé participati*",
]
NATURES = ["ARRETE", "DECRET", "AVIS", "DECISION", "ARRETE", "ARRETE"]
FILLER = (
    "<p>Le présent {n} fixe les modalités d'application des dispositions relatives à "
    "l'organisation des services déconcentrés de l'État et aux conditions dans lesquelles "
    "les collectivités territoriales concourent à leur financement, article {k}.</p>"
)
SECPA = (
    "<p>L'expérimentation des structures d'exercice coordonné participatives (SECPA), "
    "prévue à l'article L. 162-31-1 du code de la sécurité sociale, est prolongée.</p>"
)


WORDS = (
    "commune département région préfet arrêté décret service agent emploi budget crédit "
    "dotation établissement santé hôpital école route transport énergie eau forêt marché "
    "contrat subvention compétence délégation commission conseil ministre directeur rapport "
    "article alinéa code loi ordonnance annexe tableau montant euros année mois jour"
).split()


def _prose(rnd: random.Random) -> str:
    """A paragraph of shuffled administrative words with numbers: compresses like real text
    (about 3:1), where repeated filler alone would compress 40:1 and flatter the archive size."""
    words = [
        rnd.choice(WORDS) if rnd.random() < 0.85 else str(rnd.randint(1, 99999)) for _ in range(120)
    ]
    return "<p>" + " ".join(words) + ".</p>"


def archive_names(n: int, start: date = date(2026, 3, 1)) -> list[str]:
    out = []
    for i in range(n):
        day = start + timedelta(days=i // 2)
        out.append(f"JORF_{day:%Y%m%d}-{'093000' if i % 2 == 0 else '213000'}.tar.gz")
    return out


def generate(folder: Path, archives: int, texts: int, seed: int = 12) -> list[Path]:
    rnd = random.Random(seed)
    paths = []
    ident = 53_000_000
    for name in archive_names(archives):
        day = name[5:13]
        publi = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        batch = []
        for t in range(texts):
            ident += 10
            nature = NATURES[t % len(NATURES)]
            arts = [
                Art(
                    f"JORFARTI{ident + k:012d}",
                    str(k),
                    SECPA
                    if rnd.random() < 0.01
                    else FILLER.format(n=nature.lower(), k=k) + _prose(rnd),
                )
                for k in range(1, 5)
            ]
            batch.append(
                Txt(
                    f"JORFTEXT{ident:012d}",
                    nature,
                    f"XXXX{ident % 10_000_000:07d}A",
                    publi,
                    f"{nature.title()} du {publi} portant diverses dispositions n° {t}",
                    articles=arts,
                )
            )
        path = folder / name
        path.write_bytes(make_archive(name, batch))
        paths.append(path)
    return paths


def baseline(data: bytes) -> int:
    n = 0
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".xml"):
                handle = tar.extractfile(member)
                if handle is not None:
                    etree.fromstring(handle.read())
                    n += 1
    return n


def vigie(data: bytes, name: str, matcher: Matcher) -> tuple[int, int]:
    read = parse_archive(data, name, JORF_NATURES)
    matched = sum(
        1 for it in read.items if matcher.match({"title": it.title, "text": it.text}).matched
    )
    return len(read.items), matched


def rss_child(folder: Path) -> dict:
    """Run in a child: every archive in order, one in memory at a time, as the spider does."""
    matcher = Matcher(TERMS)
    paths = sorted(folder.glob("JORF_*.tar.gz"))
    after5 = 0
    for i, path in enumerate(paths, 1):
        vigie(path.read_bytes(), path.name, matcher)
        if i == 5:
            after5 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "archives": len(paths),
        "rss_after_5_kib": after5,
        "rss_end_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def run(archives: int, texts: int, repeat: int = 3) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="vigie-jorf-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        paths = generate(folder, archives, texts)
        gen = time.perf_counter() - t0
        sizes = [p.stat().st_size for p in paths]
        sample = [p.read_bytes() for p in paths[: min(repeat * 2, len(paths))]]
        names = [p.name for p in paths[: len(sample)]]
        matcher = Matcher(TERMS)
        base_t, vig_t, members, items, matched = [], [], 0, 0, 0
        for data, name in zip(sample, names, strict=True):
            t = time.perf_counter()
            members = baseline(data)
            base_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            items, matched = vigie(data, name, matcher)
            vig_t.append(time.perf_counter() - t)
        base, vig = sorted(base_t)[len(base_t) // 2], sorted(vig_t)[len(vig_t) // 2]
        proc = subprocess.run(
            [sys.executable, "-m", "bench.jorf_archive", "--rss-child", str(folder)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if proc.returncode:
            return [f"FAILED: RSS child exited {proc.returncode}: {proc.stderr[-500:]}"]
        rss = json.loads(proc.stdout.strip().splitlines()[-1])
    return [
        f"{archives} archives of {texts} texts ({members} XML files each, "
        f"{sum(sizes) / len(sizes) / 1e6:.2f} MB compressed on average); generated in {gen:.1f} s",
        f"per archive (median of {len(sample)}): baseline (stream + lxml parse of every file) "
        f"{base * 1000:.0f} ms; Vigie (parse_archive + match) {vig * 1000:.0f} ms "
        f"-> ratio {vig / base:.2f}; {items} jo_text items, {matched} matched",
        f"peak RSS reading all {rss['archives']} archives in order: after 5 archives "
        f"{rss['rss_after_5_kib'] / 1024:.1f} MiB, after all {rss['rss_end_kib'] / 1024:.1f} MiB "
        f"(+{(rss['rss_end_kib'] - rss['rss_after_5_kib']) / 1024:.1f} MiB)",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.jorf_archive", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--archives", type=int, default=60, help="archives generated (a month: 60)")
    ap.add_argument("--texts", type=int, default=600, help="texts per archive (x5 files)")
    ap.add_argument("--repeat", type=int, default=3, help="archives timed = 2 x repeat")
    ap.add_argument("--rss-child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.rss_child:
        print(json.dumps(rss_child(Path(a.rss_child))))
        return 0
    for line in run(a.archives, a.texts, a.repeat):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
