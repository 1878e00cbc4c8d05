"""One AN amendment record (``json/{dossier}/{texte}/{uid}.json``, root ``amendement``) → ``LegisItem``.

Fields read (SITES.md §legislative work): ``uid``, ``legislature``,
``identification.{numeroLong,numeroOrdreDepot,prefixeOrganeExamen}``, ``texteLegislatifRef``,
``examenRef``, ``signataires.{auteur.{acteurRef,groupePolitiqueRef},cosignataires.acteurRef,libelle}``,
``pointeurFragmentTexte.division.{titre,articleDesignationCourte}``,
``corps.contenuAuteur.{dispositif,exposeSommaire}``, ``cycleDeVie.{dateDepot,datePublication,
dateSort,sort,etatDesTraitements.{etat,sousEtat}}``. Names of authors and groups are not in the
record: the spider fills them from the deputies dump (``author_name``, ``group_name``,
``cosignatories``). ``numeroLong`` restarts for each text: the key is always ``uid``.
"""

from __future__ import annotations

import re
from typing import Any

from spiders.items import LegisItem
from spiders.parse.an_decision import decision
from spiders.parse.an_json import RecordError, clean, code_label, load, many, obj, path, text

#: json/{dossierUid}/{texteUid}/{amendementUid}.json
MEMBER = re.compile(r"(?:^|/)(?P<dossier>[^/]+)/(?P<texte>[^/]+)/(?P<uid>[^/]+)\.json$")


def parse_amendment(
    data: bytes | dict,
    *,
    member: str | None = None,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "an_legis",
) -> LegisItem:
    """Read one amendment; ``member`` (zip member name) gives the dossier uid when known."""
    where = MEMBER.search(member or "")
    a = load(data, "amendement", where.group("uid") if where else None)
    uid = text(a.get("uid"))
    if not uid:
        raise RecordError(where.group("uid") if where else None, "amendment has no uid")
    ident = obj(a.get("identification"))
    number = text(ident.get("numeroLong")) or text(ident.get("numeroOrdreDepot"))
    text_uid = text(a.get("texteLegislatifRef")) or (where.group("texte") if where else None)
    life = obj(a.get("cycleDeVie"))
    tabled = text(life.get("dateDepot"))
    missing = [n for n, v in (("number", number), ("texteLegislatifRef", text_uid)) if not v]
    if not tabled:
        missing.append("cycleDeVie.dateDepot")
    if missing:
        raise RecordError(uid, "missing " + ", ".join(missing))
    legislature = _int(a.get("legislature")) or _leg(uid)
    status, label = amendment_status(life)
    signers = obj(a.get("signataires"))
    author = obj(signers.get("auteur"))
    cosigners = [text(r) for r in many(obj(signers.get("cosignataires")).get("acteurRef"))]
    division = obj(path(a, "pointeurFragmentTexte", "division"))
    content = obj(path(a, "corps", "contenuAuteur"))
    dispositif, expose = clean(content.get("dispositif")), clean(content.get("exposeSommaire"))
    article = text(division.get("articleDesignationCourte")) or clean(division.get("titre"))
    dossier = where.group("dossier") if where and where.group("dossier").startswith("DL") else None
    fields: dict[str, Any] = {
        "text_uid": text_uid,
        "text_number": m.group(1) if (m := re.search(r"(?:B|TA)(\d+)$", text_uid or "")) else None,
        "text_title": None,  # filled by the spider from the documents dump when read
        "dossier_uid": dossier,
        "examen_ref": text(a.get("examenRef")),
        "organe_prefix": text(ident.get("prefixeOrganeExamen")),
        "article": article,
        "author_ref": text(author.get("acteurRef")),
        "author_type": text(author.get("typeAuteur")),
        "group_ref": text(author.get("groupePolitiqueRef")),
        "signers_label": clean(signers.get("libelle")),
        "cosignatory_refs": [c for c in cosigners if c],
        "date_tabled": tabled,
        "date_published": text(life.get("datePublication")),
        "date_decided": text(life.get("dateSort")),
        "dispositif": dispositif,
        "expose": expose,
    }
    body = "\n\n".join(t for t in (dispositif, expose) if t) or None
    return LegisItem(
        source=source,
        kind="amendment",
        uid=uid,
        url=f"{site_url.rstrip('/')}/dyn/{legislature}/amendements/{uid}",
        legislature=legislature,
        number=number,
        title=f"Amendement n° {number}" + (f" ({article})" if article else ""),
        published_raw=tabled,
        status=status,
        status_label=label,
        text=body,
        fields=fields,
        parents=[p for p in (text_uid, dossier) if p],
    )


def amendment_status(life: dict) -> tuple[str, str | None]:
    """(status, official label): the decision (``sort``) first, else the processing state."""
    code, label = code_label(life.get("sort"))
    status = decision(code, label)
    if status:
        return status, label or code
    states = obj(life.get("etatDesTraitements"))
    for node in (states.get("sousEtat"), states.get("etat")):
        code, label = code_label(node)
        status = decision(code, label)
        if status and status != "pending":
            return status, label or code
    code, label = code_label(states.get("etat"))
    return (decision(code, label) or "pending"), label or code


def _int(value: Any) -> int | None:
    value = text(value)
    return int(value) if value and value.isdigit() else None


def _leg(uid: str) -> int | None:
    m = re.search(r"R5L(\d+)", uid)
    return int(m.group(1)) if m else None
