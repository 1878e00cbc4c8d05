"""N synthetic amendments in the real open-data schema, zipped as ``Amendements.json.zip``.

    python -m bench.anlegis_gen --n 100000 --out /tmp/Amendements.json.zip

For the 100,000-amendment first-ingest bench (issue 11). Records come from the same builder as the
test fixtures (``tests/support/anlegis_fixtures.make_amendment``: field names of SITES.md), laid
out as the real dump (``json/{dossierUid}/{texteUid}/{amendementUid}.json``), spread over a few
hundred texts, with the variety the parser must cope with: every ``secpa_every``-th amendment names
SECPA in its exposé, decisions as strings or ``{code, libelle}`` objects (adopted, rejected,
withdrawn, fallen, not moved, inadmissible, pending), cosigners as a string or a list, ``xsi:nil``
nulls and HTML entities. Deterministic for a given ``seed``. Members are written one at a time
(the generator's memory stays flat too).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.anlegis_fixtures import SECPA_EXPOSE, amendment_uid, make_amendment  # noqa: E402

DECISIONS = [
    (None, "En traitement"),
    ({"code": "ADO", "libelle": "Adopté"}, {"code": "DI", "libelle": "Discuté"}),
    ("Rejeté", "Discuté"),
    ({"code": "RET", "libelle": "Retiré"}, "Discuté"),
    ({"code": "TOM", "libelle": "Tombé"}, "Discuté"),
    ("Non soutenu", "Discuté"),
    (None, {"code": "IRR", "libelle": "Irrecevable"}),
]
DEPUTIES = ["PA795136", "PA720000", "PA842279"] + [f"PA{700000 + i}" for i in range(40)]


def amendment_record(
    i: int, rng: random.Random, *, texts: int = 300, secpa_every: int = 50
) -> tuple[str, dict]:
    """(member name, record) of the i-th synthetic amendment."""
    text_num = 2000 + i % texts
    text_uid = f"PIONANR5L17B{text_num}"
    dossier = f"DLR5L17N{50000 + i % texts}"
    number = i // texts + 1
    uid = amendment_uid(text_num, number)
    sort, etat = DECISIONS[rng.randrange(len(DECISIONS))]
    cosigners = rng.sample(DEPUTIES, rng.randrange(0, 4))
    rec = make_amendment(
        uid,
        number,
        text_uid,
        expose=SECPA_EXPOSE
        if secpa_every and i % secpa_every == 0
        else (
            f"<p>Cet amendement pr&eacute;cise l&#8217;article {rng.randrange(1, 40)} "
            "afin de garantir l&apos;acc&egrave;s aux soins.</p>" * rng.randrange(1, 4)
        ),
        sort=sort,
        etat=etat,
        author=rng.choice(DEPUTIES),
        cosigners=cosigners[0] if len(cosigners) == 1 else (cosigners or None),
        tabled=f"2026-0{1 + i % 9}-{1 + i % 28:02d}",
        decided="2026-03-11" if sort else None,
        article=f"Art. {1 + i % 12}",
    )
    return f"json/{dossier}/{text_uid}/{uid}.json", rec


def write_amendments_zip(
    path: str | Path, n: int, *, seed: int = 11, texts: int = 300, secpa_every: int = 50
) -> Path:
    """Write ``n`` amendments as the real dump (deflated members); returns the path."""
    path = Path(path)
    rng = random.Random(seed)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(n):
            name, rec = amendment_record(i, rng, texts=texts, secpa_every=secpa_every)
            zf.writestr(name, json.dumps(rec, ensure_ascii=False, indent=1))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--out", default="Amendements.json.zip")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    path = write_amendments_zip(args.out, args.n, seed=args.seed)
    print(f"{args.n} amendments → {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
