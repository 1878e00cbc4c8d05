"""Deputies from the AN AMO10 dump (``AMO10_deputes_actifs_mandats_actifs_organes.json.zip``).

Question records carry only the author's ``PA…`` id; this maps it to a display name and a
circonscription. Layout (AN open-data schema): ``json/acteur/PA*.json`` with root ``acteur``
(``uid.#text``, ``etatCivil.ident.{civ,prenom,nom}``, ``mandats.mandat`` object-or-list; the
``typeOrgane == "ASSEMBLEE"`` mandate has ``election.lieu.{departement,numDepartement,numCirco}``)
and ``json/organe/PO*.json`` with root ``organe`` (``uid``, ``codeType``, ``libelle``), used here
for the political group (``typeOrgane == "GP"`` mandate).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from spiders.parse.an_dump import iter_dump


@dataclass(frozen=True)
class Deputy:
    uid: str
    name: str  # "Mme Ségolène Amiot"
    circonscription: str | None  # "Loire-Atlantique (3e circonscription)"
    group: str | None = None  # organe libelle of the current GP mandate, when known


def parse_deputies(path_or_file: str | Path | IO[bytes]) -> dict[str, Deputy]:
    """``{PA id: Deputy}``. Unreadable members are skipped (the dump is rebuilt nightly)."""
    actors: list[dict] = []
    organes: dict[str, str] = {}
    for member in iter_dump(path_or_file):
        if member.data is None or not member.name.endswith(".json"):
            continue
        try:
            doc = json.loads(member.data)
        except ValueError:
            continue
        if isinstance(doc.get("acteur"), dict):
            actors.append(doc["acteur"])
        elif isinstance(doc.get("organe"), dict):
            org = doc["organe"]
            uid, label = _text(org.get("uid")), _text(org.get("libelle"))
            if uid and label:
                organes[uid] = label
    deputies = {}
    for actor in actors:
        deputy = _deputy(actor, organes)
        if deputy:
            deputies[deputy.uid] = deputy
    return deputies


def circonscription_label(departement: str | None, num_circo: str | None) -> str | None:
    if not departement:
        return None
    if not num_circo or not num_circo.isdigit():
        return departement
    nth = "1re" if int(num_circo) == 1 else f"{int(num_circo)}e"
    return f"{departement} ({nth} circonscription)"


def _deputy(actor: dict, organes: dict[str, str]) -> Deputy | None:
    uid = _text(actor.get("uid"))
    if not uid:
        return None
    ident = _obj(_obj(actor.get("etatCivil")).get("ident"))
    name = " ".join(p for p in (_text(ident.get(k)) for k in ("civ", "prenom", "nom")) if p)
    mandats = _list(_obj(actor.get("mandats")).get("mandat"))
    seat = _current(m for m in mandats if _text(m.get("typeOrgane")) == "ASSEMBLEE")
    lieu = _obj(_obj(seat.get("election")).get("lieu")) if seat else {}
    group_mandate = _current(m for m in mandats if _text(m.get("typeOrgane")) == "GP")
    group_ref = (
        _text(_obj(group_mandate.get("organes")).get("organeRef")) if group_mandate else None
    )
    return Deputy(
        uid=uid,
        name=name or uid,
        circonscription=circonscription_label(
            _text(lieu.get("departement")), _text(lieu.get("numCirco"))
        ),
        group=organes.get(group_ref) if group_ref else None,
    )


def _current(mandates: Any) -> dict | None:
    """The open mandate (no dateFin) if any, else the last one."""
    mandates = list(mandates)
    open_ = [m for m in mandates if not _text(m.get("dateFin"))]
    return (open_ or mandates or [None])[-1]


def _list(node: Any) -> list[dict]:
    if isinstance(node, dict):
        return [node]
    return [n for n in node if isinstance(n, dict)] if isinstance(node, list) else []


def _obj(node: Any) -> dict:
    return node if isinstance(node, dict) else {}


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("#text")
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None
