"""Builders of Assemblée nationale *legislative* open-data fixtures (issue 11), hand-built in the
real schema of SITES.md §"Assemblée nationale — legislative work" (field names exactly as there).

``build_story(folder)`` writes a served site folder (MANIFEST.toml for tests/support/siteserver.py)
telling a two-day story around the PPL n° 2504 (``PIONANR5L17B2504``, SECPA):

* day 1 (2026-03-10), in the four dumps: the PPL and its dossier ``DLR5L17N51234``, three
  amendments to it (n° 1 names SECPA in its exposé, n° 2 and n° 3 do not), an unrelated bill
  (``PIONANR5L17B2600``) with one amendment, a sitting transcript with one point on the PPL and one
  unrelated, a commission meeting on the unrelated bill; plus malformed records (amendment without
  ``dateDepot``, document whose title is ``{"@xsi:nil": "true"}``, a reunion without
  ``timeStampDebut``, an amendment with an unknown decision label "Satisfait", a non-legislative
  dossier); the publication list of 2026-03-10 lists the PPL (a version newer than the dump);
  2026-03-09 has no list (404).
* day 2 (2026-03-11), only through the daily list and ``/dyn/opendata/{UID}.json``: amendment
  n° 1 adopted, a commission meeting whose point is the dossier, a new amendment n° 4, a listed
  amendment that is gone (404), a question (not a watched kind), one malformed line.
  The dumps are unchanged (same ETag: 304).
* state ``truncated``: the amendments dump cut mid-way (no central directory).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

NIL = {"@xsi:nil": "true"}
NS = {
    "@xmlns": "http://schemas.assemblee-nationale.fr/referentiel",
    "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
REPO = "/static/openData/repository/17"
DUMP_PATHS = {
    "dossiers": f"{REPO}/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip",
    "amendments": f"{REPO}/loi/amendements_div_legis/Amendements.json.zip",
    "agenda": f"{REPO}/vp/reunions/Agenda.json.zip",
    "debates": f"{REPO}/vp/syceronbrut/syseron.xml.zip",
}
AMO10 = f"{REPO}/amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"

PPL = "PIONANR5L17B2504"
PPL_TITLE = (
    "Proposition de loi visant à la pérennisation du dispositif des structures d'exercice "
    "coordonné participatives"
)
DOSSIER = "DLR5L17N51234"
OTHER_DOC = "PIONANR5L17B2600"
OTHER_DOSSIER = "DLR5L17N52000"
COMMISSION = "PO420120"  # commission des affaires sociales
GROUP = "PO845413"


def amendment_uid(text_num: int, n: int, organe: str = COMMISSION) -> str:
    return f"AMANR5L17{organe}B{text_num}P0D1N{n:06d}"


AM = {n: amendment_uid(2504, n) for n in (1, 2, 3, 4, 5, 99)}
AM_OTHER = amendment_uid(2600, 10)
AM_UNKNOWN = amendment_uid(2600, 11)
SITTING = "CRSANR5L17S2026O1N150"
REUNION_1 = "RUANR5L17S2026IDC400001"
REUNION_2 = "RUANR5L17S2026IDC400002"
REUNION_BAD = "RUANR5L17S2026IDC400009"
DOC_NIL = "PIONANR5L17B2601"
FOLLOWED_NEW = "PIONANR5L17B2700"  # followed, in no dump or list: asked by its uid
DAY1, DAY2, DAY0 = "2026-03-10", "2026-03-11", "2026-03-09"
DUMP_LM = "Tue, 10 Mar 2026 03:00:00 GMT"  # dumps built at 04:00 Paris on day 1
TS_PPL = "2026-03-10T09:00:00.000+01:00"  # listed on day 1, after the dump was built


def make_amendment(
    uid: str,
    number: int,
    text_uid: str,
    *,
    dispositif: str = "<p>Supprimer l&#8217;alinéa 3.</p>",
    expose: str = "<p>Amendement de précision.</p>",
    sort: Any = None,
    etat: Any = "En traitement",
    author: str = "PA795136",
    group: str | None = GROUP,
    cosigners: Any = None,
    tabled: str | None = "2026-02-20",
    decided: str | None = None,
    article: str = "Art. 1er",
) -> dict:
    """``{"amendement": {...}}`` with every node SITES.md names (None = field left out)."""
    life: dict[str, Any] = {
        "dateDepot": tabled,
        "datePublication": tabled,
        "dateSort": decided if decided else NIL,
        "sort": sort if sort is not None else NIL,
        "etatDesTraitements": {"etat": etat, "sousEtat": NIL},
    }
    if tabled is None:
        del life["dateDepot"]
    return {
        "amendement": {
            **NS,
            "uid": uid,
            "legislature": "17",
            "identification": {
                "numeroLong": str(number),
                "numeroOrdreDepot": str(number),
                "prefixeOrganeExamen": "AS",
            },
            "texteLegislatifRef": text_uid,
            "examenRef": f"EXANR5L17PO420120B{text_uid[-4:]}P0D1",
            "signataires": {
                "auteur": {
                    "typeAuteur": "Depute",
                    "acteurRef": author,
                    "groupePolitiqueRef": group if group else NIL,
                },
                "cosignataires": {"acteurRef": cosigners} if cosigners else NIL,
                "libelle": "Mme Ségolène Amiot et plusieurs de ses collègues",
            },
            "pointeurFragmentTexte": {
                "division": {
                    "titre": article,
                    "articleDesignationCourte": article,
                    "type": "ARTICLE",
                }
            },
            "corps": {"contenuAuteur": {"dispositif": dispositif, "exposeSommaire": expose}},
            "cycleDeVie": life,
        }
    }


def make_document(uid: str, number: str, title: Any, dossier: str, tabled: str) -> dict:
    return {
        "document": {
            **NS,
            "@xsi:type": "texteLoi_Type",
            "uid": uid,
            "legislature": "17",
            "denominationStructurelle": "Proposition de loi",
            "titres": {"titrePrincipal": title, "titrePrincipalCourt": NIL},
            "dossierRef": dossier,
            "cycleDeVie": {"chrono": {"dateDepot": tabled, "datePublication": tabled}},
            "auteurs": {"auteur": {"acteur": {"acteurRef": "PA795136", "qualite": "auteur"}}},
            "notice": {"numNotice": number, "formule": "proposition de loi"},
        }
    }


def make_dossier(
    uid: str, title: str, chemin: str, acts: list[dict], xsi: str = "DossierLegislatif_Type"
) -> dict:
    return {
        "dossierParlementaire": {
            **NS,
            "@xsi:type": xsi,
            "uid": uid,
            "legislature": "17",
            "titreDossier": {"titre": title, "titreChemin": chemin, "senatChemin": NIL},
            "actesLegislatifs": {"acteLegislatif": acts[0] if len(acts) == 1 else acts},
        }
    }


def make_act(
    code: str, label: str, date: str | None, text: str | None = None, children: list | None = None
) -> dict:
    act: dict[str, Any] = {
        "@xsi:type": "Etape_Type" if children else "Depot_Type",
        "uid": f"L17-{code}",
        "codeActe": code,
        "libelleActe": {"nomCanonique": label, "libelleCourt": label},
        "organeRef": "PO838901",
        "dateActe": date if date else NIL,
        "texteAssocie": text if text else NIL,
    }
    if children:
        act["actesLegislatifs"] = {"acteLegislatif": children}
    return act


def make_reunion(
    uid: str, start: str | None, organe: str, points: list[dict], *, as_list: bool = True
) -> dict:
    node: Any = points if as_list or len(points) != 1 else points[0]
    reunion: dict[str, Any] = {
        **NS,
        "@xsi:type": "reunionCommission_type",
        "uid": uid,
        "timeStampDebut": start,
        "lieu": {"code": "AN", "libelleLong": "Assemblée nationale, salle 6351"},
        "cycleDeVieChrono": {"etat": "Confirmé"},
        "organeReuniRef": organe,
        "ODJ": {"pointsODJ": {"pointODJ": node}},
    }
    if start is None:
        del reunion["timeStampDebut"]
    return {"reunion": reunion}


def make_point(uid: str, objet: str, dossiers: Any) -> dict:
    return {
        "uid": uid,
        "cycleDeVieChrono": {"etat": "Confirmé"},
        "objet": objet,
        "typePointODJ": "Examen",
        "dossiersLegislatifsRefs": {"dossierRef": dossiers} if dossiers else NIL,
    }


def make_transcript(
    uid: str,
    date_seance: str,
    points: list[tuple[str, str | None, str, list[tuple[str, str, str]]]],
) -> bytes:
    """Syceron XML; ``points`` = (id_syceron, bibard, heading, [(acteur PA, name, text)])."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<compteRendu xmlns="http://schemas.assemblee-nationale.fr/referentiel" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        f"<uid>{uid}</uid>",
        "<seanceRef>RUANR5L17S2026IDS29000</seanceRef>",
        f"<metadonnees><dateSeance>{date_seance}</dateSeance>"
        "<dateSeanceJour>mardi 10 mars 2026</dateSeanceJour><numSeance>150</numSeance></metadonnees>",
        "<contenu>",
        '<paragraphe id_acteur="PA720000" code_grammaire="OUV_SEANCE"><orateurs><orateur>'
        "<nom>Mme la présidente</nom><qualite>présidente</qualite></orateur></orateurs>"
        "<texte>La séance est ouverte.</texte></paragraphe>",
    ]
    for key, bibard, heading, paras in points:
        attrs = f'nivpoint="1" id_syceron="{key}" art=""' + (
            f' bibard="{bibard}"' if bibard else ""
        )
        out.append(f"<point {attrs}><orateurs/><texte>{escape(heading)}</texte>")
        out.append(f'<point nivpoint="2" id_syceron="{key}1"><texte>Discussion générale</texte>')
        for ref, name, said in paras:
            out.append(
                f'<paragraphe id_acteur="{ref}" code_grammaire="PAROLE_GENERIQUE"><orateurs>'
                f"<orateur><nom>{escape(name)}</nom><qualite>députée</qualite></orateur></orateurs>"
                f"<texte>{said}</texte></paragraphe>"
            )
        out.append("</point></point>")
    out += ["</contenu>", "</compteRendu>"]
    return "\n".join(out).encode("utf-8")


def _dump(items: dict[str, Any]) -> bytes:
    return json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# -- the story ---------------------------------------------------------------------------------
SECPA_EXPOSE = (
    "<p>Cet amendement vise &agrave; p&eacute;renniser le financement des <b>SECPA</b> "
    "au-del&amp;agrave; de l&#8217;exp&eacute;rimentation.</p>"
)


def day1_amendments() -> dict[str, dict]:
    return {
        AM[1]: make_amendment(
            AM[1], 1, PPL, expose=SECPA_EXPOSE, cosigners=["PA720000", "PA842279"]
        ),
        AM[2]: make_amendment(
            AM[2],
            2,
            PPL,
            sort={"code": "REJ", "libelle": "Rejeté"},
            decided="2026-03-04",
            etat={"code": "DI", "libelle": "Discuté"},
            cosigners="PA842279",
        ),
        AM[3]: make_amendment(
            AM[3],
            3,
            PPL,
            etat={"code": "IRR", "libelle": "Irrecevable"},
            dispositif="<p>À l&apos;alinéa 2, après le mot&nbsp;: «&nbsp;centres&nbsp;», insérer…</p>",
        ),
        AM[99]: make_amendment(AM[99], 99, PPL, tabled=None),  # malformed: no dateDepot
        AM_OTHER: make_amendment(
            AM_OTHER,
            10,
            OTHER_DOC,
            expose="<p>Entretien des routes.</p>",
            author="PA720000",
            group=None,
        ),
        AM_UNKNOWN: make_amendment(
            AM_UNKNOWN, 11, OTHER_DOC, sort="Satisfait", decided="2026-03-05"
        ),
    }


def day2_amendments() -> dict[str, dict]:
    return {
        AM[1]: make_amendment(
            AM[1],
            1,
            PPL,
            expose=SECPA_EXPOSE,
            cosigners=["PA720000", "PA842279"],
            sort={"code": "ADO", "libelle": "Adopté"},
            decided="2026-03-11",
            etat={"code": "DI", "libelle": "Discuté"},
        ),
        AM[4]: make_amendment(
            AM[4], 4, PPL, tabled="2026-03-11", dispositif="<p>Compléter l'article par…</p>"
        ),
    }


def day1_dossiers() -> dict[str, dict]:
    return {
        PPL: make_document(PPL, "2504", PPL_TITLE, DOSSIER, "2026-02-10"),
        OTHER_DOC: make_document(
            OTHER_DOC,
            "2600",
            "Proposition de loi relative à l'entretien des routes départementales",
            OTHER_DOSSIER,
            "2026-02-25",
        ),
        DOC_NIL: make_document(DOC_NIL, "2601", NIL, OTHER_DOSSIER, "2026-02-26"),  # malformed
        DOSSIER: make_dossier(
            DOSSIER,
            "Pérennisation du dispositif des structures d'exercice coordonné participatives",
            "perennisation_secpa",
            [
                make_act(
                    "AN1",
                    "1ère lecture (1ère assemblée saisie)",
                    None,
                    children=[
                        make_act("AN1-DEPOT", "Dépôt d'une proposition de loi", "2026-02-10", PPL),
                        make_act("AN1-COM", "Travaux des commissions", "2026-03-04"),
                    ],
                )
            ],
        ),
        OTHER_DOSSIER: make_dossier(
            OTHER_DOSSIER,
            "Entretien des routes départementales",
            "routes",
            [make_act("AN1-DEPOT", "Dépôt", "2026-02-25", OTHER_DOC)],
        ),
        "DLR5L17N59999": make_dossier(
            "DLR5L17N59999", "Commission d'enquête", "ce", [], xsi="DossierCommissionEnquete_Type"
        ),
    }


def day1_reunions() -> dict[str, dict]:
    return {
        REUNION_1: make_reunion(
            REUNION_1,
            "2026-03-04T09:30:00.000+01:00",
            COMMISSION,
            [
                make_point(
                    "PTANR5L17S2026IDC400001P1",
                    "Examen de la proposition de loi relative à l'entretien des routes départementales (n° 2600)",
                    OTHER_DOSSIER,
                )
            ],
            as_list=False,  # object instead of list
        ),
        REUNION_BAD: make_reunion(
            REUNION_BAD, None, COMMISSION, [make_point("X", "Audition", None)]
        ),
    }


def day2_reunion() -> dict:
    return make_reunion(
        REUNION_2,
        "2026-03-12T09:30:00.000+01:00",
        COMMISSION,
        [
            make_point("PTANR5L17S2026IDC400002P1", f"{PPL_TITLE} (n° 2504)", [DOSSIER]),
            make_point("PTANR5L17S2026IDC400002P2", "Désignation de rapporteurs", None),
        ],
    )


def day1_transcript() -> bytes:
    return make_transcript(
        SITTING,
        "20260310150000000",
        [
            (
                "3001",
                "2504",
                "Pérennisation des structures d'exercice coordonné participatives",
                [
                    (
                        "PA795136",
                        "Mme Ségolène Amiot",
                        "Les <italique>SECPA</italique> ont fait leurs preuves&#160;: pérennisons-les.",
                    ),
                    ("PA720000", "M. Jean Dupont", "Nous voterons ce texte."),
                ],
            ),
            (
                "3002",
                "2600",
                "Entretien des routes départementales",
                [
                    ("PA720000", "M. Jean Dupont", "Les routes sont en mauvais état."),
                ],
            ),
        ],
    )


def write_dumps(folder: Path, tag: str = "d1") -> dict[str, Path]:
    am = {
        f"json/{DOSSIER if v['amendement']['texteLegislatifRef'] == PPL else OTHER_DOSSIER}/{v['amendement']['texteLegislatifRef']}/{k}.json": _dump(
            v
        )
        for k, v in day1_amendments().items()
    }
    dossiers = {}
    for uid, rec in day1_dossiers().items():
        sub = "dossierParlementaire" if "dossierParlementaire" in rec else "document"
        dossiers[f"json/{sub}/{uid}.json"] = _dump(rec)
    agenda = {f"json/reunion/{k}.json": _dump(v) for k, v in day1_reunions().items()}
    debates = {f"xml/compteRendu/{SITTING}.xml": day1_transcript()}
    return {
        "amendments": write_zip(folder / f"amendements_{tag}.zip", am),
        "dossiers": write_zip(folder / f"dossiers_{tag}.zip", dossiers),
        "agenda": write_zip(folder / f"agenda_{tag}.zip", agenda),
        "debates": write_zip(folder / f"syseron_{tag}.zip", debates),
    }


def publication_list(
    entries: list[tuple[str, str]], base: str = "https://www.assemblee-nationale.fr"
) -> bytes:
    return "".join(f"{ts};{base}/dyn/opendata/{uid}.xml\n" for ts, uid in entries).encode()


DAY1_LIST = [(TS_PPL, PPL)]
DAY2_LIST = [
    ("2026-03-11T10:00:00.000+01:00", AM[1]),
    ("2026-03-11T11:30:00.000+01:00", REUNION_2),
    ("2026-03-11T12:00:00.000+01:00", AM[4]),
    ("2026-03-11T12:05:00.000+01:00", AM[5]),  # listed, gone: 404
    ("2026-03-11T12:10:00.000+01:00", "QANR5L17QE13024"),  # not a watched kind
]


def build_story(folder: Path) -> Path:
    """The served folder for the two-day story (states: ``truncated``)."""
    from tests.support.anfixtures import make_deputy, make_organe, write_deputies_zip

    folder.mkdir(parents=True, exist_ok=True)
    dumps = write_dumps(folder)
    write_deputies_zip(
        folder / "amo10.zip",
        [
            make_deputy(
                "PA795136",
                "Mme",
                "Ségolène",
                "Amiot",
                "Loire-Atlantique",
                "44",
                "3",
                group_ref=GROUP,
            ),
            make_deputy("PA720000", "M.", "Jean", "Dupont", "Ain", "01", "1"),
            make_deputy("PA842279", "Mme", "Estelle", "Youssouffa", "Mayotte", "976", "1"),
        ],
        [
            make_organe(GROUP, "GP", "La France insoumise - Nouveau Front Populaire", "LFI-NFP"),
            make_organe(
                COMMISSION, "COMPER", "Commission des affaires sociales", "Affaires sociales"
            ),
        ],
    )
    truncated = folder / "amendements_truncated.zip"
    truncated.write_bytes(
        dumps["amendments"].read_bytes()[: dumps["amendments"].stat().st_size // 2]
    )
    (folder / "list_day1.txt").write_bytes(publication_list(DAY1_LIST))
    (folder / "list_day2.txt").write_bytes(
        publication_list(DAY2_LIST) + b"garbage line without separator\n"
    )
    docs = {
        FOLLOWED_NEW: _dump(
            make_document(
                FOLLOWED_NEW,
                "2700",
                "Proposition de loi relative aux centres de santé participatifs",
                DOSSIER,
                "2026-03-11",
            )
        ),
        PPL: _dump(day1_dossiers()[PPL]),
        AM[1]: _dump(day2_amendments()[AM[1]]),
        AM[4]: _dump(day2_amendments()[AM[4]]),
        REUNION_2: _dump(day2_reunion()),
    }
    paths: dict[str, dict] = {}
    for uid, data in docs.items():
        (folder / f"{uid}.json").write_bytes(data)
        paths[f"/dyn/opendata/{uid}.json"] = {
            "file": f"{uid}.json",
            "headers": {
                "Content-Type": "application/json; charset=utf-8",
                "Last-Modified": "Wed, 11 Mar 2026 14:00:00 GMT",
            },
        }
    for name, path in dumps.items():
        paths[DUMP_PATHS[name]] = _zip_entry(path)
    paths[AMO10] = _zip_entry(folder / "amo10.zip")
    text = {"Content-Type": "text/plain; charset=utf-8"}
    paths[f"/dyn/opendata/list-publication/publication_{DAY1}"] = {
        "file": "list_day1.txt",
        "headers": text,
    }
    paths[f"/dyn/opendata/list-publication/publication_{DAY2}"] = {
        "file": "list_day2.txt",
        "headers": text,
    }
    states = {"truncated": {DUMP_PATHS["amendments"]: _zip_entry(truncated)}}
    _manifest(folder, paths, states)
    return folder


def _zip_entry(path: Path) -> dict:
    etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:16] + '"'
    return {
        "file": path.name,
        "headers": {"Content-Type": "application/zip", "ETag": etag, "Last-Modified": DUMP_LM},
    }


def _manifest(folder: Path, paths: dict[str, dict], states: dict[str, dict[str, dict]]) -> None:
    what = "hand-built (SITES.md §Assemblée nationale — legislative work) by tests/support/anlegis_fixtures.py"

    def table(name: str, entry: dict) -> list[str]:
        headers = ", ".join(
            f"{json.dumps(k)} = {json.dumps(v)}" for k, v in entry["headers"].items()
        )
        return [
            f"[{name}]",
            f"file = {json.dumps(entry['file'])}",
            f"headers = {{ {headers} }}",
            "",
        ]

    lines = [
        "[site]",
        f"description = {json.dumps('AN legislative open data, two-day story')}",
        f"provenance = {json.dumps(what)}",
        "",
    ]
    for p, entry in paths.items():
        lines += table(f"paths.{json.dumps(p)}", entry)
    for state, table_ in states.items():
        for p, entry in table_.items():
            lines += table(f"states.{state}.paths.{json.dumps(p)}", entry)
    (folder / "MANIFEST.toml").write_text("\n".join(lines), "utf-8")
