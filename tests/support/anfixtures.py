"""Builders of Assemblée nationale and Sénat open-data fixtures, shared by tests and benchmarks.

Records follow the real AN schema: the structure of the saved QG sample
(``tests/sites/an/QANR5L17QG1.trimmed.json``, a copy of the researchers' saved sample) plus the
QE nodes of the published AN schema (``textesQuestion.texteQuestion.{infoJO,texte}``,
``signalement``, ``renouvellements``).
Zips are written at test time (no binary fixture is committed).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_TEXT = (
    "Mme Ségolène Amiot interpelle Mme la ministre de la santé sur l&#8217;urgence de pérenniser "
    "l'expérimentation dite <i>SECPa</i> (structures d'exercice coordonné participatif)."
)
DEFAULT_ANSWER = "<p>Le Gouvernement a décidé de prolonger le financement des SECPA en 2026.</p>"
SANTE = ("Santé, familles, autonomie", "Santé, familles, autonomie et personnes handicapées")


def _date(iso: str, old: bool) -> str:
    if not old:
        return iso
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _info_jo(type_jo: str, date: str | None, page: str | None, num: str | None) -> dict:
    return {
        "typeJO": type_jo,
        "dateJO": date,
        "pageJO": page,
        "numJO": num,
        "urlLegifrance": None,
        "referenceNOR": None,
    }


def _organe(ref: str, names: tuple[str, str]) -> dict:
    return {"organeRef": ref, "abrege": names[0], "developpe": names[1]}


def _node(items: list[dict], as_list: bool) -> dict | list[dict]:
    return items if as_list else items[-1]


def make_an_record(
    uid_num: int,
    *,
    legislature: int = 17,
    qtype: str = "QE",
    text: str = DEFAULT_TEXT,
    answered: bool = False,
    answer_text: str | None = None,
    list_nodes: bool = False,
    old_dates: bool = False,
    closed: tuple[str, str] | None = None,
    signalee: bool = False,
    renewals: int = 0,
    rubrique: str | None = "santé",
    tete_analyse: str | None = "Pérennisation de l'expérimentation SECPA",
    analyse: str | None = "Structures d'exercice coordonné participatif",
    author_ref: str = "PA795136",
    group: tuple[str, str] | None = ("LFI-NFP", "La France insoumise - Nouveau Front Populaire"),
    ministry_asked: tuple[str, str] = SANTE,
    ministry_answering: tuple[str, str] = SANTE,
    question_date: str = "2026-02-17",
    question_page: str = "1349",
    answer_date: str = "2026-04-14",
    answer_page: str = "3012",
) -> dict:
    """One record ``{"question": {...}}``; dates are given ISO and rendered old-style on demand.

    ``list_nodes`` turns texteQuestion, texteReponse, minAttrib and analyse into lists whose LAST
    element is the current one (an earlier, superseded element comes first). ``closed`` is
    ``(codeCloture, libelleCloture)``; ``answered`` adds the answer and the REP_PUB closure.
    """
    uid = f"QANR5L{legislature}{qtype}{uid_num}"
    qd, ad = _date(question_date, old_dates), _date(answer_date, old_dates)
    is_qg = qtype == "QG"
    jo_type = "JO_DEBAT" if is_qg else "JO_QUESTION"
    answered = answered or answer_text is not None
    answer_text = answer_text if answer_text is not None else DEFAULT_ANSWER

    attribs = [
        {
            "infoJO": _info_jo(jo_type, qd, None, None),
            "denomination": _organe("PO1", ("Ancien", "Ministère d'avant")),
        },
        {
            "infoJO": _info_jo(jo_type, qd, None, None),
            "denomination": _organe("PO900001", ministry_answering),
        },
    ]
    questions = [
        {
            "infoJO": _info_jo(jo_type, qd, "1", "1"),
            "texte": "(version superseded by an erratum)",
            "erratum": None,
        },
        {"infoJO": _info_jo(jo_type, qd, question_page, "7"), "texte": text, "erratum": None},
    ]
    answers = [
        {"infoJO": _info_jo(jo_type, ad, "1", "1"), "texte": "(superseded)", "erratum": None},
        {"infoJO": _info_jo(jo_type, ad, answer_page, "15"), "texte": answer_text, "erratum": None},
    ]
    analyses = ["(analyse ancienne)", analyse] if analyse else []
    if not list_nodes:
        attribs, questions, answers, analyses = (
            attribs[-1:],
            questions[-1:],
            answers[-1:],
            analyses[-1:],
        )

    closure: dict | None = None
    if answered:
        closure = {
            "codeCloture": "REP_PUB",
            "libelleCloture": "Réponse publiée",
            "dateCloture": ad,
            "infoJO": _info_jo(jo_type, ad, answer_page, "15"),
        }
    elif closed:
        closure = {
            "codeCloture": closed[0],
            "libelleCloture": closed[1],
            "dateCloture": ad,
            "infoJO": _info_jo(jo_type, ad, None, None),
        }
    renouvellements: Any = None
    if renewals:
        items = [
            {"dateRenouvellement": qd, "infoJO": _info_jo(jo_type, qd, None, str(20 + i))}
            for i in range(renewals)
        ]
        renouvellements = {"renouvellement": items if renewals > 1 else items[0]}
    q: dict[str, Any] = {
        "@xmlns": "http://schemas.assemblee-nationale.fr/referentiel",
        "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "@xsi:type": "QuestionGouvernement_Type" if is_qg else "QuestionEcrite_Type",
        "uid": uid,
        "identifiant": {
            "numero": str(uid_num),
            "regime": "5eme Republique",
            "legislature": str(legislature),
        },
        "type": qtype,
        "indexationAN": {
            "rubrique": rubrique,
            "rubriqueTA": None,
            "teteAnalyse": tete_analyse,
            "analyses": {"analyse": _node(analyses, list_nodes)} if analyses else None,
        },
        "auteur": {
            "identite": {"acteurRef": author_ref, "mandatRef": "PM842426"},
            "groupe": {"organeRef": "PO845413", "abrege": group[0], "developpe": group[1]}
            if group
            else None,
        },
        "minInt": _organe("PO900001", ministry_asked),
        "minAttribs": {"minAttrib": _node(attribs, list_nodes)},
        "textesQuestion": None if is_qg else {"texteQuestion": _node(questions, list_nodes)},
        "textesReponse": {"texteReponse": _node(answers, list_nodes)} if answered else None,
        "cloture": closure,
        "signalement": (
            {
                "dateDepotSignal": _date("2026-03-24", old_dates),
                "infoJO": _info_jo(jo_type, qd, None, "12"),
            }
            if signalee
            else None
        ),
        "renouvellements": renouvellements,
    }
    return {"question": q}


def write_an_zip(
    path: str | Path, records: Sequence[dict], *, corrupt_member: str | None = None
) -> Path:
    """Write ``json/{uid}.json`` members (the dumps' layout), deflated; optionally corrupt one.

    The corrupt member is stored uncompressed and one byte of its data is flipped after writing,
    so reading it fails the CRC check while the archive directory stays valid.
    """
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("json/"), b"")
        for record in records:
            name = f"json/{record['question']['uid']}.json"
            body = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
            stored = name == corrupt_member
            zf.writestr(
                name, body, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            )
    if corrupt_member:
        _flip_member_byte(path, corrupt_member)
    return path


def _flip_member_byte(path: Path, member: str) -> None:
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    raw = bytearray(path.read_bytes())
    name_len = int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    raw[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def make_deputy(
    uid: str,
    civ: str,
    prenom: str,
    nom: str,
    departement: str,
    num_departement: str,
    num_circo: str,
    *,
    group_ref: str | None = None,
) -> dict:
    """One ``acteur`` in the AMO10 layout (hand-built from the AN open-data schema)."""
    mandats: list[dict] = [
        {
            "@xsi:type": "MandatParlementaire_type",
            "uid": f"PM{uid[2:]}1",
            "acteurRef": uid,
            "legislature": "17",
            "typeOrgane": "ASSEMBLEE",
            "dateDebut": "2024-07-08",
            "dateFin": None,
            "infosQualite": {
                "codeQualite": "membre",
                "libQualite": "membre",
                "libQualiteSex": "membre",
            },
            "organes": {"organeRef": "PO838901"},
            "election": {
                "lieu": {
                    "region": None,
                    "regionType": None,
                    "departement": departement,
                    "numDepartement": num_departement,
                    "numCirco": num_circo,
                },
                "causeMandat": "élections générales",
                "refCirconscription": f"PO9{num_departement}{num_circo}",
            },
        }
    ]
    if group_ref:
        mandats.append(
            {
                "@xsi:type": "MandatSimple_Type",
                "uid": f"PM{uid[2:]}2",
                "acteurRef": uid,
                "legislature": "17",
                "typeOrgane": "GP",
                "dateDebut": "2024-07-18",
                "dateFin": None,
                "infosQualite": {
                    "codeQualite": "Membre",
                    "libQualite": "Membre",
                    "libQualiteSex": "Membre",
                },
                "organes": {"organeRef": group_ref},
            }
        )
    return {
        "acteur": {
            "@xmlns": "http://schemas.assemblee-nationale.fr/referentiel",
            "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "uid": {"@xsi:type": "IdActeur_type", "#text": uid},
            "etatCivil": {
                "ident": {
                    "civ": civ,
                    "prenom": prenom,
                    "nom": nom,
                    "alpha": nom,
                    "trigramme": None,
                },
                "infoNaissance": {
                    "dateNais": None,
                    "villeNais": None,
                    "depNais": None,
                    "paysNais": None,
                },
                "dateDeces": None,
            },
            "mandats": {"mandat": mandats if len(mandats) > 1 else mandats[0]},
        }
    }


def make_organe(uid: str, code_type: str, libelle: str, abrege: str) -> dict:
    return {
        "organe": {
            "@xmlns": "http://schemas.assemblee-nationale.fr/referentiel",
            "uid": uid,
            "codeType": code_type,
            "libelle": libelle,
            "libelleAbrege": abrege,
            "libelleAbrev": abrege,
        }
    }


def write_deputies_zip(
    path: str | Path, deputies: Iterable[dict], organes: Iterable[dict] = ()
) -> Path:
    """The AMO10 zip: ``json/acteur/PA*.json`` and ``json/organe/PO*.json``."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for dep in deputies:
            uid = dep["acteur"]["uid"]["#text"]
            zf.writestr(f"json/acteur/{uid}.json", json.dumps(dep, ensure_ascii=False))
        for org in organes:
            zf.writestr(
                f"json/organe/{org['organe']['uid']}.json", json.dumps(org, ensure_ascii=False)
            )
    return path


SENAT_COLUMNS = [
    "Nature",
    "Numéro",
    "Référence",
    "Titre",
    "Texte",
    "Rubrique",
    "Civilité",
    "Prénom",
    "Nom",
    "Circonscription",
    "Groupe",
    "Sort",
    "Date de publication JO",
    "Ministère de dépôt",
    "Ministère de réponse",
    "Date de publication JO réponse",
    "Réponse",
    "URL Question",
]


def write_senat_csv(
    path_or_bytes: str | Path | None,
    rows: Iterable[dict[str, str]],
    encoding: str = "cp1252",
    *,
    columns: Sequence[str] = SENAT_COLUMNS,
    bom: bool = False,
) -> bytes:
    """``;``-separated CSV as data.senat.fr serves it; returns the bytes, writes them if a path is given.

    ``rows`` are dicts keyed by column name; missing keys are empty cells.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    body = ("\ufeff" if bom else "") + out.getvalue()
    data = body.encode(encoding)
    if path_or_bytes is not None:
        Path(path_or_bytes).write_bytes(data)
    return data


MINISTRY = "Ministère de la santé, des familles, de l'autonomie et des personnes handicapées"


def make_senat_row(number: int, **overrides: str) -> dict[str, str]:
    """One Sénat CSV row (column name → cell); answered when ``Réponse`` is given."""
    ref = f"SEQ2602{number:05d}"
    row = {
        "Nature": "QE",
        "Numéro": f"{number:05d}",
        "Référence": ref,
        "Titre": "Avenir des structures d'exercice coordonné participatives",
        "Texte": (
            "Mme Anne Souyris attire l'attention de Mme la ministre sur la Sécurité sociale des SECPA."
        ),
        "Rubrique": "Sécurité sociale",
        "Civilité": "Mme",
        "Prénom": "Anne",
        "Nom": "Souyris",
        "Circonscription": "Paris",
        "Groupe": "GEST",
        "Sort": "En attente de réponse",
        "Date de publication JO": "05/02/2026",
        "Ministère de dépôt": MINISTRY,
        "Ministère de réponse": MINISTRY,
        "URL Question": f"https://www.senat.fr/questions/base/2026/q{ref}.html",
    }
    row.update(overrides)
    return row
