"""Documents and dossiers of ``Dossiers_Legislatifs.json.zip`` → ``LegisItem``.

Members ``json/document/{uid}.json`` (root ``document``: bills ``PIONANR…``/``PRJLANR…``, reports
``RAPPANR…``, texts adopted ``TAANR…``) and ``json/dossierParlementaire/{uid}.json`` (root
``dossierParlementaire``; only ``@xsi:type`` = ``DossierLegislatif_Type`` is legislative work:
other types, e.g. ``DossierCommissionEnquete_Type``, are skipped with ``NotLegislative``).
Document: ``uid``, ``legislature``, ``denominationStructurelle``, ``titres.titrePrincipal``,
``dossierRef``, ``cycleDeVie.chrono.{dateDepot,datePublication}``, ``auteurs.auteur`` (object or
list, ``acteur.acteurRef`` or ``organe.organeRef``), ``notice.numNotice``. Dossier: ``uid``,
``titreDossier.{titre,titreChemin}``, ``actesLegislatifs.acteLegislatif`` (nested acts with
``codeActe``, ``libelleActe.nomCanonique``, ``dateActe``, ``texteAssocie``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from spiders.items import LegisItem
from spiders.parse.an_json import RecordError, clean, load, many, obj, path, text

DOSSIER_TYPE = "DossierLegislatif_Type"
#: uid prefix → slug of the human page (``/dyn/17/textes/l17b2504_proposition-loi``)
SLUGS = {"PION": "proposition-loi", "PRJL": "projet-loi"}
DOC_NUMBER = re.compile(r"R5L(?P<leg>\d+)(?:B|TA)(?P<num>\d+)")


class NotLegislative(Exception):
    """A dossier of another type (commission of inquiry, mission…): skipped, not an error."""


def parse_dossiers_member(
    data: bytes | dict,
    *,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "an_legis",
    uid_hint: str | None = None,
) -> LegisItem:
    """A member of the dossiers dump, whichever root it has (document or dossier)."""
    if isinstance(data, bytes | bytearray | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise RecordError(uid_hint, f"not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("dossierParlementaire"), dict):
        return parse_dossier(data, site_url=site_url, source=source, uid_hint=uid_hint)
    return parse_document(data, site_url=site_url, source=source, uid_hint=uid_hint)


def parse_document(
    data: dict | bytes,
    *,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "an_legis",
    uid_hint: str | None = None,
) -> LegisItem:
    d = load(data, "document", uid_hint)
    uid = text(d.get("uid"))
    if not uid:
        raise RecordError(uid_hint, "document has no uid")
    titles = obj(d.get("titres"))
    title = clean(titles.get("titrePrincipal")) or clean(titles.get("titrePrincipalCourt"))
    chrono = obj(path(d, "cycleDeVie", "chrono"))
    tabled = text(chrono.get("dateDepot"))
    m = DOC_NUMBER.search(uid)
    number = text(path(d, "notice", "numNotice")) or (m.group("num") if m else None)
    missing = [
        n for n, v in (("titres.titrePrincipal", title), ("notice.numNotice", number)) if not v
    ]
    if not tabled:
        missing.append("cycleDeVie.chrono.dateDepot")
    if missing:
        raise RecordError(uid, "missing " + ", ".join(missing))
    legislature = _int(d.get("legislature")) or (int(m.group("leg")) if m else None)
    dossier = text(d.get("dossierRef"))
    authors = []
    for a in many(obj(d.get("auteurs")).get("auteur")):
        ref = text(path(a, "acteur", "acteurRef")) or text(path(a, "organe", "organeRef"))
        if ref:
            authors.append(ref)
    kind_label = clean(d.get("denominationStructurelle"))
    return LegisItem(
        source=source,
        kind="document",
        uid=uid,
        url=document_url(site_url, uid, legislature, number),
        legislature=legislature,
        number=number,
        title=title,
        published_raw=tabled,
        text=title,
        fields={
            "dossier_uid": dossier,
            "denomination": kind_label,
            "short_title": clean(titles.get("titrePrincipalCourt")),
            "author_refs": authors,
            "date_tabled": tabled,
            "date_published": text(chrono.get("datePublication")),
        },
        parents=[dossier] if dossier else [],
    )


def document_url(site_url: str, uid: str, legislature: int | None, number: str | None) -> str:
    base = site_url.rstrip("/")
    slug = SLUGS.get(uid[:4])
    if "TA" in uid[uid.find("R5L") :] and number:
        return f"{base}/dyn/{legislature}/textes/l{legislature}t{number}"
    if number:
        return f"{base}/dyn/{legislature}/textes/l{legislature}b{number}" + (
            f"_{slug}" if slug else ""
        )
    return f"{base}/dyn/{legislature}/textes/{uid}"


def parse_dossier(
    data: dict | bytes,
    *,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "an_legis",
    uid_hint: str | None = None,
) -> LegisItem:
    d = load(data, "dossierParlementaire", uid_hint)
    uid = text(d.get("uid"))
    if not uid:
        raise RecordError(uid_hint, "dossier has no uid")
    xsi = text(d.get("@xsi:type"))
    if xsi and xsi != DOSSIER_TYPE:
        raise NotLegislative(f"{uid}: {xsi}")
    titles = obj(d.get("titreDossier"))
    title = clean(titles.get("titre"))
    if not title:
        raise RecordError(uid, "missing titreDossier.titre")
    acts = list(_acts(d.get("actesLegislatifs")))
    dates = sorted(a["date"] for a in acts if a["date"])
    legislature = _int(d.get("legislature")) or _leg(uid)
    chemin = text(titles.get("titreChemin"))
    return LegisItem(
        source=source,
        kind="dossier",
        uid=uid,
        url=f"{site_url.rstrip('/')}/dyn/{legislature}/dossiers/{chemin or uid}",
        legislature=legislature,
        number=_dossier_number(uid),
        title=title,
        published_raw=dates[0] if dates else None,
        text=title,
        fields={
            "slug": chemin,
            "acts": acts,
            "texts": sorted({a["text_uid"] for a in acts if a["text_uid"]}),
            "absorbed_by": text(d.get("dossierAbsorbantRef")),
            "last_act_date": dates[-1] if dates else None,
        },
    )


def _acts(node: Any, depth: int = 0) -> Any:
    """Nested acts, flattened in document order: {code, label, date, text_uid, organe_ref}."""
    if depth > 8:
        return
    for act in many(obj(node).get("acteLegislatif")):
        if not isinstance(act, dict):
            continue
        yield {
            "code": text(act.get("codeActe")),
            "label": clean(path(act, "libelleActe", "nomCanonique"))
            or clean(act.get("libelleActe")),
            "date": text(act.get("dateActe")),
            "text_uid": text(act.get("texteAssocie")) or text(act.get("texteAdopte")),
            "organe_ref": text(act.get("organeRef")),
        }
        yield from _acts(act.get("actesLegislatifs"), depth + 1)


def _dossier_number(uid: str) -> str | None:
    m = re.search(r"N(\d+)$", uid)
    return m.group(1) if m else None


def _int(value: Any) -> int | None:
    value = text(value)
    return int(value) if value and value.isdigit() else None


def _leg(uid: str) -> int | None:
    m = re.search(r"R5L(\d+)", uid)
    return int(m.group(1)) if m else None
