"""DILA's JORF open data (SITES.md §Journal officiel): the listing of incremental archives, and
one archive ``JORF_YYYYMMDD-HHMMSS.tar.gz`` → one ``jo_text`` LegisItem per text of a watched
nature, with its articles.

Inside an archive (tar.gz of XML): ``…/texte/version/…/JORFTEXT*.xml`` (``TEXTE_VERSION``: META
with NATURE, NOR, DATE_PUBLI, TITREFULL, MINISTERE…; VISAS), ``…/article/…/JORFARTI*.xml``
(``ARTICLE``: NUM, CONTEXTE/TEXTE@cid = its text, BLOC_TEXTUEL/CONTENU in HTML),
``…/texte/struct/…`` and ``…/conteneur/…`` (ignored: the META and the articles say all we use).

Why a stream (``tarfile`` mode ``r|`` over a ``GzipFile`` over the bytes): an archive holds thousands of files;
nothing is unpacked to disk and members are read once, in archive order. Texts and articles
come in any order, so one archive's watched texts and their articles are gathered, then
assembled (memory bounded by one archive's watched texts, never by the month).

A text seen again in a later archive is the same item (``uid`` = its JORFTEXT id, ``source_ts``
= the archive's time: the later archive wins). ``is_correction``: the text was published
(DATE_PUBLI) more than ``CORRECTION_DAYS`` before the archive, or its title says "rectificatif".
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from lxml import etree

from spiders.items import LegisItem
from spiders.parse.an_json import clean

ARCHIVE = re.compile(r"JORF_(?P<day>\d{8})-(?P<time>\d{6})\.tar\.gz")
TEXT_MEMBER = re.compile(r"/texte/version/.*(?P<id>JORFTEXT\d+)\.xml$")
ARTICLE_MEMBER = re.compile(r"/article/.*(?P<id>JORFARTI\d+)\.xml$")
LEGIFRANCE = "https://www.legifrance.gouv.fr/jorf/id/{id}"
CORRECTION_DAYS = 2
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class ArchiveError(ValueError):
    """An archive that cannot be read to its end (corrupt, truncated): none of it is kept."""


@dataclass
class Article:
    id: str
    num: str | None
    text: str | None
    cid: str | None
    nature: str | None


@dataclass
class Text:
    id: str
    nature: str | None
    nor: str | None
    date_publi: str | None
    date_texte: str | None
    title: str | None
    ministry: str | None
    num: str | None
    issue: str | None
    visas: str | None
    crc: int
    articles: list[Article] = field(default_factory=list)


def archive_names(listing: bytes) -> list[str]:
    """Every incremental archive named on the listing page, oldest first (the names sort by time)."""
    return sorted(set(m.group(0) for m in ARCHIVE.finditer(listing.decode("latin-1"))))


def archive_day(name: str) -> date:
    m = ARCHIVE.fullmatch(name)
    if not m:
        raise ValueError(f"{name!r} is not a JORF archive name")
    return datetime.strptime(m["day"], "%Y%m%d").date()


def archive_ts(name: str) -> str:
    """``JORF_20260302-213015.tar.gz`` → ``2026-03-02T21:30:15Z`` (compared as text)."""
    m = ARCHIVE.fullmatch(name)
    if not m:
        raise ValueError(f"{name!r} is not a JORF archive name")
    d, t = m["day"], m["time"]
    return f"{d[:4]}-{d[4:6]}-{d[6:]}T{t[:2]}:{t[2:4]}:{t[4:]}Z"


def iter_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of the XML files, streamed; ``ArchiveError`` when cut or corrupt.

    Why ``gzip.GzipFile`` under tarfile's ``r|`` rather than ``r|gz``: tarfile's own stream
    takes a gzip cut at a member boundary for the end of the archive and says nothing;
    ``GzipFile`` raises ``EOFError`` when the end-of-stream marker is missing and checks the
    CRC, and the rest of the stream is drained after the last member so a cut after it shows."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                for member in tar:
                    if not member.isfile() or not member.name.endswith(".xml"):
                        continue
                    handle = tar.extractfile(member)
                    if handle is not None:
                        yield member.name, handle.read()
            while gz.read(1 << 16):
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveError(f"{type(exc).__name__}: {exc}") from exc


def _t(node: Any, path: str) -> str | None:
    value = node.findtext(path)
    value = " ".join(value.split()) if value else ""
    return value or None


def _html(node: Any) -> str | None:
    """A CONTENU element (HTML inside XML) → clean text, one paragraph per line."""
    if node is None:
        return None
    return clean(etree.tostring(node, encoding="unicode"))


def parse_text(data: bytes) -> Text:
    root = etree.fromstring(data, parser=_PARSER)
    tid = _t(root, "META/META_COMMUN/ID")
    if not tid:
        raise ValueError("TEXTE_VERSION without META_COMMUN/ID")
    chron = root.find("META/META_SPEC/META_TEXTE_CHRONICLE")
    ver = root.find("META/META_SPEC/META_TEXTE_VERSION")
    chron = chron if chron is not None else etree.Element("x")
    ver = ver if ver is not None else etree.Element("x")
    return Text(
        id=tid,
        nature=_t(root, "META/META_COMMUN/NATURE"),
        nor=_t(chron, "NOR"),
        date_publi=_t(chron, "DATE_PUBLI"),
        date_texte=_t(chron, "DATE_TEXTE"),
        title=_t(ver, "TITREFULL") or _t(ver, "TITRE"),
        ministry=_t(ver, "MINISTERE"),
        num=_t(chron, "NUM"),
        issue=_t(chron, "ORIGINE_PUBLI"),
        visas=_html(root.find("VISAS/CONTENU")),
        crc=zlib.crc32(data),
    )


def parse_article(data: bytes) -> Article:
    root = etree.fromstring(data, parser=_PARSER)
    aid = _t(root, "META/META_COMMUN/ID")
    if not aid:
        raise ValueError("ARTICLE without META_COMMUN/ID")
    ctx = root.find("CONTEXTE/TEXTE")
    return Article(
        id=aid,
        num=_t(root, "META/META_SPEC/META_ARTICLE/NUM"),
        text=_html(root.find("BLOC_TEXTUEL/CONTENU")),
        cid=ctx.get("cid") if ctx is not None else None,
        nature=ctx.get("nature") if ctx is not None else None,
    )


@dataclass
class ArchiveRead:
    """What one archive gave: the items, and the members skipped (name, reason)."""

    items: list[LegisItem]
    problems: list[tuple[str, str]]
    members: int


def parse_archive(
    data: bytes, name: str, natures: list[str] | set[str], *, source: str = "jorf"
) -> ArchiveRead:
    """The archive's texts of the watched ``natures`` (upper case, e.g. ARRETE), with their
    articles in number order. A member that is not readable XML is skipped and reported."""
    watched = {n.upper() for n in natures}
    texts: dict[str, Text] = {}
    articles: dict[str, list[Article]] = {}
    problems: list[tuple[str, str]] = []
    count = 0
    for member, xml in iter_members(data):
        count += 1
        is_text, is_article = TEXT_MEMBER.search(member), ARTICLE_MEMBER.search(member)
        if not (is_text or is_article):
            continue
        try:
            if is_text:
                text = parse_text(xml)
                if (text.nature or "").upper() in watched:
                    texts[text.id] = text
            else:
                art = parse_article(xml)
                if art.cid and (art.nature or "").upper() in watched:
                    articles.setdefault(art.cid, []).append(art)
        except (etree.XMLSyntaxError, ValueError) as exc:
            problems.append((member, str(exc)))
    items = []
    for tid, text in texts.items():
        text.articles = sorted(articles.get(tid, []), key=_article_order)
        items.append(jo_item(text, name, source))
    return ArchiveRead(items, problems, count)


def _article_order(a: Article) -> tuple[int, str]:
    m = re.match(r"\d+", a.num or "")
    return (int(m.group(0)) if m else 10**6, a.num or a.id)


def is_correction(text: Text, archive: str) -> bool:
    if (text.title or "").casefold().lstrip("( ").startswith("rectificatif") or (
        "(rectificatif)" in (text.title or "").casefold()
    ):
        return True
    try:
        published = date.fromisoformat(text.date_publi or "")
    except ValueError:
        return False
    return published < archive_day(archive) - timedelta(days=CORRECTION_DAYS)


def jo_item(text: Text, archive: str, source: str = "jorf") -> LegisItem:
    arts = [{"id": a.id, "num": a.num, "text": a.text} for a in text.articles]
    body = [text.title, text.visas] + [
        f"Article {a['num']}\n{a['text']}" if a["num"] else a["text"] for a in arts
    ]
    url = LEGIFRANCE.format(id=text.id)
    crc = text.crc
    for a in text.articles:
        crc = zlib.crc32((a.text or "").encode("utf-8"), crc)
    return LegisItem(
        source=source,
        kind="jo_text",
        uid=text.id,
        url=url,
        chamber="JO",
        number=text.num,
        title=text.title,
        published_raw=text.date_publi,
        text="\n\n".join(t for t in body if t) or None,
        fields={
            "nor": text.nor,
            "nature": text.nature,
            "date_publi": text.date_publi,
            "date_texte": text.date_texte,
            "ministry": text.ministry,
            "jo_issue": text.issue,
            "visas": text.visas,
            "articles": arts,
            "legifrance_url": url,
            "is_correction": is_correction(text, archive),
            "archive": archive,
        },
        source_ts=archive_ts(archive),
        fingerprint=f"1:{crc:08x}",
    )
