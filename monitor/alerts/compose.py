"""Outbox rows → ``EmailMessage``: plain text + HTML, French labels, every scraped text escaped.

Pure: an alert row, the item row and the payload in, one message out; no database, no network.
Each message is built once as a list of blocks (heading, label/value pairs, a highlighted
snippet, changes, link) and rendered twice, so the plain and HTML parts always say the same
thing. In HTML every piece of scraped text goes through :func:`html.escape` (a ``<script>`` or
a fake ``<a href>`` in a title shows as text); links are only made from ``http(s)`` URLs.

Headers are stable for a given (alert, recipient): Message-ID (given by the sender), Date (the
alert's creation time), From, To (one recipient), ``X-Vigie-Alert: <id>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from html import escape

from monitor.alerts.french import french_date
from monitor.alerts.headline import headline
from monitor.ingest.match import Matcher

FIELD_LABELS = {
    "title": "Titre",
    "body": "Texte",
    "author": "Auteur",
    "published": "Date",
    "url": "Lien",
    "status": "Statut",
    "answer_text": "Réponse",
    "answered_on": "Date de réponse",
    "ministry_asked": "Ministère interrogé",
    "ministry_answering": "Ministère attributaire",
    "rubrique": "Rubrique",
    "analysis": "Analyse",
    "group_name": "Groupe",
    "circonscription": "Circonscription",
    "qtype": "Type de question",
    "number": "Numéro",
    "legislature": "Législature",
    "question_jo_page": "Page JO (question)",
    "answer_jo_page": "Page JO (réponse)",
    "closed_reason": "Motif de clôture",
    "matched": "Correspond aux termes",
    "matched_terms": "Termes trouvés",
    "followed": "Suivi",
}
LEGIS_KIND_LABELS = {
    "amendment": "Amendement",
    "document": "Document parlementaire",
    "dossier": "Dossier législatif",
    "agenda": "Ordre du jour",
    "debate": "Compte rendu de séance",
    "jo_text": "Texte du Journal officiel",
}
STATUS_LABELS = {
    "pending": "en attente de réponse",
    "answered": "répondue",
    "signalee": "signalée",
    "closed": "close",
}
QTYPE_LABELS = {
    "QE": "Question écrite",
    "QG": "Question au Gouvernement",
    "QOSD": "Question orale sans débat",
}
KIND_LABELS = {
    "new": "Nouvelle mention",
    "answered": "Réponse publiée",
    "newly_matched": "Nouvelle mention",
    "status": "Statut modifié",
    "ministry": "Changement de ministère",
    "text": "Texte modifié",
    "unmatched": "Ne correspond plus aux termes",
    "fields": "Mise à jour",
}
EVENT_LABELS = {
    "health_broken": "Source en panne",
    "health_reminder": "Source toujours en panne",
    "health_recovered": "Source rétablie",
    "health_stale": "Source sans nouveauté",
    "health_missed": "Exécution manquée",
    "health_config": "Configuration refusée",
    "health_channel_down": "Canal d'alerte en panne",
    "health_channel_recovered": "Canal d'alerte rétabli",
}

#: a block: ("h", text) | ("kv", label, value) | ("snippet", text, spans) | ("change", label,
#: previous, new) | ("link", url) | ("p", text)
Block = tuple


def _payload(alert: dict) -> dict:
    raw = alert.get("payload")
    return raw if isinstance(raw, dict) else json.loads(raw or "{}")


def _json_list(raw) -> list | dict:
    if isinstance(raw, list):
        return raw
    try:
        value = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return []
    return value if isinstance(value, list | dict) else []


def _show(field: str, value) -> str:
    if value is None or value == "":
        return "(vide)"
    if field == "status":
        return STATUS_LABELS.get(value, str(value))
    if field in ("published", "answered_on"):
        return french_date(value)
    if field in ("matched", "followed"):
        return "oui" if value and value not in ("0",) else "non"
    if field == "matched_terms":
        return ", ".join(_json_list(value)) or "(aucun)"
    return str(value)


def source_name(source: str | None, labels: Mapping[str, str] | None = None) -> str:
    """The source's configured display name (``label``), else its key in capitals."""
    return (labels or {}).get(source or "") or (source or "").upper()


def reference(
    item: dict | None, source: str | None, labels: Mapping[str, str] | None = None
) -> str:
    """``QE 13024`` for a question, the source's display name otherwise."""
    if item and item.get("qtype") and item.get("number"):
        return f"{item['qtype']} {item['number']}"
    return source_name(source, labels)


def subject(alert: dict, item: dict | None, labels: Mapping[str, str] | None = None) -> str:
    """``labels``: source key → display name (sources with a ``label`` in the config)."""
    event, payload = alert["event"], _payload(alert)
    if event in EVENT_LABELS:
        source = alert.get("source")
        return f"{EVENT_LABELS[event]} — {(labels or {}).get(source or '') or source}"
    kind = payload.get("kind", "new")
    if item and (line := headline(item, kind)):
        return line  # legislative work: "Amendement n° 12 à la PPL n° 2504 : adopté …"
    label = KIND_LABELS.get(kind, "Mise à jour")
    if kind == "new" and item and item.get("kind") == "question":
        label = "Nouvelle question"
    terms = payload.get("matched_terms") or (_json_list(item.get("matched_terms")) if item else [])
    tail = terms[0] if terms else ("question suivie" if item and item.get("qtype") else "suivi")
    return f"{label} — {reference(item, alert.get('source'), labels)} — {tail}"


@lru_cache(maxsize=8)
def _matcher(terms: tuple[str, ...], exclude: tuple[str, ...]) -> Matcher:
    return Matcher(list(terms), list(exclude))


def _spans(text: str, terms: tuple[str, ...], exclude: tuple[str, ...]) -> list[tuple[int, int]]:
    if not text or not terms:
        return []
    spans, last = [], 0
    for start, end in _matcher(terms, exclude).highlight(text):
        start, end = max(start, last), min(end, len(text))
        if start < end:
            spans.append((start, end))
            last = end
    return spans


def item_blocks(alert: dict, item: dict | None, terms: tuple, exclude: tuple) -> list[Block]:
    """What one item alert says, as blocks (shared by single messages and the digest)."""
    payload, item = _payload(alert), item or {}
    line = headline(item, payload.get("kind", "new")) if item else None
    blocks: list[Block] = [("h", line or item.get("title") or reference(item, alert.get("source")))]
    if line and item.get("title"):
        blocks.append(("p", item["title"]))
    kind = item.get("kind")
    typ = (
        QTYPE_LABELS.get(item.get("qtype") or "", "Question")
        if kind == "question"
        else LEGIS_KIND_LABELS.get(kind or "", "Article")
    )
    blocks += [
        ("kv", "Source", alert.get("source") or item.get("source") or ""),
        ("kv", "Type", typ),
    ]
    for label, value in (
        ("Date", french_date(item.get("published"))),
        ("Auteur", item.get("author")),
        ("Ministère", item.get("ministry_answering") or item.get("ministry_asked")),
        (
            "Statut",
            item.get("status_label")
            or STATUS_LABELS.get(item.get("status") or "", item.get("status")),
        ),
    ):
        if value:
            blocks.append(("kv", label, value))
    where = item.get("match_fields")
    where = where if isinstance(where, dict) else (json.loads(where) if where else {})
    for term in payload.get("matched_terms") or list(where):
        fields = ", ".join(FIELD_LABELS.get(f, f).lower() for f in where.get(term, []))
        blocks.append(
            ("kv", "Terme trouvé", f"« {term} »" + (f" dans : {fields}" if fields else ""))
        )
    if payload.get("followed"):
        blocks.append(("kv", "Suivi", "élément suivi (liste follow)"))
    for field in payload.get("changed_fields", []):
        change = payload.get("changes", {}).get(field, {})
        label = FIELD_LABELS.get(field, field)
        blocks.append(
            ("change", label, _show(field, change.get("previous")), _show(field, change.get("new")))
        )
    text = item.get("snippet") or (item.get("body") or "")[:300]
    if text:
        blocks.append(("snippet", text, _spans(text, terms, exclude)))
    if item.get("url"):
        blocks.append(("link", item["url"]))
    return blocks


def health_blocks(alert: dict) -> list[Block]:
    p = _payload(alert)
    blocks: list[Block] = [("h", subject(alert, None)), ("kv", "Source", alert.get("source") or "")]
    for key, label in (
        ("reason", "Raison"),
        ("failures", "Échecs consécutifs"),
        ("broken_since", "En panne depuis"),
        ("last_success", "Dernier succès"),
        ("last_new_item", "Dernière nouveauté"),
        ("stale_after", "Seuil"),
        ("run_id", "Exécution n°"),
    ):
        if p.get(key) not in (None, ""):
            value = p[key]
            blocks.append(
                (
                    "kv",
                    label,
                    french_datetime(value)
                    if "_since" in key or key.startswith("last_")
                    else str(value),
                )
            )
    blocks.append(("p", p.get("advice") or ""))
    return [b for b in blocks if b != ("p", "")]


def french_datetime(value: str) -> str:
    try:
        d = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{french_date(value)} à {d.strftime('%H:%M')} (UTC{d.strftime('%z')[:3] or '+00'})"


# -- rendering --------------------------------------------------------------------------------


def _marked_plain(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], "**", text[start:end], "**"]
        last = end
    return "".join(out + [text[last:]])


def _marked_html(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    return "".join(out + [escape(text[last:])])


def render_plain(blocks: list[Block]) -> str:
    lines: list[str] = []
    for b in blocks:
        if b[0] == "h":
            lines += ["", b[1], "=" * min(len(b[1]), 72)]
        elif b[0] == "kv":
            lines.append(f"{b[1]} : {b[2]}")
        elif b[0] == "change":
            lines.append(f"Modifié — {b[1]} : {b[2]} → {b[3]}")
        elif b[0] == "snippet":
            lines += ["", "Extrait : " + _marked_plain(b[1], b[2])]
        elif b[0] == "link":
            lines.append(f"Lien : {b[1]}")
        elif b[0] == "p":
            lines += ["", b[1]]
    return "\n".join(lines).strip() + "\n"


def _link(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return f'<a href="{escape(url, quote=True)}">{escape(url)}</a>'
    return escape(url)


def render_html(blocks: list[Block]) -> str:
    parts: list[str] = []
    for b in blocks:
        if b[0] == "h":
            parts.append(f"<h2>{escape(b[1])}</h2>")
        elif b[0] == "kv":
            parts.append(f"<p><b>{escape(b[1])}</b> : {escape(str(b[2]))}</p>")
        elif b[0] == "change":
            parts.append(
                f"<p><b>Modifié — {escape(b[1])}</b> : <del>{escape(b[2])}</del> → <ins>{escape(b[3])}</ins></p>"
            )
        elif b[0] == "snippet":
            parts.append(f"<blockquote>{_marked_html(b[1], b[2])}</blockquote>")
        elif b[0] == "link":
            parts.append(f"<p><b>Lien</b> : {_link(b[1])}</p>")
        elif b[0] == "p":
            parts.append(f"<p>{escape(b[1])}</p>")
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def _message(
    alert: dict, subj: str, blocks: list[Block], *, recipient: str, sender: str, message_id: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subj
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(_created(alert))
    msg["Message-ID"] = message_id
    msg["X-Vigie-Alert"] = str(alert["id"])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_plain(blocks), cte="quoted-printable")
    msg.add_alternative(render_html(blocks), subtype="html", cte="quoted-printable")
    return msg


def _created(alert: dict) -> datetime:
    try:
        d = datetime.fromisoformat(alert.get("created") or "")
    except ValueError:
        return datetime.now(UTC)
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def compose_alert(
    alert: dict,
    item: dict | None,
    *,
    recipient: str,
    sender: str,
    message_id: str,
    terms: Sequence[str] = (),
    exclude: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> EmailMessage:
    """One alert (item or health) for one recipient."""
    if alert["event"] in EVENT_LABELS:
        blocks = health_blocks(alert)
    else:
        blocks = item_blocks(alert, item, tuple(terms), tuple(exclude))
    return _message(
        alert,
        subject(alert, item, labels),
        blocks,
        recipient=recipient,
        sender=sender,
        message_id=message_id,
    )


def compose_digest(
    alert: dict,
    entries: list[tuple[dict, dict | None]],
    *,
    recipient: str,
    sender: str,
    message_id: str,
    terms: Sequence[str] = (),
    exclude: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> EmailMessage:
    """One message grouping ``entries`` (member alert, item) by source, then kind of news."""
    groups: dict[str, dict[str, list]] = {}
    for member, item in entries:
        kind = KIND_LABELS.get(_payload(member).get("kind", "new"), "Mise à jour")
        groups.setdefault(member.get("source") or "?", {}).setdefault(kind, []).append(
            (member, item)
        )
    blocks: list[Block] = []
    for source in sorted(groups):
        for kind, pairs in groups[source].items():
            blocks.append(("p", f"■ {source_name(source, labels)} — {kind} ({len(pairs)})"))
            for member, item in pairs:
                blocks += item_blocks(member, item, tuple(terms), tuple(exclude))
    n = len(entries)
    subj = (
        f"Vigie — résumé du {french_date(_created(alert).isoformat())} — {n} alerte{'s' * (n > 1)}"
    )
    return _message(alert, subj, blocks, recipient=recipient, sender=sender, message_id=message_id)


def compose_test(
    *, recipient: str, sender: str, message_id: str, now: datetime, transport: str
) -> EmailMessage:
    alert = {"id": 0, "event": "test", "created": now.isoformat()}
    blocks: list[Block] = [
        ("h", "Message de test"),
        ("p", "Si vous lisez ceci, les réglages d'envoi de Vigie fonctionnent."),
        ("kv", "Envoyé par", transport),
    ]
    return _message(
        alert,
        "Vigie — message de test",
        blocks,
        recipient=recipient,
        sender=sender,
        message_id=message_id,
    )
