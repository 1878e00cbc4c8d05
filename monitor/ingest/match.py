"""Watch terms → matches (which terms, in which fields, a snippet, highlight spans).

Term syntax (``[watch] terms`` and ``exclude`` in config.toml), chosen so that the spellings of
SECPA seen on the watched sites match with a short, readable list:

* **Case- and accent-insensitive**: term and text are compared after :func:`monitor.ingest.text.fold`
  (casefold, accents and ligatures removed: "coordonné" = "COORDONNE", "œ" = "oe"; typographic
  apostrophes, non-breaking/thin spaces, soft hyphens and zero-width characters do not count).
* **Whole words**: a hit may not be preceded or followed by a letter or digit, so ``SECPA`` does
  not match "ISECPA", "SECPAL" or "secpanel".
* **Prefix wildcard**: a trailing ``*`` on a word matches any word ending ("participati*" →
  participatif, participatives…). ``*`` anywhere else is an error, and the prefix needs at least
  3 letters (a shorter one would flood the alerts).
* **Separators**: a space in a term matches any run of spaces, line breaks, hyphens and
  apostrophes; a hyphen or an apostrophe in a term matches an optional such run
  ("d'exercice" matches "d’exercice", "d exercice", "dexercice").
* **Hyphen inside a word**: between two letters or digits of a term word, the text may have one
  hyphen: ``SECPA`` matches "SEC-Pa" and "Sec-pa" (and harmlessly "SE-CPA"). A space inside the
  word is *not* accepted ("sec pa…" would hit ordinary French).
* **Plural**: a word of 3+ characters without ``*`` also matches with a final "s": ``SECPA``
  matches "SECPAs". "SECPA's" matches anyway (the apostrophe is a word boundary); the hit is
  "SECPA".

Exclusions use the same syntax and **mask** their occurrences: a term hit that overlaps an
excluded occurrence does not count, but a hit elsewhere in the same document still does. An
exclusion is never a veto on the whole document: a page that mentions an excluded phrase *and*
the real subject must still reach the user.

Spans and snippets are in the original (unfolded) text: :func:`monitor.ingest.text.fold_with_map` gives
the position of every folded character in the original, so accents and "œ" → "oe" do not shift
highlights.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from monitor.ingest.text import fold, fold_with_map

__all__ = ["MatchResult", "Matcher", "compile_term", "snippet"]

SNIPPET_WIDTH = 200
MIN_WILDCARD_PREFIX = 3
_SEPARATOR_RUN = r"[\s'\-]+"  # what a space in a term matches
_SEPARATOR_OPT = r"[\s'\-]*"  # what a hyphen or apostrophe in a term matches
_TOKENS = re.compile(r"[\s'\-]+|[^\s'\-]+")


#: the record fields matched, in the order their hits are reported (the snippet comes from the
#: first field with a hit): the pipeline and `vigie rematch` must agree on them
MATCHED_FIELDS: tuple[str, ...] = ("title", "body", "answer_text")


@dataclass
class MatchResult:
    """What :meth:`Matcher.match` found in one document."""

    matched: bool = False
    #: config terms that matched, in config order
    terms: list[str] = field(default_factory=list)
    #: term → names of the fields where it matched, in the order the fields were given
    fields: dict[str, list[str]] = field(default_factory=dict)
    #: ~200 characters of original text around the first hit, "…" where cut
    snippet: str | None = None


def _word_pattern(term: str, word: str) -> str:
    """One term word → regex: optional hyphen between alphanumerics, wildcard, plural."""
    stem = word.rstrip("*")
    wildcard = stem != word
    if "*" in stem:
        raise ValueError(f"watch term {term!r}: '*' is allowed only at the end of a word")
    if wildcard and sum(c.isalnum() for c in stem) < MIN_WILDCARD_PREFIX:
        raise ValueError(
            f"watch term {term!r}: a wildcard needs at least {MIN_WILDCARD_PREFIX} letters "
            f"before '*' (e.g. 'participati*')"
        )
    parts: list[str] = []
    for prev, char in zip(" " + stem, stem, strict=False):
        if prev.isalnum() and char.isalnum():
            parts.append("-?")
        parts.append(re.escape(char))
    if wildcard:
        parts.append(r"\w*")
    elif len(stem) >= 3 and stem[-1].isalpha():
        parts.append("s?")
    return "".join(parts)


def compile_term(term: str) -> re.Pattern[str]:
    """Compile one config term (syntax in the module docstring) to a regex over folded text.

    Raises ValueError naming the term when it is empty, only wildcards or misplaced ``*``.
    """
    folded = fold(term).strip(" \t\n'-")
    if not folded.replace("*", "").strip(" \t\n'-"):
        what = "is empty" if not folded else "has only wildcards or separators"
        raise ValueError(f"watch term {term!r} {what}: write at least one word")
    pattern: list[str] = []
    tokens = _TOKENS.findall(folded)
    for token in tokens:
        if not token.strip(" \t\n\r'-"):  # a separator run
            pattern.append(_SEPARATOR_RUN if any(c.isspace() for c in token) else _SEPARATOR_OPT)
        else:
            pattern.append(_word_pattern(term, token))
    body = "".join(pattern)
    # "(?<!\w)s…" written "s(?<!\ws)…": the same matches, but a pattern that starts with a
    # literal lets the regex engine jump to that letter instead of trying every position
    # (the no-hit check over a dump's texts ran 6x faster, issue 15)
    first = re.escape(tokens[0][0])
    if body.startswith(first):
        return re.compile(first + rf"(?<!\w{first})" + body[len(first) :] + r"(?!\w)")
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


def _original_span(original: str, index: list[int], start: int, end: int) -> tuple[int, int]:
    """Folded span → original span; extends over combining accents that follow the last char."""
    first = index[start]
    last = index[end - 1] + 1
    while last < len(original) and unicodedata.combining(original[last]):
        last += 1
    return first, last


def _overlaps(span: tuple[int, int], masks: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < m_end and m_start < span[1] for m_start, m_end in masks)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of ``text`` around ``text[start:end]``, cut between words,
    with "…" where text was left out; whitespace (line breaks included) shown as one space."""
    if len(text) <= width:
        return _squash(text)
    size = max(width, end - start)
    left = max(0, start - (size - (end - start)) // 2)
    right = min(len(text), left + size)
    left = max(0, right - size)
    if left > 0 and not text[left - 1].isspace():
        space = re.search(r"\s", text[left:start])
        left = left + space.end() if space else start
    if right < len(text) and not text[right].isspace():
        spaces = list(re.finditer(r"\s", text[end:right]))
        right = end + spaces[-1].start() if spaces else end
    body = _squash(text[left:right])
    return ("…" if left > 0 else "") + body + ("…" if right < len(text) else "")


class Matcher:
    """Compiled watch terms and exclusions; :meth:`match` one document's fields at a time."""

    def __init__(self, terms: Sequence[str], exclude: Iterable[str] = ()):
        self.terms: list[str] = list(dict.fromkeys(terms))  # config order, duplicates dropped
        self.exclude: list[str] = list(dict.fromkeys(exclude))
        self._terms = [(term, compile_term(term)) for term in self.terms]
        self._exclude = [compile_term(phrase) for phrase in self.exclude]

    def _hits(self, text: str) -> tuple[list[int], dict[str, list[tuple[int, int]]]]:
        """Index map and, per term, the folded spans of hits outside every exclusion."""
        quick = fold(text)
        if not any(rx.search(quick) for _, rx in self._terms):
            return [], {}  # the common case: a cheap whole-string fold, no index map
        folded, index = fold_with_map(text)
        masks = [m.span() for rx in self._exclude for m in rx.finditer(folded)]
        hits = {
            term: [m.span() for m in rx.finditer(folded) if not _overlaps(m.span(), masks)]
            for term, rx in self._terms
        }
        return index, hits

    def match(self, fields: dict[str, str | None]) -> MatchResult:
        """Match the full text of each field (empty ones skipped). See the module docstring."""
        where: dict[str, list[str]] = {}
        first: tuple[str, tuple[int, int]] | None = None
        for name, text in fields.items():
            if not text:
                continue
            index, hits = self._hits(text)
            for term, spans in hits.items():
                if spans:
                    where.setdefault(term, []).append(name)
            starts = [span for spans in hits.values() for span in spans]
            if first is None and starts:
                earliest = min(starts)
                first = (name, _original_span(text, index, *earliest))
        terms = [term for term in self.terms if term in where]
        result = MatchResult(matched=bool(terms), terms=terms)
        result.fields = {term: where[term] for term in terms}
        if first is not None:
            text = fields[first[0]] or ""
            result.snippet = snippet(text, *first[1])
        return result

    def highlight(self, text: str) -> list[tuple[int, int]]:
        """Sorted, merged ``(start, end)`` spans of term hits in the original ``text``."""
        if not text:
            return []
        index, hits = self._hits(text)
        spans = sorted(
            _original_span(text, index, *span) for found in hits.values() for span in found
        )
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged
