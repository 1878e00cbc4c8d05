"""Builders of JORF open-data fixtures (issue 12): DILA incremental archives
``JORF_YYYYMMDD-HHMMSS.tar.gz`` hand-built in the layout SITES.md §"Journal officiel" describes
(``…/texte/version/…/JORFTEXT*.xml`` with META NATURE, NOR, DATE_PUBLI, TITREFULL, MINISTERE;
``…/article/…/JORFARTI*.xml`` with CONTENU in HTML; ``…/conteneur/…/JORFCONT*.xml``). Element
nesting follows DILA's published schema names (TEXTE_VERSION/META/META_COMMUN…, ARTICLE/CONTEXTE/
TEXTE@cid); values (ids, NOR, dates, texts) are INVENTED.

``build_story(folder)`` writes a served folder under ``/OPENDATA/JORF/``:

* ``JORF_20260301-213000`` (before ``since`` in the tests: never asked);
* ``JORF_20260303-213015``: the SECPA arrêté (``JORFTEXT000053123456``, visas citing article
  L. 162-31-1 du code de la sécurité sociale, article 51), an unrelated décret, a DECISION (not
  a watched nature in the tests), a container file and one malformed XML member;
* ``JORF_20260304-213012``: an unrelated avis;
* ``JORF_20260305-213000``: served truncated (state ``fixed`` serves it whole: one more avis);
* ``JORF_20260310-213020``: a correction of the SECPA arrêté (same JORFTEXT id, DATE_PUBLI of
  2026-03-04, article 2 corrected).

``make_archive`` is also the generator of ``bench/jorf_archive.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

SECPA_ID = "JORFTEXT000053123456"
SECPA_NOR = "SPSS2605432A"
DECRET_ID = "JORFTEXT000053123500"
DECISION_ID = "JORFTEXT000053123600"
AVIS_ID = "JORFTEXT000053124000"
AVIS_LATE_ID = "JORFTEXT000053125000"
OLD_ID = "JORFTEXT000053100000"
SECPA_TITLE = (
    "Arrêté du 25 février 2026 relatif à la prolongation de l'expérimentation des structures "
    "d'exercice coordonné participatives"
)
MINISTRY = "Ministère du travail, de la santé, des solidarités et des familles"
A1, A2, A3 = "JORFARTI000053123457", "JORFARTI000053123458", "JORFARTI000053123459"
OLD, A, B, TRUNC, C = (
    "JORF_20260301-213000.tar.gz",
    "JORF_20260303-213015.tar.gz",
    "JORF_20260304-213012.tar.gz",
    "JORF_20260305-213000.tar.gz",
    "JORF_20260310-213020.tar.gz",
)
BASE = "/OPENDATA/JORF"


@dataclass
class Art:
    id: str
    num: str
    html: str


@dataclass
class Txt:
    id: str
    nature: str
    nor: str
    date_publi: str
    title: str
    ministry: str = MINISTRY
    visas: str = ""
    num: str = ""
    articles: list[Art] = field(default_factory=list)


def _path(kind: str, ident: str) -> str:
    digits = ident[-12:]
    parts = "/".join(digits[i : i + 2] for i in range(0, 10, 2))
    folder = {"texte": "texte/version/JORF/TEXT", "article": "article/JORF/ARTI"}[kind]
    return f"jorf/global/{folder}/{parts}/{ident}.xml"


def text_xml(t: Txt) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TEXTE_VERSION>
<META>
<META_COMMUN><ID>{t.id}</ID><ANCIEN_ID/><ORIGINE>JORF</ORIGINE><URL>{_path("texte", t.id)}</URL><NATURE>{t.nature}</NATURE></META_COMMUN>
<META_SPEC><META_TEXTE_CHRONICLE><CID>{t.id}</CID><NUM>{t.num}</NUM><NUM_SEQUENCE>0</NUM_SEQUENCE><NOR>{t.nor}</NOR><DATE_PUBLI>{t.date_publi}</DATE_PUBLI><DATE_TEXTE>{t.date_publi}</DATE_TEXTE><DERNIERE_MODIFICATION>{t.date_publi}</DERNIERE_MODIFICATION><ORIGINE_PUBLI>JORF n°0053 du {t.date_publi}</ORIGINE_PUBLI><PAGE_DEB_PUBLI/><PAGE_FIN_PUBLI/></META_TEXTE_CHRONICLE>
<META_TEXTE_VERSION><TITRE>{t.title}</TITRE><TITREFULL>{t.title}</TITREFULL><ETAT/><DATE_DEBUT/><DATE_FIN/><AUTORITE/><MINISTERE>{t.ministry}</MINISTERE><MCS_TXT/><LIENS/></META_TEXTE_VERSION></META_SPEC>
</META>
<VISAS><CONTENU>{t.visas}</CONTENU></VISAS>
<SIGNATAIRES><CONTENU><p>Fait le {t.date_publi}.</p></CONTENU></SIGNATAIRES>
<NOTA><CONTENU/></NOTA><ABRO><CONTENU/></ABRO><RECT><CONTENU/></RECT>
</TEXTE_VERSION>
""".encode()


def article_xml(t: Txt, a: Art) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ARTICLE>
<META>
<META_COMMUN><ID>{a.id}</ID><ANCIEN_ID/><ORIGINE>JORF</ORIGINE><URL>{_path("article", a.id)}</URL><NATURE>Article</NATURE></META_COMMUN>
<META_SPEC><META_ARTICLE><NUM>{a.num}</NUM><ETAT/><DATE_DEBUT>{t.date_publi}</DATE_DEBUT><DATE_FIN>2999-01-01</DATE_FIN><TYPE>AUTONOME</TYPE></META_ARTICLE></META_SPEC>
</META>
<CONTEXTE><TEXTE autorite="" cid="{t.id}" date_publi="{t.date_publi}" date_signature="{t.date_publi}" ministere="{t.ministry}" nature="{t.nature}" nor="{t.nor}" num="{t.num}"><TITRE_TXT c_titre_court="" debut="{t.date_publi}" fin="2999-01-01" id_txt="{t.id}">{t.title}</TITRE_TXT></TEXTE></CONTEXTE>
<VERSIONS><VERSION etat=""><LIEN_ART debut="{t.date_publi}" etat="" fin="2999-01-01" id="{a.id}" num="{a.num}" origine="JORF"/></VERSION></VERSIONS>
<NOTA><CONTENU/></NOTA>
<BLOC_TEXTUEL><CONTENU>{a.html}</CONTENU></BLOC_TEXTUEL>
<LIENS/>
</ARTICLE>
""".encode()


def container_xml(ident: str, day: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<JO><META><META_COMMUN><ID>{ident}</ID><NATURE>JO</NATURE></META_COMMUN>
<META_SPEC><META_CONTENEUR><TITRE>JORF n°0053 du {day}</TITRE><DATE_PUBLI>{day}</DATE_PUBLI></META_CONTENEUR></META_SPEC></META>
<STRUCTURE_TXT/></JO>
""".encode()


def make_archive(name: str, texts: list[Txt], extra: dict[str, bytes] | None = None) -> bytes:
    """A tar.gz laid out as DILA's increments: ``{stamp}/jorf/global/…``; articles before
    their text for some texts (archive order is not text order)."""
    stamp = name.removeprefix("JORF_").removesuffix(".tar.gz")
    members: dict[str, bytes] = {}
    for i, t in enumerate(texts):
        arts = {f"{stamp}/{_path('article', a.id)}": article_xml(t, a) for a in t.articles}
        txt = {f"{stamp}/{_path('texte', t.id)}": text_xml(t)}
        members.update({**arts, **txt} if i % 2 else {**txt, **arts})
    for k, v in (extra or {}).items():
        members[f"{stamp}/{k}"] = v
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for path, data in members.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime = len(data), 1772400000
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)  # byte-identical on every build


# -- the story ---------------------------------------------------------------------------------
SECPA_VISAS = (
    "<p>La ministre du travail, de la santé, des solidarités et des familles,</p>"
    "<p>Vu le code de la sécurité sociale, notamment son article L. 162-31-1&#160;;</p>"
    "<p>Vu l'arrêté du 8 mars 2024 fixant le cahier des charges de l'expérimentation des "
    "structures d'exercice coordonné participatives,</p><p>Arrête&#160;:</p>"
)


def secpa(corrected: bool = False) -> Txt:
    art2 = (
        "<p>Le montant de la dotation forfaitaire est porté à <b>150&#160;000&#160;euros</b> "
        "par structure.</p>"
        if corrected
        else "<p>Le montant de la dotation forfaitaire est porté à <b>15&#160;000&#160;euros</b> "
        "par structure.</p>"
    )
    return Txt(
        SECPA_ID,
        "ARRETE",
        SECPA_NOR,
        "2026-03-04",
        SECPA_TITLE,
        visas=SECPA_VISAS,
        articles=[
            Art(
                A1,
                "1",
                "<p>L'expérimentation des structures d'exercice coordonné participatives "
                "(SECPA), conduite au titre de l'article 51 de la loi n° 2017-1836 du 30 "
                "décembre 2017, est prolongée jusqu'au 31 décembre 2027.</p>",
            ),
            Art(A2, "2", art2),
            Art(
                A3,
                "3",
                "<p>Le directeur de la sécurité sociale est chargé de l'exécution du présent "
                "arrêté, qui sera publié au <i>Journal officiel</i> de la République française.</p>",
            ),
        ],
    )


def decret() -> Txt:
    return Txt(
        DECRET_ID,
        "DECRET",
        "TRER2603210D",
        "2026-03-04",
        "Décret n° 2026-150 du 2 mars 2026 relatif à l'entretien des routes départementales",
        ministry="Ministère de l'aménagement du territoire",
        num="2026-150",
        articles=[Art("JORFARTI000053123501", "1", "<p>Les routes sont entretenues.</p>")],
    )


def decision() -> Txt:
    return Txt(
        DECISION_ID,
        "DECISION",
        "CSAX2600001S",
        "2026-03-04",
        "Décision n° 2026-12 du 1er mars 2026 portant nomination",
        articles=[Art("JORFARTI000053123601", "1", "<p>Est nommé…</p>")],
    )


def avis(ident: str, day: str) -> Txt:
    return Txt(
        ident,
        "AVIS",
        "ECOI2600000V",
        day,
        f"Avis relatif à l'indice des prix du {day}",
        ministry="Ministère de l'économie",
        articles=[],
    )


def listing(names: list[str]) -> bytes:
    rows = "\n".join(f'<a href="{n}">{n}</a>{" " * 8}04-Mar-2026 21:30  1.2M' for n in names)
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of {BASE}</title></head><body>
<h1>Index of {BASE}</h1><pre><a href="?C=N;O=D">Name</a>  <a href="?C=M;O=A">Last modified</a>  <a href="?C=S;O=A">Size</a>
<hr><a href="/OPENDATA/">Parent Directory</a>                                  -
<a href="Freemium_jorf_global_20250713-140000.tar.gz">Freemium_jorf_global_20250713-140000.tar.gz</a> 13-Jul-2025 14:00  1.6G
{rows}
<hr></pre></body></html>
""".encode()


def build_story(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    archives = {
        OLD: make_archive(OLD, [avis(OLD_ID, "2026-03-02")]),
        A: make_archive(
            A,
            [secpa(), decret(), decision()],
            {
                "jorf/global/conteneur/JORF/CONT/00/00/53/12/00/JORFCONT000053120000.xml": container_xml(
                    "JORFCONT000053120000", "2026-03-04"
                ),
                "jorf/global/texte/version/JORF/TEXT/00/00/53/99/99/JORFTEXT000053999999.xml": b"<TEXTE_VERSION><META>cut",
            },
        ),
        B: make_archive(B, [avis(AVIS_ID, "2026-03-05")]),
        TRUNC: make_archive(TRUNC, [avis(AVIS_LATE_ID, "2026-03-06")]),
        C: make_archive(C, [secpa(corrected=True)]),
    }
    for name, data in archives.items():
        (folder / name).write_bytes(data)
    whole = archives[TRUNC]
    (folder / f"{TRUNC}.truncated").write_bytes(whole[: len(whole) // 2])
    (folder / "index.html").write_bytes(listing(sorted(archives)))
    gz = {"Content-Type": "application/x-gzip"}
    paths = {
        f"{BASE}/": {"file": "index.html", "headers": {"Content-Type": "text/html;charset=UTF-8"}}
    }
    for name in archives:
        paths[f"{BASE}/{name}"] = {
            "file": name if name != TRUNC else f"{TRUNC}.truncated",
            "headers": gz,
        }
    states = {"fixed": {f"{BASE}/{TRUNC}": {"file": TRUNC, "headers": gz}}}
    _manifest(folder, paths, states)
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    return folder


def _manifest(folder: Path, paths: dict[str, dict], states: dict[str, dict[str, dict]]) -> None:
    what = "hand-built (SITES.md §Journal officiel (JORF) — DILA open data) by tests/support/jorf_fixtures.py"

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
        "# JORF open-data fixtures (issue 12), every file HAND-BUILT by tests/support/jorf_fixtures.py",
        "# (python -m tests.support.jorf_fixtures DIR): archive layout, file names and META element",
        "# names as SITES.md and DILA's schema say; ids, NOR, dates and texts INVENTED.",
        f"# {TRUNC} is served cut in half (a truncated download); state 'fixed' serves it whole.",
        "",
        "[site]",
        f"description = {json.dumps('DILA JORF incremental archives: listing and tar.gz')}",
        'captured = "2026-03-10"',
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
