"""Builders of Sénat legislative fixtures (issue 12), hand-built in the formats SITES.md §"Sénat —
texts, amendments, dossiers" describes (CSV column names and traps exactly as there; the dossier
page, its Atom feed and the Akoma Ntoso depots list follow the URLs named there, their markup is
assumed: *unverified*).

``build_story(folder)`` writes a served site folder (MANIFEST.toml for tests/support/siteserver.py):

* the PPL n° 2504 of the Assemblée, adopted there and transmitted: Sénat text ``ppl25-400``,
  dossier ``ppl25-400`` whose page links the AN dossier ``DLR5L17N51234`` and the AN text
  (``PIONANR5L17B2504``); its feed has three steps (dépôt, commission, séance);
* the séance CSV set of text 2025-2026/400 with every trap: a title line before the header,
  cp1252, header names with trailing spaces, a tab inside an ``Objet`` (too many cells), a line
  break inside a ``Dispositif`` (too few cells), an ``Objet`` of 160,000 characters, a row
  without ``Numéro``; decisions: Adopté, Retiré avant séance, Irrecevable art. 40 C, Non
  soutenu, Tombé, Sans objet, pending, and an unknown wording;
* the commission set of text 400 (one amendment COM-1, adopted), a configured text
  2025-2026/123 with no amendment yet (404 for both sets);
* depots.xml naming ppl25-400 and an unrelated pjl25-410 (whose dossier page is not online: 404);
* state ``day2``: amendment n° 7 adopted in the séance set, a new amendment n° 8, and two new
  steps in the feed (adoption in séance, CMP).
"""

from __future__ import annotations

import json
from pathlib import Path

SESSION = "2025-2026"
TEXT = "400"
TEXT_ID = "ppl25-400"
OTHER_TEXT_ID = "pjl25-410"
EMPTY_TEXT = "123"
AN_DOSSIER = "DLR5L17N51234"
AN_TEXT = "PIONANR5L17B2504"
TITLE = (
    "Proposition de loi, adoptée par l'Assemblée nationale, visant à la pérennisation du "
    "dispositif des structures d'exercice coordonné participatives"
)
HEADER = [
    "Nature ",
    "Numéro ",
    "Subdivision ",
    "Alinéa",
    "Auteur ",
    "Au nom de ",
    "Date de dépôt ",
    "Dispositif ",
    "Objet ",
    "Sort ",
    "Fiche Sénateur",
    "URL Amendement",
]
SEANCE_CSV = f"/amendements/{SESSION}/{TEXT}/jeu_complet_{SESSION}_{TEXT}.csv"
COMMISSION_CSV = (
    f"/amendements/commissions/{SESSION}/{TEXT}/jeu_complet_commission_{SESSION}_{TEXT}.csv"
)
EMPTY_CSVS = (
    f"/amendements/{SESSION}/{EMPTY_TEXT}/jeu_complet_{SESSION}_{EMPTY_TEXT}.csv",
    f"/amendements/commissions/{SESSION}/{EMPTY_TEXT}/jeu_complet_commission_{SESSION}_{EMPTY_TEXT}.csv",
)
DOSSIER_PAGE = f"/dossier-legislatif/{TEXT_ID}.html"
DOSSIER_FEED = f"/dossier-legislatif/rss/dosleg{TEXT_ID}.xml"
LONG_OBJET_CHARS = 160_000
SECPA_OBJET = (
    "<p>Cet amendement pérennise le financement des structures d'exercice coordonné "
    "participatives (SECPA) au-delà de l'expérimentation de l'article 51.</p>"
)


def amdt_uid(number: str, commission: bool = False) -> str:
    where = f"commissions/{SESSION}" if commission else SESSION
    return f"amendements/{where}/{TEXT}/Amdt_{number}"


def row(
    number: str,
    sort: str,
    *,
    dispositif: str = "<p>Supprimer l'alinéa 3.</p>",
    objet: str = "<p>Amendement de précision.</p>",
    subdivision: str = "Article 1er",
    auteur: str = "Mme SOUYRIS Anne",
    date: str = "20/03/2026",
    commission: bool = False,
    nature: str = "Amt",
) -> list[str]:
    return [
        nature,
        number,
        subdivision,
        "3",
        auteur,
        "",
        date,
        dispositif,
        objet,
        sort,
        "//www.senat.fr/senateur/souyris_anne20110.html",
        f"https://www.senat.fr/{amdt_uid(number, commission)}.html",
    ]


def seance_rows(day: int = 1) -> list[list[str]]:
    rows = [
        row("1", "Adopté", objet=SECPA_OBJET),
        row("2", "Retiré avant séance"),
        row("3", "Irrecevable art. 40 C"),
        row("4", "Non soutenu", objet="<p>Texte\tséparé par une tabulation.</p>"),  # trap: tab
        row("5", "Tombé", dispositif="<p>Première ligne.</p>\n<p>Seconde ligne.</p>"),  # trap: \n
        row(
            "6",
            "Sans objet",
            objet="<p>" + "Très long exposé. " * (LONG_OBJET_CHARS // 18) + "</p>",
        ),
        row("7", "Adopté" if day == 2 else "", subdivision="Article 2"),
        row("9", "Satisfait"),  # unknown wording: status 'unknown', label kept
        row("", "Rejeté"),  # malformed: no Numéro
    ]
    if day == 2:
        rows.append(row("8", "", date="01/04/2026", objet="<p>Nouvel amendement.</p>"))
    return rows


def write_csv(path: Path, rows: list[list[str]], *, title: bool = True) -> bytes:
    """Tab-separated, cp1252, a title line first (the Sénat's layout)."""
    lines = []
    if title:
        lines.append(f"Amendements déposés sur le texte n° {TEXT} ({SESSION})")
    lines.append("\t".join(HEADER))
    lines += ["\t".join(r) for r in rows]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    path.write_bytes(data)
    return data


def dossier_page(site: str = "https://www.senat.fr") -> str:
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Pérennisation des SECPA - Sénat</title></head>
<body>
<nav><a href="/">Accueil</a> &gt; <a href="/dossiers-legislatifs/index.html">Dossiers législatifs</a></nav>
<main>
<h1>{TITLE}</h1>
<p>Ce dossier sur le site de l'Assemblée nationale :
<a href="https://www.assemblee-nationale.fr/dyn/17/dossiers/{AN_DOSSIER}">dossier législatif</a></p>
<ul>
<li>Texte n° 2504 déposé à l'Assemblée nationale :
<a href="https://www.assemblee-nationale.fr/dyn/17/textes/l17b2504_proposition-loi">proposition de loi</a></li>
<li>Texte n° {TEXT} ({SESSION}) transmis au Sénat le 18 mars 2026 :
<a href="/leg/{TEXT_ID}.html">texte</a> —
<a href="/amendements/{SESSION}/{TEXT}/accueil.html">amendements de séance</a> —
<a href="/amendements/commissions/{SESSION}/{TEXT}/accueil.html">amendements de commission</a></li>
</ul>
</main></body></html>
"""


STEPS_DAY1 = [
    ("Dépôt du texte transmis par l'Assemblée nationale", "2026-03-18", f"/leg/{TEXT_ID}.html"),
    ("Rapport de la commission des affaires sociales", "2026-03-25", "/rap/r25-450/r25-450.html"),
    ("Discussion en séance publique", "2026-04-01", "/seances/s202604/s20260401/s20260401.html"),
]
STEPS_DAY2 = STEPS_DAY1 + [
    ("Adoption en séance publique", "2026-04-02", "/leg/tas25-090.html"),
    ("Commission mixte paritaire convoquée", "2026-04-08", "/cmp/cmp25-400.html"),
]


def dossier_feed(steps: list[tuple[str, str, str]]) -> str:
    entries = "\n".join(
        f"""  <entry>
    <title>{label}</title>
    <link rel="alternate" href="https://www.senat.fr{href}"/>
    <id>https://www.senat.fr/dossier-legislatif/{TEXT_ID}.html#{n}</id>
    <updated>{when}T00:00:00+02:00</updated>
    <summary>{label}</summary>
  </entry>"""
        for n, (label, when, href) in enumerate(steps, 1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Sénat - Pérennisation des SECPA</title>
  <link rel="self" href="https://www.senat.fr/dossier-legislatif/rss/dosleg{TEXT_ID}.xml"/>
  <id>https://www.senat.fr/dossier-legislatif/{TEXT_ID}.html</id>
  <updated>{steps[-1][1]}T00:00:00+02:00</updated>
{entries}
</feed>
"""


def depots_xml() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
  <documentCollection name="depots">
    <meta>
      <identification source="#senat">
        <FRBRWork><FRBRthis value="/akn/fr/documentCollection/senat/depots/main"/>
          <FRBRdate date="2026-03-19" name="generation"/></FRBRWork>
      </identification>
    </meta>
    <collectionBody>
      <component eId="cmp_1">
        <documentRef href="/akn/fr/bill/2026-03-18/senat/{TEXT_ID}/fra@/main.xml" showAs="{TITLE}"/>
      </component>
      <component eId="cmp_2">
        <documentRef href="/akn/fr/bill/2026-03-19/senat/{OTHER_TEXT_ID}/fra@/main.xml"
          showAs="Projet de loi relatif à l'entretien des routes départementales"/>
      </component>
    </collectionBody>
  </documentCollection>
</akomaNtoso>
"""


def build_story(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "seance_d1.csv", seance_rows(1))
    write_csv(folder / "seance_d2.csv", seance_rows(2))
    write_csv(
        folder / "commission.csv",
        [row("COM-1", "Adopté", commission=True, objet=SECPA_OBJET, nature="Amt")],
    )
    (folder / "dossier.html").write_text(dossier_page(), "utf-8")
    (folder / "feed_d1.xml").write_text(dossier_feed(STEPS_DAY1), "utf-8")
    (folder / "feed_d2.xml").write_text(dossier_feed(STEPS_DAY2), "utf-8")
    (folder / "depots.xml").write_text(depots_xml(), "utf-8")
    csv_h = {"Content-Type": "text/csv; charset=windows-1252"}
    paths = {
        SEANCE_CSV: {"file": "seance_d1.csv", "headers": {**csv_h, "ETag": '"s-1"'}},
        COMMISSION_CSV: {"file": "commission.csv", "headers": {**csv_h, "ETag": '"c-1"'}},
        DOSSIER_PAGE: {
            "file": "dossier.html",
            "headers": {"Content-Type": "text/html; charset=utf-8"},
        },
        DOSSIER_FEED: {
            "file": "feed_d1.xml",
            "headers": {"Content-Type": "application/atom+xml; charset=utf-8"},
        },
        "/akomantoso/depots.xml": {
            "file": "depots.xml",
            "headers": {"Content-Type": "application/xml; charset=utf-8", "ETag": '"d-1"'},
        },
    }
    states = {
        "day2": {
            SEANCE_CSV: {"file": "seance_d2.csv", "headers": {**csv_h, "ETag": '"s-2"'}},
            DOSSIER_FEED: {
                "file": "feed_d2.xml",
                "headers": {"Content-Type": "application/atom+xml; charset=utf-8"},
            },
        }
    }
    _manifest(folder, paths, states)
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    return folder


def _manifest(folder: Path, paths: dict[str, dict], states: dict[str, dict[str, dict]]) -> None:
    what = (
        "hand-built (SITES.md §Sénat — texts, amendments, dossiers) by "
        "tests/support/senatlegis_fixtures.py"
    )

    def table(name: str, entry: dict) -> list[str]:
        headers = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(v, ensure_ascii=False)}"
            for k, v in entry["headers"].items()
        )
        return [
            f"[{name}]",
            f"file = {json.dumps(entry['file'])}",
            f"headers = {{ {headers} }}",
            "",
        ]

    lines = [
        "# Sénat legislative fixtures (issue 12), every file HAND-BUILT by",
        "# tests/support/senatlegis_fixtures.py (python -m tests.support.senatlegis_fixtures DIR).",
        "# CSV column names and traps as SITES.md says (zam, Tricoteuses); page, feed and depots",
        "# markup ASSUMED from the URLs SITES.md names; numbers, names, dates and texts INVENTED,",
        "# except the PPL n° 2504 (uid PIONANR5L17B2504) and its title given by issue 11.",
        "",
        "[site]",
        f"description = {json.dumps('Sénat texts, amendment CSV sets, a dossier page and feed')}",
        'captured = "2026-04-01"',
        f"provenance = {json.dumps(what, ensure_ascii=False)}",
        "",
    ]
    for p, entry in paths.items():
        lines += table(f"paths.{json.dumps(p)}", entry)
    for state, table_ in states.items():
        for p, entry in table_.items():
            lines += table(f"states.{state}.paths.{json.dumps(p)}", entry)
    (folder / "MANIFEST.toml").write_text("\n".join(lines), "utf-8")


if __name__ == "__main__":
    import sys

    print(build_story(Path(sys.argv[1])))
