"""Reading the AN open-data JSON renderings safely: the traps shared by every legislative record.

The JSON dumps are mechanical renderings of the AN XML schema (SITES.md §legislative work), so:
a node may be an object or a list of objects; a null is ``{"@xsi:nil": "true"}`` (or ``null``);
a scalar may come wrapped as ``{"#text": ...}``; texts are HTML fragments with entities, sometimes
double-escaped (``&amp;eacute;``). These helpers turn all of that into plain values or ``None``.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any


class RecordError(ValueError):
    """A record that cannot be read (not JSON, wrong root, a required field missing)."""

    def __init__(self, uid: str | None, reason: str):
        self.uid = uid
        self.reason = reason
        super().__init__(f"{uid or '<no uid>'}: {reason}")


#: bump when parsing changes, so every record is read again once
FINGERPRINT_VERSION = "1"


def fingerprint(data: bytes) -> str:
    return f"{FINGERPRINT_VERSION}:{zlib.crc32(data):08x}"


def is_nil(node: Any) -> bool:
    return isinstance(node, dict) and str(node.get("@xsi:nil", "")).lower() == "true"


def many(node: Any) -> list:
    """Object-or-list → list (nil, None and empty shells → [])."""
    if node is None or is_nil(node):
        return []
    items = node if isinstance(node, list) else [node]
    return [n for n in items if n is not None and not is_nil(n)]


def obj(node: Any) -> dict:
    """An object node (a list → its last element: the current state); anything else → {}."""
    if isinstance(node, list):
        node = node[-1] if node else None
    return node if isinstance(node, dict) and not is_nil(node) else {}


def text(value: Any) -> str | None:
    """A scalar as a stripped string; ``#text`` unwrapped; nil/null/empty/objects → None."""
    if isinstance(value, dict):
        value = None if is_nil(value) else value.get("#text")
    if value is None or isinstance(value, dict | list):
        return None
    out = str(value).strip()
    return out or None


def path(node: Any, *keys: str) -> Any:
    """``path(rec, "a", "b")`` = rec.a.b through object-or-list nodes (last element)."""
    for key in keys:
        node = obj(node).get(key)
    return node


def code_label(node: Any) -> tuple[str | None, str | None]:
    """``sort``/``etat`` may be a string or ``{code, libelle}``: → (code, label)."""
    if isinstance(node, dict) and not is_nil(node):
        return text(node.get("code")), text(node.get("libelle"))
    value = text(node)
    return None, value


_ENTITY_AMP = re.compile(r"&amp;(?=#?[A-Za-z0-9]{1,32};)")
_BLOCK_TAG = re.compile(
    r"<(?:br|/?(?:p|div|li|tr|h[1-6]|blockquote|ul|ol|table))\b[^<>]*>", re.IGNORECASE
)
_CELL_TAG = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->", re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u202f\u2009]+")


def clean(value: Any) -> str | None:
    """HTML fragment (entities, double-escaped entities, markup) → plain text, one paragraph
    per line. Why regular expressions and not an HTML parser: the AN fragments are flat
    (``<p>``, ``<b>``, ``<i>``, ``<br/>``, tables at worst) and this runs twice per amendment over
    100,000 amendments; an lxml parse per fragment was four times slower for the same text. Why
    here and not monitor's ``clean_text``: spiders may not import monitor; the pipeline still
    runs its own cleanup over this (idempotent on plain text)."""
    raw = text(value)
    if raw is None:
        return None
    for _ in range(2):  # twice: escaped markup ("&lt;p&gt;") is markup once unescaped
        if "<" in raw:
            raw = _TAG.sub("", _CELL_TAG.sub(" ", _BLOCK_TAG.sub("\n", raw)))
        if "&" not in raw:
            break
        raw = html.unescape(html.unescape(_ENTITY_AMP.sub("&", raw)))
    raw = raw.replace("\u2019", "'")
    lines = (_SPACES.sub(" ", line).strip() for line in raw.split("\n"))
    out = "\n".join(line for line in lines if line)
    return out or None


@lru_cache(maxsize=4096)
def iso_utc(value: str | None) -> str | None:
    """A timestamp as the source writes it → ``YYYY-MM-DDTHH:MM:SSZ`` (UTC), comparable as text.

    Accepts ISO 8601 with or without offset (naive = Europe/Paris wall time is NOT assumed:
    naive values are taken as UTC, a few hours at worst), a bare date, epoch seconds or
    milliseconds, HTTP dates (Last-Modified), and Syceron's ``YYYYMMDDHHMMSSmmm``.

    Cached: a dump repeats the same few hundred dates over 100,000 records (pure function)."""
    value = (value or "").strip()
    if not value:
        return None
    dt: datetime | None = None
    if re.fullmatch(r"\d{17}", value):
        dt = datetime.strptime(value[:14], "%Y%m%d%H%M%S")
    elif re.fullmatch(r"\d{9,13}", value):
        secs = int(value) / (1000 if len(value) > 11 else 1)
        dt = datetime.fromtimestamp(secs, UTC)
    else:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            try:
                dt = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def load(data: bytes | dict, root: str, uid_hint: str | None = None) -> dict:
    """Bytes or a decoded record → the object under ``root`` (RecordError otherwise)."""
    if isinstance(data, bytes | bytearray | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise RecordError(uid_hint, f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(root), dict):
        found = list(data)[:3] if isinstance(data, dict) else type(data).__name__
        raise RecordError(uid_hint, f"root object is not {root!r} (found {found})")
    return data[root]
