"""Build a synthetic Vigie archive of N items in the real schema (issue 15, ``bench/million.py``).

Why synthetic: no real archive of years of watch exists yet, and the questions the benchmark asks
(how big, how fast are search, facets, canned queries, rematch, an unchanged crawl) depend on
row counts, text lengths and value distributions, not on the exact words. The database is
created by ``storage.db.open_db`` (so every migration step applies: indexes, FTS5 with its
triggers), then filled with bulk ``executemany`` inserts into the same tables the pipeline writes.

What an archive of N items holds (proportions of a multi-year watch of the AN, the Sénat and ~20
press sites):

- 60 % AN written questions, 15 % Sénat questions, 25 % articles over 20 site sources (one of
  them named ``bench``: the source ``bench.million`` crawls, so its known-articles load is real);
- lengths: question text 600–1,500 characters, answer 800–2,500 (60 % answered), article body
  1,500–5,000, titles 40–120; French words with a Zipf-like frequency plus a long tail of rare
  words (FTS index size depends on the vocabulary);
- 5 % matched (``SECPA`` in the text, ``matched_terms``, snippet), matched questions followed;
- ``item_versions``: 30 % of questions (answered, ministry) and 5 % of articles (text, with the
  previous body) have one; ``alerts``: one ``new_match`` per matched item plus one
  ``item_changed`` per changed followed question, all sent, one delivery each; ``runs``: one per
  source per day over the archive's span; ``http_validators``: one per article URL.
- a common word (``santé``, in nearly every item) and a rare one (``ornithorynque``, in 1 item
  of 10,000) for the search timings.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import open_db
from tests.support.seeds import seed_files

COMMON_WORD = "santé"
RARE_WORD = "ornithorynque"
RARE_EVERY = 10_000
MATCH_TERM = "SECPA"
WATCHED = re.compile(r"secpa|sepca|participati|coordonn|exercice", re.I)
SITE_SOURCES = ["bench", *[f"site{i:02d}" for i in range(2, 21)]]
START = datetime(2023, 1, 2, 8, 0, tzinfo=UTC)
SPAN_DAYS = 3 * 365
BASE_WORDS = (
    "le la les de des du un une et à en pour sur dans par avec au aux que qui ne pas plus "
    "santé centres soins patients ministre gouvernement question réponse accès médecins "
    "territoire financement maisons coordination hôpital agence régionale assurance maladie "
    "professionnels médicale prévention parcours offre déserts pluriprofessionnelle convention "
    "dispositif expérimentation article loi décret mesure collectivités départements communes "
    "population besoins délais rendez-vous infirmiers pharmaciens kinésithérapeutes urgences"
).split()
RUBRIQUES = [
    "santé",
    "professions de santé",
    "assurance maladie maternité",
    "établissements de santé",
    "pharmacie et médicaments",
    "personnes âgées",
    "handicapés",
    "enfants",
    "aménagement du territoire",
    "collectivités territoriales",
    "agriculture",
    "transports",
    "énergie et carburants",
    "logement",
    "enseignement",
]
MINISTRIES = [
    "Santé et accès aux soins",
    "Travail, santé et solidarités",
    "Économie et finances",
    "Intérieur",
    "Éducation nationale",
    "Agriculture et souveraineté alimentaire",
    "Transition écologique",
    "Aménagement du territoire et décentralisation",
    "Armées",
    "Justice",
    "Culture",
    "Logement",
]
GROUPS = [
    "Rassemblement National",
    "Ensemble pour la République",
    "La France insoumise - Nouveau Front Populaire",
    "Socialistes et apparentés",
    "Droite Républicaine",
    "Écologiste et Social",
    "Les Démocrates",
    "Horizons & Indépendants",
    "Libertés, Indépendants, Outre-mer et Territoires",
    "Gauche Démocrate et Républicaine",
    "UDR",
]


class Text:
    """Random French-like text, fast: paragraphs drawn from a pool built once."""

    def __init__(self, rng: random.Random, pool: int = 3000) -> None:
        self.rng = rng
        words = list(BASE_WORDS)
        for f in seed_files():  # the real pages' text kept in tests/sites (vocabulary)
            words += re.findall(r"\w+", f.read_text("utf-8", errors="replace").lower())
        # the watch terms' words are left out: only the 5 % chosen to match may match
        vocab = list(dict.fromkeys(w for w in words if len(w) > 1 and not WATCHED.search(w)))
        weights = [1 / (i + 1) for i in range(len(vocab))]
        syll = "ba be bi bo bu ca ce ci co da de di do fa fe fi ga gi la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo".split()
        tail = ["".join(rng.choice(syll) for _ in range(rng.randint(3, 5))) for _ in range(60_000)]
        self.paragraphs = []
        for _ in range(pool):
            n = rng.randint(30, 70)
            ws = rng.choices(vocab, weights=weights, k=n)
            for _ in range(rng.randint(1, 4)):  # the long tail: rare words
                ws.insert(rng.randrange(len(ws)), rng.choice(tail))
            if COMMON_WORD not in ws and rng.random() < 0.9:
                ws.insert(rng.randrange(len(ws)), COMMON_WORD)
            s = " ".join(ws)
            self.paragraphs.append(s[0].upper() + s[1:] + ".")
        self.titles = [
            " ".join(rng.choices(vocab, weights=weights, k=rng.randint(6, 16))).capitalize()
            for _ in range(pool)
        ]

    def body(self, lo: int, hi: int, extra: str = "") -> str:
        target = self.rng.randint(lo, hi)
        parts: list[str] = [extra] if extra else []
        size = len(extra)
        while size < target:
            p = self.rng.choice(self.paragraphs)
            parts.append(p)
            size += len(p) + 1
        return "\n".join(parts)[:hi]

    def title(self) -> str:
        return self.rng.choice(self.titles)[:120]


def _iso(d: datetime) -> str:
    return d.isoformat(timespec="seconds")


def items(n: int, seed: int = 15) -> Iterator[dict]:
    """The N item rows, deterministic for a seed (ids stable across builds)."""
    rng = random.Random(seed)
    text = Text(rng)
    n_an, n_senat = int(n * 0.60), int(n * 0.15)
    for i in range(n):
        when = START + timedelta(seconds=SPAN_DAYS * 86400 * i / n)
        matched = rng.random() < 0.05
        extra = f"Les {MATCH_TERM} sont évoquées." if matched else ""
        if i % RARE_EVERY == RARE_EVERY // 2:
            extra += f" Un {RARE_WORD} apparaît."
        row: dict = {
            "title": text.title(),
            "published": _iso(when),
            "published_raw": when.strftime("%d/%m/%Y"),
            "matched": int(matched),
            "matched_terms": json.dumps([MATCH_TERM] if matched else []),
            "match_fields": json.dumps({MATCH_TERM: ["body"]} if matched else {}),
            "snippet": f"… {extra} …" if matched else None,
            "first_seen": _iso(when + timedelta(hours=2)),
            "last_seen": _iso(when + timedelta(days=rng.randint(1, 30))),
            "content_hash": f"{rng.getrandbits(64):016x}",
        }
        if i < n_an + n_senat:
            an = i < n_an
            number = i + 1 if an else i - n_an + 1
            answered = rng.random() < 0.6
            status = (
                "answered" if answered else rng.choice(["pending"] * 8 + ["signalee", "closed"])
            )
            row.update(
                id=f"QANR5L17QE{number}" if an else f"SENAT-17-{number:07d}",
                source="an" if an else "senat",
                kind="question",
                url=f"https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE{number}"
                if an
                else f"https://www.senat.fr/questions/base/2025/qSEQ{number:08d}.html",
                author=f"{rng.choice(['M.', 'Mme'])} Député{rng.randint(1, 577)}",
                body=text.body(600, 1500, extra),
                followed=int(matched),
                chamber="AN" if an else "SENAT",
                legislature=17,
                qtype="QE",
                number=number,
                rubrique=rng.choice(RUBRIQUES),
                analysis=text.title()[:60],
                group_name=rng.choice(GROUPS),
                circonscription=f"Département {rng.randint(1, 95)} ({rng.randint(1, 9)}e circonscription)",
                ministry_asked=rng.choice(MINISTRIES),
                ministry_answering=rng.choice(MINISTRIES),
                question_jo_page=str(rng.randint(1, 9000)),
                status=status,
                answered_on=_iso(when + timedelta(days=rng.randint(20, 200))) if answered else None,
                answer_jo_page=str(rng.randint(1, 9000)) if answered else None,
                answer_text=text.body(800, 2500) if answered else None,
                source_updated=f"1:{rng.getrandbits(32):08x}",
            )
        else:
            src = SITE_SOURCES[i % len(SITE_SOURCES)]
            url = f"https://{src}.example.org/actualites/article-{i}"
            row.update(
                id=url,
                source=src,
                kind="article",
                url=url,
                author=f"Rédaction {src}",
                body=text.body(1500, 5000, extra),
                followed=0,
                source_updated=json.dumps({"sitemap": _iso(when)}),
            )
        yield row


def build(path: Path, n: int, *, seed: int = 15, batch: int = 5000, progress=print) -> None:
    """Create ``path`` (must not exist) with N items and their versions, alerts, runs, validators."""
    db = open_db(path)
    conn = db.conn
    conn.execute("PRAGMA synchronous = OFF")  # a throw-away build: speed over durability
    conn.execute("PRAGMA cache_size = -400000")  # 400 MB: the indexes and FTS segments grow
    rng = random.Random(seed + 1)
    cols: list[str] | None = None
    buf: list[tuple] = []
    versions: list[tuple] = []
    alerts: list[tuple] = []
    validators: list[tuple] = []
    done = 0

    def flush() -> None:
        nonlocal buf, versions, alerts, validators
        assert cols is not None
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", buf
        )
        conn.executemany(
            "INSERT INTO item_versions (item_id, run_id, changed_at, event, changed_fields, "
            "previous) VALUES (?, ?, ?, ?, ?, ?)",
            versions,
        )
        for item_id, source, event, created, payload in alerts:
            cur = conn.execute(
                "INSERT INTO alerts (event, item_id, source, recipients, mode, payload, status, "
                "attempts, created, sent, message_id) VALUES (?, ?, ?, ?, 'immediate', ?, 'sent', "
                "1, ?, ?, ?)",
                [
                    event,
                    item_id,
                    source,
                    '["veille@example.org"]',
                    payload,
                    created,
                    created,
                    f"<{rng.getrandbits(64):x}@vigie>",
                ],
            )
            conn.execute(
                "INSERT INTO deliveries (alert_id, recipient, message_id, state, attempted_at, "
                "accepted_at) VALUES (?, 'veille@example.org', ?, 'accepted', ?, ?)",
                [cur.lastrowid, f"<{cur.lastrowid}@vigie>", created, created],
            )
        conn.executemany(
            "INSERT INTO http_validators (url, source, etag, last_modified, checked_at) "
            "VALUES (?, ?, ?, ?, ?)",
            validators,
        )
        conn.execute("COMMIT")
        buf, versions, alerts, validators = [], [], [], []

    for row in items(n, seed):
        if cols is None:
            cols = list(row)
        buf.append(tuple(row.get(c) for c in cols))
        if row["kind"] == "question" and rng.random() < 0.3:
            answered = row["status"] == "answered"
            event = "answered" if answered else "ministry"
            prev = (
                {"answer_text": None, "status": "pending"}
                if answered
                else {"ministry_answering": rng.choice(MINISTRIES)}
            )
            versions.append(
                (
                    row["id"],
                    None,
                    row["last_seen"],
                    event,
                    json.dumps(list(prev)),
                    json.dumps(prev, ensure_ascii=False),
                )
            )
            if row["followed"]:
                alerts.append(
                    (
                        row["id"],
                        row["source"],
                        "item_changed",
                        row["last_seen"],
                        json.dumps({"kind": event}),
                    )
                )
        elif row["kind"] == "article" and rng.random() < 0.05:
            prev = {"body": row["body"][: len(row["body"]) * 9 // 10]}
            versions.append(
                (
                    row["id"],
                    None,
                    row["last_seen"],
                    "text",
                    '["body"]',
                    json.dumps(prev, ensure_ascii=False),
                )
            )
        if row["matched"]:
            alerts.append(
                (
                    row["id"],
                    row["source"],
                    "new_match",
                    row["first_seen"],
                    json.dumps({"terms": [MATCH_TERM]}),
                )
            )
        if row["kind"] == "article":
            validators.append(
                (row["url"], row["source"], f'"{row["content_hash"][:12]}"', None, row["last_seen"])
            )
        done += 1
        if len(buf) >= batch:
            flush()
            if done % (batch * 20) == 0:
                progress(f"  {done:,} items")
    if buf:
        flush()
    _runs(conn, rng)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _runs(conn, rng: random.Random) -> None:
    """One run per source per day over the span, as the daemon would have left them."""
    rows = []
    for day in range(SPAN_DAYS):
        when = START + timedelta(days=day)
        for src in ["an", "senat", *SITE_SOURCES]:
            rows.append(
                (
                    src,
                    _iso(when),
                    _iso(when + timedelta(minutes=3)),
                    "ok",
                    rng.randint(5, 40),
                    rng.randint(3, 30),
                    rng.randint(0, 20),
                )
            )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO runs (source, started, ended, outcome, pages_fetched, not_modified, "
        "items_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
