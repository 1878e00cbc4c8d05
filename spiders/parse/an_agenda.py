"""A meeting of ``Agenda.json.zip`` (root ``reunion``) → one ``LegisItem`` per agenda point.

Fields read: ``reunion.{uid,timeStampDebut,organeReuniRef,lieu,cycleDeVieChrono.etat}`` and
``reunion.ODJ.pointsODJ.pointODJ`` (object or list) with ``uid``, ``objet``, ``typePointODJ``,
``dossiersLegislatifsRefs.dossierRef`` (string or list). A point's uid is its own when it has
one, else the meeting uid + ``#`` + its position (stable as long as the agenda keeps its order).
A meeting without points (a hearing announced without agenda) yields nothing; ``published_raw``
is the meeting start. A dossier named here may be missing from the dossier dump (absorbed).
"""

from __future__ import annotations

from spiders.items import LegisItem
from spiders.parse.an_json import RecordError, clean, load, many, obj, path, text


def parse_reunion(
    data: bytes | dict,
    *,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "an_legis",
    uid_hint: str | None = None,
) -> list[LegisItem]:
    r = load(data, "reunion", uid_hint)
    uid = text(r.get("uid"))
    if not uid:
        raise RecordError(uid_hint, "reunion has no uid")
    start = text(r.get("timeStampDebut"))
    if not start:
        raise RecordError(uid, "missing timeStampDebut")
    lieu = r.get("lieu")
    place = (
        clean(obj(lieu).get("libelleLong")) or clean(obj(lieu).get("libelleCourt")) or clean(lieu)
    )
    organe = text(r.get("organeReuniRef"))
    state = text(path(r, "cycleDeVieChrono", "etat"))
    legislature = _leg(uid)
    items = []
    for pos, point in enumerate(many(path(r, "ODJ", "pointsODJ", "pointODJ")), start=1):
        if not isinstance(point, dict):
            continue
        label = clean(point.get("objet"))
        if not label:
            continue  # a point without wording says nothing a reader could cite
        dossiers = [
            d
            for d in (
                text(x) for x in many(obj(point.get("dossiersLegislatifsRefs")).get("dossierRef"))
            )
            if d
        ]
        items.append(
            LegisItem(
                source=source,
                kind="agenda",
                uid=text(point.get("uid")) or f"{uid}#{pos}",
                url=f"{site_url.rstrip('/')}/dyn/{legislature}/agendas/{uid}",
                legislature=legislature,
                number=str(pos),
                title=label,
                published_raw=start,
                text=label,
                fields={
                    "reunion_uid": uid,
                    "organe_ref": organe,
                    "place": place,
                    "point_type": clean(point.get("typePointODJ")),
                    "meeting_state": state,
                    "dossier_uids": dossiers,
                },
                parents=dossiers,
            )
        )
    return items


def _leg(uid: str) -> int | None:
    import re

    m = re.search(r"R5L(\d+)", uid)
    return int(m.group(1)) if m else None
