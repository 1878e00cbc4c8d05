"""A Sénat dossier: its page (``/dossier-legislatif/{id}.html``) and Atom feed
(``/dossier-legislatif/rss/dosleg{id}.xml``, one entry per step) → one ``dossier`` LegisItem.

The feed tells the steps (dépôt, commission, séance, adoption, CMP, navette): each becomes an
act ``{code, label, date, url, text_uid}`` (``code`` = the step class below, ``label`` the
Sénat's wording), so a new step is a change of the item. The page tells the title, the Sénat
texts of the dossier (``/leg/ppl25-400.html``, amendment set links) and, for a bill that comes
from or goes to the Assemblée, the AN dossier and text links: the AN dossier uid (``DLR5L17N…``)
and the AN text uid (``PIONANR5L17B2504`` when the link says "proposition-loi") are put in
``fields`` and in ``parents``, so that a bill followed at the Assemblée is followed here.

Structure of page and feed: SITES.md §Sénat (URLs only; *unverified beyond that*): the parser
relies on links and the feed's Atom elements, never on CSS classes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lhtml

from spiders.items import LegisItem
from spiders.parse.senat_texts import TEXT_ID, dossier_uid, text_ref, text_uid

ATOM = "{http://www.w3.org/2005/Atom}"
#: folded wording fragment → step class; first match wins (CMP before commission, adoption
#: before séance, dépôt before navette: "Dépôt du texte transmis par l'Assemblée")
STEPS = (
    ("commission mixte paritaire", "cmp"),
    ("cmp", "cmp"),
    ("adopt", "adoption"),
    ("depot", "depot"),
    ("depose", "depot"),
    ("transmi", "navette"),
    ("navette", "navette"),
    ("lecture", "navette"),
    ("commission", "commission"),
    ("rapport", "commission"),
    ("seance", "seance"),
    ("discussion", "seance"),
)
AN_DOSSIER = re.compile(r"/dossiers/(?:[^/]+/)*(?P<ref>[^/?#]+?)(?:\.asp)?$")
AN_TEXT = re.compile(r"/(?P<leg>\d+)/textes/l\d+b(?P<num>\d+)(?:_(?P<what>[a-z-]+))?", re.I)
AN_TEXT_OLD = re.compile(r"/(?P<leg>\d+)/(?P<what>propositions|projets)/p[a-z]+(?P<num>\d+)\.asp")
AN_UID_PREFIX = {"proposition-loi": "PIONANR5L", "propositions": "PIONANR5L"}
AN_UID_PREFIX |= {"projet-loi": "PRJLANR5L", "projets": "PRJLANR5L"}


class DossierError(ValueError):
    """A page that is not a dossier page (no title): logged with its URL, skipped."""


def fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in value if not unicodedata.combining(c)).split())


def step_class(label: str) -> str:
    folded = fold(label)
    return next((cls for frag, cls in STEPS if frag in folded), "other")


def parse_feed(body: bytes, url: str) -> list[dict[str, Any]]:
    """The feed's entries as acts, in date order (ties: feed order)."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise DossierError(f"feed not XML: {exc}") from exc
    acts = []
    for entry in root.iter(f"{ATOM}entry"):
        label = " ".join((entry.findtext(f"{ATOM}title") or "").split())
        when = entry.findtext(f"{ATOM}updated") or entry.findtext(f"{ATOM}published") or ""
        link = entry.find(f"{ATOM}link")
        href = urljoin(url, link.get("href", "")) if link is not None else None
        m = TEXT_ID.search(urlsplit(href or "").path)
        acts.append(
            {
                "code": step_class(label),
                "label": label or None,
                "date": when.strip()[:10] or None,
                "url": href,
                "text_uid": text_uid(m.group(0)) if m and "/leg/" in (href or "") else None,
                "organe_ref": None,
            }
        )
    return sorted(acts, key=lambda a: a["date"] or "")


def parse_dossier(
    page: bytes,
    feed: bytes | None,
    dossier_id: str,
    *,
    site_url: str = "https://www.senat.fr",
    source: str = "senat_legis",
) -> LegisItem:
    site = site_url.rstrip("/")
    url = f"{site}/dossier-legislatif/{dossier_id}.html"
    doc = lhtml.fromstring(page)
    title = " ".join(" ".join(doc.xpath("//h1//text()")).split()) or None
    if not title:
        raise DossierError(f"dossier {dossier_id}: no <h1> title on the page")
    texts: set[str] = set()
    refs: set[str] = set()
    an_dossier_url = an_dossier = None
    an_texts: dict[str, str | None] = {}
    for href in doc.xpath("//a/@href"):
        link = urljoin(url, href)
        parts = urlsplit(link)
        host, path = (parts.hostname or "").lower(), parts.path
        if host.endswith("assemblee-nationale.fr"):
            if (m := AN_DOSSIER.search(path)) and an_dossier is None:
                an_dossier, an_dossier_url = m["ref"], link
            elif m := AN_TEXT.search(path) or AN_TEXT_OLD.search(path):
                prefix = AN_UID_PREFIX.get((m["what"] or "").lower())
                an_texts[m["num"]] = f"{prefix}{m['leg']}B{m['num']}" if prefix else None
            continue
        if (m := TEXT_ID.search(path)) and path.startswith("/leg/"):
            texts.add(text_uid(m.group(0)))
            refs.add(text_ref(m.group(0)) or "")
        elif m := re.search(r"/amendements/(?:commissions/)?(\d{4}-\d{4})/(\d+)/", path):
            refs.add(f"{m[1]}/{m[2]}")
    acts = parse_feed(feed, f"{site}/dossier-legislatif/rss/dosleg{dossier_id}.xml") if feed else []
    dates = [a["date"] for a in acts if a["date"]]
    an_uid = an_dossier if an_dossier and re.fullmatch(r"DL\w+", an_dossier) else None
    an_text_uids = sorted(u for u in an_texts.values() if u)
    last = acts[-1] if acts else None
    return LegisItem(
        source=source,
        kind="dossier",
        uid=dossier_uid(dossier_id),
        url=url,
        chamber="Sénat",
        number=dossier_id,
        title=title,
        published_raw=dates[0] if dates else None,
        status=last["code"] if last else None,
        status_label=last["label"] if last else None,
        text=title,
        fields={
            "dossier_id": dossier_id,
            "acts": acts,
            "texts": sorted(texts),
            "text_refs": sorted(r for r in refs if r),
            "last_act_date": dates[-1] if dates else None,
            "an_dossier_uid": an_uid,
            "an_dossier_ref": an_dossier,
            "an_dossier_url": an_dossier_url,
            "an_text_numbers": sorted(an_texts, key=int),
            "an_text_uids": an_text_uids,
        },
        parents=[p for p in (an_uid, *an_text_uids) if p],
        source_ts=f"{dates[-1]}T00:00:00Z" if dates else None,
    )
