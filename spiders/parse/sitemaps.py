"""XML sitemaps (urlset and sitemapindex, plain or gzipped) and the Sitemap lines of robots.txt.

Elements are matched by local name, so the sitemaps.org namespace, an old Google namespace or no
namespace at all read the same. The XML parser never resolves entities nor touches the network.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

MAX_BYTES = 60 * 1024 * 1024  # the protocol caps a sitemap at 50 MB uncompressed
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class SitemapUrl:
    loc: str
    lastmod_raw: str | None = None


@dataclass
class SitemapPage:
    urls: list[SitemapUrl] = field(default_factory=list)  # from a <urlset>
    sitemaps: list[str] = field(default_factory=list)  # from a <sitemapindex>
    ok: bool = True
    error: str | None = None  # when ok is False, urls/sitemaps hold what could be recovered


def parse_sitemap(body: bytes, url: str) -> SitemapPage:
    """Read one sitemap document; never raises."""
    data = bytes(body or b"")
    if data[:2] == GZIP_MAGIC:
        try:
            data = _gunzip(data)
        except (zlib.error, ValueError) as error:
            return SitemapPage(ok=False, error=f"bad gzip data: {error}")
    if not data.strip():
        return SitemapPage(ok=False, error="empty body")
    if not data.lstrip().startswith(b"<"):
        return _text_sitemap(data, url)
    try:
        root = etree.fromstring(data, parser=_parser(recover=False))
    except etree.XMLSyntaxError as error:
        page = _read(etree.fromstring(data, parser=_parser(recover=True)), url)
        html_page = b"<html" in data[:1024].lower()
        page.ok = False
        page.error = "not a sitemap (an HTML page)" if html_page else f"malformed XML: {error}"
        return page
    page = _read(root, url)
    kind = etree.QName(root).localname if root is not None else None
    if kind not in ("urlset", "sitemapindex"):
        page.ok, page.error = False, f"not a sitemap (root element <{kind}>)"
    return page


def sitemaps_from_robots(text: str, base_url: str) -> list[str]:
    """Absolute URLs of the ``Sitemap:`` lines of a robots.txt (any case, comments ignored)."""
    found: list[str] = []
    for line in (text or "").splitlines():
        name, sep, value = line.split("#", 1)[0].partition(":")
        if sep and name.strip().lower() == "sitemap" and value.strip():
            absolute = urljoin(base_url, value.strip())
            if absolute not in found:
                found.append(absolute)
    return found


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        recover=recover, resolve_entities=False, no_network=True, remove_comments=True
    )


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, MAX_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"more than {MAX_BYTES} bytes once decompressed")
    if not inflater.eof:
        raise ValueError("truncated gzip stream")
    return out


def _read(root, url: str) -> SitemapPage:
    page = SitemapPage()
    if root is None:
        return page
    for node in root.iter("{*}url"):
        loc = _child_text(node, "loc")
        if loc:
            page.urls.append(SitemapUrl(urljoin(url, loc), _child_text(node, "lastmod")))
    for node in root.iter("{*}sitemap"):
        loc = _child_text(node, "loc")
        if loc and urljoin(url, loc) not in page.sitemaps:
            page.sitemaps.append(urljoin(url, loc))
    return page


def _child_text(node, name: str) -> str | None:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _text_sitemap(data: bytes, url: str) -> SitemapPage:
    """The protocol's plain-text form: one absolute URL per line."""
    lines = data.decode("utf-8", "replace").split()
    urls = [SitemapUrl(line) for line in lines if line.startswith(("http://", "https://"))]
    if not urls:
        return SitemapPage(ok=False, error="not a sitemap (neither XML nor a list of URLs)")
    return SitemapPage(urls=urls)
