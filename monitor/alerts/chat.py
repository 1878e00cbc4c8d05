"""Outbox rows → plain-text chat messages (title, body) for Apprise channels.

Pure, like :mod:`monitor.alerts.compose` (whose blocks it reuses so a chat message says what the
e-mail says): no database, no network. Chat services show plain text best and cut long
messages themselves, often mid-word; so the body is cut here, on a word boundary, before
``max_chars``, and ends with a link to the item's page in the archive (``[serve] public_url``)
where the whole text is. Matched terms are marked ``**like this**`` (bold in Slack, Matrix,
Mattermost, Teams and Discord, readable as is elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from monitor.alerts.compose import (
    EVENT_LABELS,
    KIND_LABELS,
    Block,
    _marked_plain,
    _payload,
    french_date,
    health_blocks,
    item_blocks,
    source_name,
    subject,
)

#: the Datasette database name the archive is served under (monitor/web)
ARCHIVE_DB = "vigie"
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def tilde_encode(text: str) -> str:
    """Datasette's tilde encoding of a primary key in a row URL (``datasette.utils``), here
    so that this pure module does not import Datasette."""
    return "".join(
        chr(b) if b in _SAFE else "+" if b == 0x20 else f"~{b:02X}" for b in text.encode("utf-8")
    )


def archive_link(base: str, item_id: str | None) -> str | None:
    """The item's page in the archive, e.g. ``https://veille.example.org/vigie/items/…``."""
    if not item_id:
        return None
    return f"{base.rstrip('/')}/{ARCHIVE_DB}/items/{tilde_encode(item_id)}"


def cut(text: str, limit: int, tail: str) -> str:
    """``text`` if it fits in ``limit``, else cut on a word boundary + `` … `` + ``tail``."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(tail) - 3)
    head = text[:room]
    if room < len(text) and not text[room].isspace():
        head = head.rsplit(None, 1)[0] if " " in head.strip() else head
    return head.rstrip() + " …\n" + tail


def _lines(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for b in blocks:
        if b[0] == "h":
            lines.append(f"**{b[1]}**")
        elif b[0] == "kv":
            lines.append(f"{b[1]} : {b[2]}")
        elif b[0] == "change":
            lines.append(f"Modifié — {b[1]} : {b[2]} → {b[3]}")
        elif b[0] == "snippet":
            lines.append("« " + _marked_plain(b[1], b[2]) + " »")
        elif b[0] == "link":
            lines.append(b[1])
        elif b[0] == "p" and b[1]:
            lines.append(b[1])
    return lines


def _finish(lines: list[str], link: str | None, max_chars: int) -> str:
    tail = f"Archive : {link}" if link else ""
    body = "\n".join(lines).strip()
    if len(body) + len(tail) + 1 <= max_chars:
        return (body + ("\n" + tail if tail else "")).strip()
    return cut(body, max_chars, tail or "(texte coupé)")


def chat_alert(
    alert: dict,
    item: dict | None,
    *,
    archive: str,
    max_chars: int,
    terms: Sequence[str] = (),
    exclude: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """(title, body) of one item or health alert for a chat channel."""
    if alert["event"] in EVENT_LABELS:
        blocks = health_blocks(alert)[1:]
        return subject(alert, None, labels), _finish(_lines(blocks), None, max_chars)
    blocks = [b for b in item_blocks(alert, item, tuple(terms), tuple(exclude)) if b[0] != "h"]
    title = subject(alert, item, labels)
    heading = (item or {}).get("title")
    lines = ([f"**{heading}**"] if heading else []) + _lines(blocks)
    return title, _finish(lines, archive_link(archive, alert.get("item_id")), max_chars)


def chat_digest(
    alert: dict,
    entries: list[tuple[dict, dict | None]],
    *,
    archive: str,
    max_chars: int,
    terms: Sequence[str] = (),
    exclude: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """One message grouping ``entries`` by source, then kind; each entry: title, highlighted
    snippet, link to its archive page. Cut (between entries) to ``max_chars``."""
    groups: dict[str, dict[str, list]] = {}
    for member, item in entries:
        kind = KIND_LABELS.get(_payload(member).get("kind", "new"), "Mise à jour")
        groups.setdefault(member.get("source") or "?", {}).setdefault(kind, []).append(
            (member, item)
        )
    chunks: list[str] = []
    for source in sorted(groups):
        for kind, pairs in groups[source].items():
            chunks.append(f"■ **{source_name(source, labels)} — {kind}** ({len(pairs)})")
            for member, item in pairs:
                item = item or {}
                snippet = next(
                    (
                        b
                        for b in item_blocks(member, item, tuple(terms), tuple(exclude))
                        if b[0] == "snippet"
                    ),
                    None,
                )
                entry = [f"• {item.get('title') or member.get('item_id') or ''}"]
                if snippet:
                    entry.append("  « " + _marked_plain(snippet[1], snippet[2]) + " »")
                link = archive_link(archive, member.get("item_id"))
                if link:
                    entry.append(f"  {link}")
                chunks.append("\n".join(entry))
    n = len(entries)
    created = alert.get("created") or datetime.now().isoformat()
    title = f"Vigie — résumé du {french_date(created)} — {n} alerte{'s' * (n > 1)}"
    body, more = "", 0
    for i, chunk in enumerate(chunks):
        if len(body) + len(chunk) + 80 > max_chars and body:
            more = sum(1 for c in chunks[i:] if c.startswith("•"))
            break
        body += ("\n" if body else "") + chunk
    if more:
        body += f"\n… et {more} autre{'s' * (more > 1)} : {archive.rstrip('/')}/{ARCHIVE_DB}/items"
    return title, body


def chat_test(now: datetime, channel: str) -> tuple[str, str]:
    return (
        "Vigie — message de test",
        f"Si vous lisez ceci, le canal « {channel} » de Vigie fonctionne ({now:%Y-%m-%d %H:%M} UTC).",
    )
