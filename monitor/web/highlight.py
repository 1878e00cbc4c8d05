"""Stored text → escaped HTML paragraphs with the watch terms in ``<mark>``.

The spans come from :meth:`monitor.ingest.match.Matcher.highlight`, the matcher the alerts use:
the archive never highlights with a second implementation, so what is marked on a page is
exactly what made the alert. Every piece of text is escaped by markupsafe first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from monitor.ingest.match import Matcher

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def marked(text: str, matcher: Matcher | None) -> Markup:
    """``text`` escaped, each term hit wrapped in ``<mark>`` (no matcher: escaped only)."""
    spans: Sequence[tuple[int, int]] = matcher.highlight(text) if matcher and text else ()
    out, last = [], 0
    for start, end in spans:
        out += [str(escape(text[last:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def _blocks(text: str) -> list[list[str]]:
    if _PARAGRAPH_BREAK.search(text):
        return [p.strip().split("\n") for p in _PARAGRAPH_BREAK.split(text)]
    return [[line] for line in text.split("\n")]


def paragraphs(text: str, matcher: Matcher | None = None) -> Markup:
    """Plain text → ``<div class="vigie-text">`` of escaped ``<p>`` paragraphs, terms marked.

    Blank lines separate paragraphs (single newlines inside one become ``<br>``); text without
    any blank line (what article extraction often gives) has one paragraph per line.
    """
    html = "".join(
        "<p>" + "<br>".join(str(marked(line.strip(), matcher)) for line in lines) + "</p>"
        for lines in _blocks(text)
        if any(line.strip() for line in lines)
    )
    return Markup(f'<div class="vigie-text">{html}</div>')
