"""Text cleanup and the matching fold.

Pages hand us HTML fragments, double-escaped entities (``&amp;eacute;`` from the AN dumps),
non-breaking and thin spaces, typographic apostrophes, soft hyphens and zero-width characters.
Each of these silently defeats a naive substring match or makes two versions of the same text
look different, so every text goes through :func:`clean_text` / :func:`clean_line` before it is
stored or matched, and every comparison goes through :func:`fold`.

:func:`fold_with_map` keeps, for each folded character, the index of the original character it
came from: folding changes lengths (``œ`` → ``oe``, ``ß`` → ``ss``, dropped soft hyphens), and the
matcher must report spans and snippets in the *original* text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html

__all__ = ["clean_line", "clean_text", "fold", "fold_with_map", "normalize_chars"]

#: spaces that look like a space but are not U+0020 (NBSP, narrow NBSP, thin, figure, em…)
_SPACES = "\u00a0\u202f\u2009\u2007\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000\t\f\v"
#: apostrophes and primes people (and word processors) use for "'"
_APOSTROPHES = "\u2019\u2018\u02bc\u2032\u00b4\u0060"
#: invisible characters: soft hyphen, zero-width space/joiners, word joiner, BOM
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_CHAR_TABLE = str.maketrans(
    {
        **{c: " " for c in _SPACES},
        **{c: "'" for c in _APOSTROPHES},
        **{c: None for c in _INVISIBLE},
        "\r": None,
    }
)

#: hyphen look-alikes folded to "-" for matching only (clean text keeps the author's choice)
_HYPHENS = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2212\ufe63\uff0d"})
#: letters NFKD does not decompose but a French reader treats as two letters or a plain one
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}

_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# sentinels for breaks produced by block elements (never present in real text after cleanup)
_LINE, _PARA, _BR = "\x1e", "\x1d", "\x1f"
_WS = re.compile(r"\s+")
_BLANKS = re.compile(r"[ \t]+")
_SENTINELS = re.compile(r"[\x1d-\x1f]")
_BLANK_LINES = re.compile(r"\n{2,}")
_AMP_ENTITY = re.compile(r"&amp;(?=#?[A-Za-z0-9]{1,32};)")
_BREAKS = re.compile(r"[ \t]*[\x1d-\x1f][\x1d-\x1f \t]*")
_PARA_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 blockquote section article header footer aside ul ol dl table "
    "pre figure figcaption address hr main nav form fieldset".split()
)
_LINE_TAGS = frozenset("li tr dt dd caption".split())
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "title", "iframe", "svg")


#: the characters _CHAR_TABLE changes, for a regex that finds them (see normalize_chars)
_CHAR_MAP = {chr(code): value or "" for code, value in _CHAR_TABLE.items()}
_ODD_CHARS = re.compile("[" + re.escape("".join(_CHAR_MAP)) + "]")


def normalize_chars(value: str) -> str:
    """NFC, odd spaces → " ", typographic apostrophes → "'", invisible characters removed.

    Why a regex and not ``str.translate(_CHAR_TABLE)`` (same result): translate looks every
    character up in a dict (40 % of clean_text over a dump, a tenth of a millisecond per
    article), even for an article whose only odd characters are a few apostrophes."""
    value = unicodedata.normalize("NFC", value)
    if _ODD_CHARS.search(value) is None:
        return value
    return _ODD_CHARS.sub(lambda m: _CHAR_MAP[m.group()], value)


def _unescape(value: str) -> str:
    """Decode entities, repeatedly, so double-escaped ``&amp;eacute;`` also becomes "é".

    Only well-formed entities (with ";") are touched: "R&D" or "AT&T" stay as they are.
    """
    if "&" not in value:  # most texts: nothing to decode
        return value
    for _ in range(3):
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group()), value)
        if decoded == value:
            break
        value = decoded
    return value


def _html_to_text(fragment: str) -> str:
    """Render an HTML fragment as text with sentinel line/paragraph breaks.

    Whitespace inside text nodes is insignificant in HTML, so source newlines become spaces;
    only block elements produce breaks. Why lxml directly rather than BeautifulSoup: this runs
    for every record of a 50,000-question dump, and lxml's tree walk is several times faster.
    """
    try:
        root = lxml_html.document_fromstring(fragment)
    except (etree.ParserError, ValueError):
        return _TAG.sub(" ", fragment)
    parts: list[str] = []
    # iterative walk: (element, closing?) — a block element breaks on both sides
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None  # type: ignore[attr-defined]
        if closing:
            parts.append(_PARA if tag in _PARA_TAGS else _LINE if tag in _LINE_TAGS else "")
        elif tag is not None and tag not in _DROP_TAGS:
            if tag == "br":
                parts.append(_BR)
            else:
                parts.append(_PARA if tag in _PARA_TAGS else _LINE if tag in _LINE_TAGS else "")
                if el.text:  # type: ignore[attr-defined]
                    parts.append(_WS.sub(" ", el.text))  # type: ignore[attr-defined]
                stack.append((el, True))
                stack.extend((child, False) for child in reversed(el))  # type: ignore[call-overload]
                continue
        if el is not root and el.tail:  # type: ignore[attr-defined]
            parts.append(_WS.sub(" ", el.tail))  # type: ignore[attr-defined]
    return "".join(parts)


def _break(run: re.Match[str]) -> str:
    """A run of break sentinels: a paragraph if it holds a block end or ``<br><br>``."""
    text = run.group()
    return "\n\n" if _PARA in text or text.count(_BR) > 1 else "\n"


def _layout(text: str) -> str:
    """Collapse spaces within lines; blank lines (or paragraph sentinels) → one "\\n\\n"."""
    if _SENTINELS.search(text):
        text = _BREAKS.sub(_break, text)
    if "  " in text or "\t" in text:  # else every run is one space: nothing to collapse
        text = _BLANKS.sub(" ", text)  # a run never spans a line break (and each space of a
        # 5 KB article was a match to replace: 0.1 ms of its ingest, issue 15)
    if "\n" not in text:  # one line (titles, most questions)
        return text.strip()
    # stripped lines; a run of blank ones between two paragraphs → one blank line
    lines = "\n".join(line.strip() for line in text.split("\n")).strip("\n")
    return _BLANK_LINES.sub("\n\n", lines)


def clean_text(value: str | None) -> str | None:
    """Plain text or HTML fragment → clean multi-line text; ``None`` when nothing is left.

    Paragraphs are separated by a blank line, lines inside a paragraph by "\\n".
    """
    if value is None:
        return None
    value = _unescape_amp_entities(value)
    if _TAG.search(value):
        value = _html_to_text(value)
    value = normalize_chars(_unescape(value))
    return _layout(value) or None


def _unescape_amp_entities(value: str) -> str:
    """``&amp;eacute;`` → ``&eacute;`` before parsing, so the parser decodes it in one go."""
    return _AMP_ENTITY.sub("&", value) if "&amp;" in value else value


def clean_line(value: str | None) -> str | None:
    """Like :func:`clean_text`, on one line (titles, names): every break becomes one space."""
    text = clean_text(value)
    if text is None:
        return None
    return _WS.sub(" ", text).strip() or None


def _fold_char(char: str) -> str:
    char = char.translate(_CHAR_TABLE).translate(_HYPHENS)
    if not char:
        return ""
    char = char.casefold()
    char = "".join(_LIGATURES.get(c, c) for c in char)
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each code point once, on first sight, and caches it:
    texts use a few hundred distinct characters, so folding runs at ``translate`` speed."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        if len(folded) != 1:
            _UNEVEN.add(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
#: characters whose fold is not exactly one character ("œ" → "oe", soft hyphen → ""), as met
_UNEVEN: set[str] = set()


def fold_with_map(value: str) -> tuple[str, list[int]]:
    """Fold ``value`` and return ``(folded, index)`` where ``index[i]`` is the position in
    ``value`` of the character that produced ``folded[i]``.

    Folding character by character gives the same result as folding the whole string (every
    step is context-free) and lets spans found in the folded text map back exactly.

    Why no per-character loop: most texts have no character whose fold changes the length,
    and then the index is the identity; otherwise only the runs between such characters are
    copied as ranges (a Python loop over every character was a third of an article's
    ingest CPU, bench/crawl_overhead.py).
    """
    folded = value.translate(_FOLD_TABLE)  # also meets (and tables) every new character
    if len(folded) == len(value) and _UNEVEN.isdisjoint(value):
        return folded, list(range(len(value)))
    table = _FOLD_TABLE
    index: list[int] = []
    start = 0
    for found in _uneven_pattern().finditer(value):
        pos = found.start()
        index.extend(range(start, pos))
        index.extend([pos] * len(table[ord(found.group())]))
        start = pos + 1
    index.extend(range(start, len(value)))
    return folded, index


_UNEVEN_RX: list[tuple[int, re.Pattern[str]]] = [(0, re.compile(r"(?!)"))]


def _uneven_pattern() -> re.Pattern[str]:
    """One character class of :data:`_UNEVEN`, rebuilt when a new such character was met."""
    size, pattern = _UNEVEN_RX[0]
    if size != len(_UNEVEN):
        chars = "".join(sorted(_UNEVEN))
        pattern = re.compile("[" + re.escape(chars) + "]")
        _UNEVEN_RX[0] = (len(_UNEVEN), pattern)
    return pattern


@lru_cache(maxsize=64)
def fold(value: str) -> str:
    """The matching fold: casefold, accents and ligatures removed, odd spaces → " ",
    typographic apostrophes → "'", hyphen look-alikes → "-", invisible characters dropped.

    Cached for the last few texts: one item's title and body are folded by the matcher (once per
    profile) and again for its citations; a hit costs a hash.

    Why not only ``str.translate``: it looks every character up in the table, 55 ns each
    whatever the character (175 µs for a 3 KB article body, the largest share of matching an
    article, issue 15). French text is mostly ASCII with a dozen distinct accented letters and
    signs: each of those is replaced by its fold in one ``str.replace``, a few ASCII
    characters likewise, and ``lower()`` folds the rest (3x faster, same result, tested
    character by character). A text holding a character whose fold ``lower()`` would change
    takes ``translate``."""
    text = value
    for char in set(_NON_ASCII.findall(value)):
        folded = _replacement(char)
        if folded is None:
            return value.translate(_FOLD_TABLE)
        if folded != char:
            text = text.replace(char, folded)
    for char, folded in _ascii_odd():
        if char in text:
            text = text.replace(char, folded)
    return text.lower()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: non-ASCII character → its fold, or None when fold's shortcut cannot apply it (filled as met)
_REPLACEMENTS: dict[str, str | None] = {}
_ASCII_ODD: list[tuple[str, str]] = []


def _replacement(char: str) -> str | None:
    """The fold of ``char`` if ``fold`` may put it in with ``str.replace`` before ``lower()``:
    a fold that ``lower()`` and folding again leave unchanged. None otherwise ("ℌ" folds to
    "H", which ``lower()`` would change)."""
    try:
        return _REPLACEMENTS[char]
    except KeyError:
        folded = _FOLD_TABLE[ord(char)]
        fixed = folded.lower() == folded and "".join(_FOLD_TABLE[ord(c)] for c in folded) == folded
        _REPLACEMENTS[char] = folded if fixed else None
        return _REPLACEMENTS[char]


def _ascii_odd() -> list[tuple[str, str]]:
    """The ASCII characters whose fold is not their lower case (tab, CR, backquote...)."""
    if not _ASCII_ODD:
        _ASCII_ODD.extend(
            (chr(c), _FOLD_TABLE[c]) for c in range(128) if _FOLD_TABLE[c] != chr(c).lower()
        )
    return _ASCII_ODD
