"""A Syceron sitting transcript (``xml/compteRendu/CRSANR5L{leg}S….xml``) → one item per point.

Why per point: a sitting runs to hundreds of pages and a sentence says nothing alone; a reader
cites "the discussion of the PPL n° 2504 on 12 March", which is one top-level ``point`` of
``contenu`` with everything nested under it (general discussion, articles, votes) and its speakers.
Namespace ``http://schemas.assemblee-nationale.fr/referentiel``. Read: ``uid``,
``metadonnees.dateSeance`` (``20260312150000000``), and per ``point``: ``@id_syceron`` (the
section key; the position ``p{n}`` when absent), ``@bibard`` (number of the text discussed, on
the point or a nested one), the first ``texte`` (its heading), and the ``paragraphe`` elements
(``@id_acteur``, ``orateurs/orateur/{nom,qualite}``, ``texte`` with inline markup). Paragraphs
outside any point (opening and closing of the sitting) belong to no section.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from spiders.items import LegisItem
from spiders.parse.an_json import RecordError, clean, iso_utc

NS = "http://schemas.assemblee-nationale.fr/referentiel"
_P = {"a": NS}


def parse_transcript(
    data: bytes,
    *,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "an_legis",
    uid_hint: str | None = None,
) -> list[LegisItem]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise RecordError(uid_hint, f"not XML: {exc}") from exc
    if etree.QName(root).localname != "compteRendu":
        raise RecordError(uid_hint, f"root is not compteRendu ({etree.QName(root).localname})")
    uid = _t(root.find("a:uid", _P))
    if not uid:
        raise RecordError(uid_hint, "transcript has no uid")
    raw_date = _t(root.find("a:metadonnees/a:dateSeance", _P))
    when = iso_utc(raw_date)
    if not when:
        raise RecordError(uid, f"missing or unreadable metadonnees.dateSeance ({raw_date!r})")
    published = when.rstrip("Z")  # wall time of the sitting, as written
    legislature = _leg(uid)
    items = []
    points = root.findall("a:contenu/a:point", _P)
    for pos, point in enumerate(points, start=1):
        key = point.get("id_syceron") or f"p{pos}"
        heading = _heading(point)
        speakers: list[str] = []
        refs: list[str] = []
        lines: list[str] = []
        for para in point.iter(f"{{{NS}}}paragraphe"):
            said = clean(_inner(para.find("a:texte", _P)))
            if not said:
                continue
            name = _t(para.find("a:orateurs/a:orateur/a:nom", _P))
            if name and name not in speakers:
                speakers.append(name)
            ref = para.get("id_acteur")
            if ref and ref not in refs:
                refs.append(ref)
            lines.append(f"{name} : {said}" if name else said)
        if not heading and not lines:
            continue
        bibard = point.get("bibard") or next(
            (p.get("bibard") for p in point.iter(f"{{{NS}}}point") if p.get("bibard")), None
        )
        items.append(
            LegisItem(
                source=source,
                kind="debate",
                uid=f"{uid}#{key}",
                url=f"{site_url.rstrip('/')}/dyn/{legislature}/comptes-rendus/seance/{uid}",
                legislature=legislature,
                number=str(pos),
                title=heading,
                published_raw=published,
                text="\n".join(x for x in (heading, *lines) if x) or None,
                fields={
                    "sitting_uid": uid,
                    "section_key": key,
                    "text_number": bibard or None,
                    "speakers": speakers,
                    "speaker_refs": refs,
                    "paragraphs": len(lines),
                },
            )
        )
    return items


def _heading(point: Any) -> str | None:
    own = clean(_inner(point.find("a:texte", _P)))
    if own:
        return own
    for sub in point.iterfind(".//a:point/a:texte", _P):
        if found := clean(_inner(sub)):
            return found
    return None


def _inner(el: Any) -> str | None:
    """The element's content with its inline markup, as an HTML-ish fragment for ``clean``."""
    if el is None:
        return None
    return "".join(el.itertext())


def _t(el: Any) -> str | None:
    return (el.text or "").strip() or None if el is not None else None


def _leg(uid: str) -> int | None:
    import re

    m = re.search(r"R5L(\d+)", uid)
    return int(m.group(1)) if m else None
