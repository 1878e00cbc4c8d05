"""HTML listing pages (home, "Actualités", archives): article links and the next page.

The last discovery path, for sites with no feed, API or sitemap, so it has to guess. It prefers
links inside the content containers CMSs use for lists of posts (Drupal ``.view-content``,
WordPress ``article.post``/``.entry``, ``<main>``), drops the page chrome (nav, header, footer,
aside, menus, pagers) and URLs that are never articles (assets, feeds, taxonomy, login, search,
pagination, home, well-known static pages). A configured ``link_selector`` replaces the guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

# most specific first: the first level that holds at least one link wins
CONTAINERS = [
    ".view-content, .views-row, article, .post, .entry, .hentry, .teaser, .node--view-mode-teaser",
    "main, [role=main], #main, #content, .content, .site-content",
]
CHROME = (
    "nav, header, footer, aside, form, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=complementary], .menu, .breadcrumb, .pager, .pagination, .nav-links, .widget, "
    ".share, .sharing, .social, .skip-link"
)
ASSET = re.compile(
    r"\.(pdf|jpe?g|png|gif|svg|webp|ico|css|js|zip|gz|docx?|xlsx?|pptx?|odt|ods|mp3|mp4|avi|"
    r"xml|rss|atom|json|txt|ics)$",
    re.I,
)
NOT_ARTICLE = re.compile(
    r"^/(?:"
    r"(?:category|categorie|tag|tags|etiquette|taxonomy/term|rubrique|rubriques|theme|themes|"
    r"author|auteur|auteurs|user|users|membre|search|recherche|feed|rss|atom|wp-admin|"
    r"wp-content|wp-includes|wp-json|comments|page|sites/default/files|static|media|node/add)"
    r"(?:/|$)"
    r"|(?:contact|mentions-legales|a-propos|qui-sommes-nous|adherer|newsletter|abonnement|"
    r"connexion|login|wp-login\.php|inscription|cgu|cgv|plan-du-site|politique-de-confidentialite|"
    r"faq|don|faire-un-don|rss\.xml|sitemap\.xml|espace-adherents|mon-compte)/?$"
    r")",
    re.I,
)
DROP_QUERY = {"page", "paged", "s", "q", "replytocom", "share", "destination", "amp", "print"}
NEXT_TEXT = re.compile(r"^(?:.*\bsuivante?s?\b.*|›+|»|>+|next.*|plus d.articles)$", re.I)


@dataclass
class ListingPage:
    article_links: list[str] = field(default_factory=list)
    next_url: str | None = None


def parse_listing(html: bytes | str, url: str, *, link_selector: str | None = None) -> ListingPage:
    """Article links (absolute, same host and port, no fragment, page order, unique) + next."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, etree.ParserError):
        return ListingPage()
    if link_selector:
        anchors = _anchors_in(doc.cssselect(link_selector))
    else:
        anchors = _guess_anchors(doc)
    links: list[str] = []
    for anchor in anchors:
        target = _article_url(anchor.get("href"), url, trusted=bool(link_selector))
        if target and target not in links:
            links.append(target)
    return ListingPage(article_links=links, next_url=_next_url(doc, url))


def _anchors_in(elements) -> list:
    found: list = []
    for element in elements:
        found.extend([element] if element.tag == "a" else element.iter("a"))
    return [a for a in found if a.get("href")]


def _guess_anchors(doc) -> list:
    body = doc.find("body")
    root = body if body is not None else doc
    chrome = set()
    for element in root.cssselect(CHROME):
        chrome.update(element.iter("a"))
    usable = [a for a in root.iter("a") if a.get("href") and a not in chrome]
    for selector in CONTAINERS:
        inside = set()
        for container in root.cssselect(selector):
            inside.update(container.iter("a"))
        preferred = [a for a in usable if a in inside]
        if preferred:
            return preferred
    return usable


def _article_url(href: str | None, base: str, trusted: bool = False) -> str | None:
    if not href or href.strip().lower().startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    absolute = _absolute(base, href)
    if absolute is None:
        return None
    parts, here = urlsplit(absolute), urlsplit(base)
    if parts.scheme not in ("http", "https") or not _same_host(parts, here):
        return None
    if trusted:
        return absolute
    path = parts.path or "/"
    if (path == "/" and not parts.query) or ASSET.search(path) or NOT_ARTICLE.search(path):
        return None
    if DROP_QUERY & set(parse_qs(parts.query, keep_blank_values=True)):
        return None
    if absolute == urldefrag(base)[0]:
        return None
    return absolute


def _absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, fragment removed; None when it is not a URL."""
    try:
        absolute = urldefrag(urljoin(base, href.strip()))[0]
        urlsplit(absolute).port  # noqa: B018 - raises on a bad port or IPv6 literal
    except ValueError:
        return None
    return absolute


def _same_host(a, b) -> bool:
    return (a.hostname, _port(a)) == (b.hostname, _port(b))


def _port(parts) -> int | None:
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def _next_url(doc, url: str) -> str | None:
    """rel=next, then a "Suivant"/"›"/"»" link, then the page number after the current one."""
    here = urlsplit(url)
    candidates = []
    for element in doc.iter("link", "a"):
        href = element.get("href")
        if href and "next" in (element.get("rel") or "").lower().split():
            candidates.append(href)
    for anchor in doc.iter("a"):
        text = " ".join(anchor.text_content().split())
        label = " ".join(filter(None, [anchor.get("title"), anchor.get("aria-label")]))
        if anchor.get("href") and any(
            NEXT_TEXT.match(t) and not re.search(r"dernier|last", t, re.I)
            for t in (text, label)
            if t
        ):
            candidates.append(anchor.get("href"))
    wanted = _following_page(url)
    for anchor in doc.iter("a"):
        absolute = _absolute(url, anchor.get("href") or "")
        if absolute and wanted and _page_key(absolute) == wanted:
            candidates.append(absolute)
    for href in candidates:
        absolute = _absolute(url, href)
        if absolute is None:
            continue
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and _same_host(parts, here) and absolute != url:
            return absolute
    return None


PAGE_IN_PATH = re.compile(r"^(.*?/)page/(\d+)/?$")


def _page_key(url: str) -> tuple[str, int] | None:
    """(listing identity, page number) for Drupal ?page=N (0-based) and WordPress /page/N/."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    match = PAGE_IN_PATH.match(parts.path)
    if match:
        return (match.group(1), int(match.group(2)))
    for name in ("page", "paged"):
        if query.get(name, [""])[0].isdigit():
            return (parts.path, int(query[name][0]) + (1 if name == "page" else 0))
    return None


def _following_page(url: str) -> tuple[str, int] | None:
    key = _page_key(url)
    if key:
        return (key[0], key[1] + 1)
    path = urlsplit(url).path or "/"
    # page 1 of a listing: WordPress next is {path}page/2/, Drupal next is ?page=1 (= 2nd page)
    return (path, 2)
