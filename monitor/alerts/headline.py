"""One line a person understands, for a legislative item's alert.

"Amendement n° 1234 à la PPL n° 2504 : adopté en commission des affaires sociales" says more
than a subject built from a search term: the parliamentary assistant reading it on a phone
knows at once what happened, to which text, and where. Pure: an ``items`` row (with its
``extra`` JSON) and the alert's kind in, a French sentence out.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.alerts.french import french_date

#: normalized decisions (README "Amendment decisions") → French past participle
DECISIONS = {
    "adopted": "adopté",
    "rejected": "rejeté",
    "withdrawn": "retiré",
    "fallen": "tombé",
    "inadmissible": "déclaré irrecevable",
    "not_moved": "non soutenu",
    "pending": "en attente d'examen",
}

#: ``identification.prefixeOrganeExamen`` / amendment number prefixes → examining body
ORGANS = {
    "AN": "en séance publique",
    "AS": "en commission des affaires sociales",
    "CF": "en commission des finances",
    "CL": "en commission des lois",
    "CE": "en commission des affaires économiques",
    "CD": "en commission du développement durable",
    "AC": "en commission des affaires culturelles",
    "AE": "en commission des affaires étrangères",
    "DN": "en commission de la défense",
    "SEANCE": "en séance publique",
}

#: document denominations → the short name people use
SHORT_TEXT = {
    "proposition de loi": "PPL",
    "projet de loi": "PJL",
    "proposition de loi organique": "PPLO",
    "projet de loi organique": "PJLO",
    "proposition de résolution": "PPR",
}


def extra_of(item: dict[str, Any]) -> dict[str, Any]:
    raw = item.get("extra")
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def text_name(denomination: str | None, number: Any) -> str:
    """``PPL n° 2504`` from ("Proposition de loi", "2504"); ``texte n° 12`` when unnamed."""
    short = SHORT_TEXT.get((denomination or "").strip().lower())
    if short and number:
        return f"{short} n° {number}"
    if denomination and number:
        return f"{denomination} n° {number}"
    return f"texte n° {number}" if number else "texte"


#: uid prefixes of the Assemblée's documents → the short name
UID_TEXT = {"PION": "PPL", "PRJL": "PJL", "PNRE": "PPR"}


def amended_text(extra: dict[str, Any]) -> str:
    """The text an amendment belongs to, as people name it: ``PPL n° 2504``."""
    number = extra.get("text_number")
    if extra.get("text_denomination"):
        return text_name(extra["text_denomination"], number)
    short = UID_TEXT.get(str(extra.get("text_uid") or "")[:4])
    if not short:
        title = str(extra.get("text_title") or "").lower()
        short = next((v for k, v in SHORT_TEXT.items() if title.startswith(k)), None)
    return f"{short} n° {number}" if short and number else text_name(None, number)


def organ_phrase(extra: dict[str, Any]) -> str:
    name = extra.get("organe_name")
    if name:
        low = str(name)
        return low if low.startswith("en ") else f"en {low[0].lower()}{low[1:]}"
    return ORGANS.get(str(extra.get("organe_prefix") or "").upper(), "")


def headline(item: dict[str, Any], change: str = "new") -> str | None:
    """The one-line summary of a legislative item's news; None for other kinds.

    ``change`` is the alert's kind: ``new``, ``status`` (a decision), ``text``, ``fields``…
    """
    kind = item.get("kind")
    extra = extra_of(item)
    if kind == "amendment":
        target = amended_text(extra)
        head = f"Amendement n° {item.get('number') or '?'} à la {target}"
        if target.startswith(("PJL", "texte", "PPR")):
            head = f"Amendement n° {item.get('number') or '?'} au {target}"
        decision = DECISIONS.get(item.get("status") or "")
        if change == "status" or (decision and item.get("status") != "pending"):
            where = organ_phrase(extra)
            return f"{head} : {decision or item.get('status_label') or 'décision'}" + (
                f" {where}" if where else ""
            )
        return f"{head} : déposé" + (
            f" le {french_date(item.get('published'))}" if item.get("published") else ""
        )
    if kind == "document":
        name = text_name(extra.get("denomination"), item.get("number"))
        verb = "déposé" if change == "new" else "modifié"
        dossier = extra.get("dossier_title")
        return f"{name} {verb}" + (f" (dossier « {dossier} »)" if dossier else "")
    if kind == "dossier":
        return f"Dossier législatif : {item.get('title') or item.get('id')}" + (
            " — nouvelle étape" if change != "new" else ""
        )
    if kind == "agenda":
        when = french_date(item.get("published"))
        body = organ_phrase(extra) or extra.get("organe_ref") or ""
        what = extra.get("dossier_title") or item.get("title") or "un texte suivi"
        return f"À l'ordre du jour du {when} : {what}" + (f" ({body})" if body else "")
    if kind == "jo_text":
        when = french_date(extra.get("date_publi") or item.get("published"))
        nature = str(extra.get("nature") or "Texte").capitalize()
        if change != "new":  # the row is read at send time: the alert's kind says which news
            return f"Rectificatif au Journal officiel du {when} : {item.get('title') or nature}"
        return f"Journal officiel du {when} : {item.get('title') or nature}"
    if kind == "debate":
        when = french_date(item.get("published"))
        return f"Compte rendu de la séance du {when} : {item.get('title') or 'débat'}"
    return None
