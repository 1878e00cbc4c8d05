"""The Sénat's list of texts just tabled (``/akomantoso/depots.xml``) → ``document`` LegisItems.

The list is Akoma Ntoso (SITES.md §Sénat names only its URL: *structure unverified*). So the
parser does not rely on element names: every element whose ``href``/``value``/``src`` names a
Sénat text id (``ppl25-400``) is a text; its title is the element's ``showAs`` attribute or its
text, its date the first ``YYYY-MM-DD`` in its reference (AKN work URIs carry the date:
``/akn/fr/bill/2026-03-18/senat/ppl25-400/…``) or its ``date`` attribute. A text named twice is
kept once (the first entry with a title wins).
"""

from __future__ import annotations

import re

from lxml import etree

from spiders.items import LegisItem
from spiders.parse.senat_texts import KINDS, TEXT_ID, dossier_uid, session_of, text_ref, text_uid

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DepotsError(ValueError):
    """The list is not XML."""


def parse_depots(
    body: bytes, *, site_url: str = "https://www.senat.fr", source: str = "senat_legis"
) -> list[LegisItem]:
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise DepotsError(f"depots list not XML: {exc}") from exc
    found: dict[str, LegisItem] = {}
    site = site_url.rstrip("/")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ref = el.get("href") or el.get("value") or el.get("src") or ""
        m = TEXT_ID.search(ref)
        if not m or m["kind"] not in KINDS:
            continue
        tid = m.group(0)
        title = " ".join((el.get("showAs") or "".join(el.itertext())).split()) or None
        if tid in found and (found[tid].title or not title):
            continue
        when = DATE.search(ref) or DATE.search(el.get("date") or "")
        found[tid] = LegisItem(
            source=source,
            kind="document",
            uid=text_uid(tid),
            url=f"{site}/leg/{tid}.html",
            chamber="Sénat",
            number=str(int(m["num"])),
            title=title,
            published_raw=when.group(0) if when else None,
            text=title,
            fields={
                "text_id": tid,
                "denomination": KINDS[m["kind"]],
                "session": session_of(m["yy"]),
                "text_ref": text_ref(tid),
                "dossier_uid": dossier_uid(tid),
                "date_tabled": when.group(0) if when else None,
            },
            parents=[dossier_uid(tid)],
        )
    return list(found.values())
