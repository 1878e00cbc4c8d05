"""Bodies (``organe``: political groups, commissions) from the AMO10 deputies dump: uid → label.

Why beside ``an_deputies``: amendments name their author's group by ``PO…`` ref and agenda
meetings their body (``organeReuniRef``); ``parse_deputies`` keeps only each deputy's own group.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from spiders.parse.an_dump import iter_dump
from spiders.parse.an_json import obj, text


def parse_organes(path_or_file: str | Path | IO[bytes]) -> dict[str, str]:
    organes: dict[str, str] = {}
    for member in iter_dump(path_or_file):
        if member.data is None or "/organe/" not in f"/{member.name}":
            continue
        try:
            org = obj(json.loads(member.data).get("organe"))
        except (ValueError, AttributeError):
            continue
        uid, label = text(org.get("uid")), text(org.get("libelle"))
        if uid and label:
            organes[uid] = label
    return organes
