"""The AN daily publication list (``/dyn/opendata/list-publication/publication_YYYY-MM-DD``).

Each line is ``timestamp;url`` where the url ends in ``{UID}.xml`` (the same document exists as
``{UID}.json``). A uid listed twice keeps its newest timestamp. Malformed lines are returned
apart so the spider can log them; blank lines are ignored. The uid's prefix tells its kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spiders.parse.an_json import iso_utc

_UID = re.compile(r"/(?P<uid>[A-Z][A-Za-z0-9]+)\.(?:xml|json)(?:[?#].*)?$")
KINDS = (
    (re.compile(r"^AMANR"), "amendment"),
    (re.compile(r"^DLR\d"), "dossier"),
    (re.compile(r"^RUANR"), "agenda"),
    (re.compile(r"^CRSANR"), "debate"),
    (re.compile(r"^[A-Z]{2,6}ANR5L\d+(?:B|TA)"), "document"),
)


@dataclass(frozen=True)
class Listed:
    uid: str
    timestamp: str  # ISO UTC (see an_json.iso_utc)
    url: str
    kind: str | None  # amendment | document | dossier | agenda | debate | None (not ours)


def uid_kind(uid: str) -> str | None:
    for pattern, kind in KINDS:
        if pattern.search(uid):
            return kind
    return None


def parse_publication_list(body: bytes | str) -> tuple[list[Listed], list[str]]:
    """→ (entries, one per uid, newest timestamp kept; malformed lines)."""
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", errors="replace")
    found: dict[str, Listed] = {}
    bad: list[str] = []
    for line in body.lstrip("\ufeff").splitlines():
        line = line.strip()
        if not line:
            continue
        stamp, sep, url = line.partition(";")
        m = _UID.search(url.strip())
        ts = iso_utc(stamp)
        if not sep or not m or not ts:
            bad.append(line[:200])
            continue
        uid = m.group("uid")
        if uid not in found or ts > found[uid].timestamp:
            found[uid] = Listed(uid, ts, url.strip(), uid_kind(uid))
    return list(found.values()), bad
