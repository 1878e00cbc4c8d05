"""Page titles without the site's name: "What we do - Creative Commons" → "What we do".

Why learnt and not a fixed list: sites write their name in many ways ("… | AOC media - Analyse
Opinion Critique" holds a separator inside the name itself). The names come from what the page
declares (``og:site_name``, ``application-name``, JSON-LD ``publisher``/``WebSite`` name), from
the difference between ``<title>`` and the ``<h1>`` of the same page, and, across a crawl, from
the suffix or prefix that several pages of one host share (:class:`SiteNames`, kept by the
spider). A title is never shortened to nothing, and only a whole separator-delimited part is cut.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["SEPARATORS", "SiteNames", "affixes_from_title", "strip_site_name"]

SEPARATORS = re.compile(r"\s+[|\-–—:·»•/]{1,2}\s+|\s*[|·»•]\s*")
_MIN_TITLE = 3


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("\xa0", " ").split())


def strip_site_name(title: str | None, names: Iterable[str]) -> str | None:
    """Cut a known site name written before or after a separator; repeat while one matches."""
    if not title:
        return title
    keys = sorted({_key(n) for n in names if n and _key(n)}, key=len, reverse=True)
    changed = True
    while changed and keys:
        changed = False
        for name in keys:
            cut = _cut_suffix(title, name) or _cut_prefix(title, name)
            if cut and len(cut) >= _MIN_TITLE:
                title, changed = cut, True
                break
    return title


def _cut_suffix(title: str, name: str) -> str | None:
    key = _key(title)
    if not key.endswith(name) or key == name:
        return None
    head = title[: len(title) - _tail_len(title, name)]
    found = re.search(rf"(?:{SEPARATORS.pattern})$", head)
    return head[: found.start()].strip() if found else None


def _cut_prefix(title: str, name: str) -> str | None:
    key = _key(title)
    if not key.startswith(name) or key == name:
        return None
    tail = title[_head_len(title, name) :]
    found = re.match(rf"^(?:{SEPARATORS.pattern})", tail)
    return tail[found.end() :].strip() if found else None


def _tail_len(title: str, name: str) -> int:
    """Characters of ``title``'s end that spell ``name`` (whitespace may differ)."""
    for n in range(len(name), len(title) + 1):
        if _key(title[-n:]) == name:
            return n
    return len(name)


def _head_len(title: str, name: str) -> int:
    for n in range(len(name), len(title) + 1):
        if _key(title[:n]) == name:
            return n
    return len(name)


def affixes_from_title(page_title: str | None, headline: str | None) -> list[str]:
    """What ``<title>`` adds around the ``<h1>``: "Fin brutale… | FNCS" with h1 "Fin brutale…"
    gives ["FNCS"]."""
    if not page_title or not headline:
        return []
    t, h = _key(page_title), _key(headline)
    if t == h or h not in t:
        return []
    start = t.index(h)
    out = []
    for part in (t[:start], t[start + len(h) :]):
        part = _EDGES.sub("", part)
        if part and len(part) <= 80:
            out.append(part)
    return out


_SITE_SEPARATOR = re.compile(r"\s+[|\-–—·»•]{1,2}\s+|\s*[|·»•]\s*")
_EDGES = re.compile(r"^[\s|\-–—:·»•/]+|[\s|\-–—:·»•/]+$")


class SiteNames:
    """Site names learnt during a crawl of one host: declared names, and title endings that
    several pages share ("… | AOC media - Analyse Opinion Critique" on three pages)."""

    def __init__(self, min_pages: int = 3) -> None:
        self.declared: set[str] = set()
        self.ends: Counter[str] = Counter()
        self.min_pages = min_pages

    def learn(
        self, page_title: str | None, declared: Iterable[str] = (), headline: str | None = None
    ) -> None:
        """``page_title``: the ``<title>``; its endings after a site-name separator (``|``,
        ``-``, ``–``…, not ``:``) count, unless the page's own headline holds them — "Article 9 :
        l'expérimentation prolongée" on three pages is a series, not a site name."""
        self.declared.update(n for n in declared if n)
        if not page_title:
            return
        own = _key(headline or "")
        ends = {_key(page_title[m.end() :]) for m in _SITE_SEPARATOR.finditer(page_title)}
        self.ends.update(e for e in ends if e and e not in own)

    def names(self) -> set[str]:
        return self.declared | {name for name, n in self.ends.items() if n >= self.min_pages}
