"""Article or listing? A decision with a reason a user can read in the log.

Why a separate rule: "two ``<article>`` cards → listing" dropped real articles that show a few
related posts as cards, and "under 200 characters → not an article" dropped the commonest page
of a federation's site, a short press release (a title, two sentences, a link to its PDF). A page
that says it is one article (``og:type=article``, a JSON-LD article, ``article:published_time``,
a dated byline under its title) is an article even when short or followed by cards; a page of
post cards that says nothing of the kind is a listing.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from spiders.parse.article_dates import hidden_zone

__all__ = ["MIN_SHORT", "decide", "post_cards"]

#: the shortest body kept for a page that declares itself an article (two short sentences)
MIN_SHORT = 40
#: compiled once (lxml compiles an XPath string on every call)
_CARDS = etree.XPath(
    '//*[(self::article or contains(concat(" ", normalize-space(@class), " "), " views-row "))'
    " and not(ancestor::aside or ancestor::footer or ancestor::nav or ancestor::article)]"
)


def post_cards(doc: Any, title_el: Any, zones: dict[Any, bool]) -> set[Any]:
    """Post cards shown by the page (``<article>`` or Drupal ``views-row`` elements) outside
    asides, footers and related blocks, not nested in another article, and not the one holding
    the page's own ``<h1>``."""
    cards = _CARDS(doc)
    own = set()
    node = title_el
    while node is not None:
        own.add(node)
        node = node.getparent()
    return {c for c in cards if c not in own and not hidden_zone(c, zones)}


def decide(
    *,
    title: str | None,
    body_chars: int,
    cards: int,
    declared: bool,
    published_meta: bool,
    byline: bool,
    min_body: int,
) -> tuple[bool, str]:
    """(is_article, reason)."""
    signals = [
        name
        for name, present in (
            ("declared article type", declared),
            ("article:published_time", published_meta),
            ("dated byline", byline),
        )
        if present
    ]
    if not title:
        return False, "no title"
    if cards >= 2 and not signals:
        return False, f"listing: {cards} post cards and no sign of a single article"
    if body_chars >= min_body:
        why = f"{body_chars} characters of text"
        if cards:
            why += f", {cards} cards of other posts beside it ({', '.join(signals)})"
        return True, f"article: {why}"
    if signals and body_chars >= MIN_SHORT:
        return True, f"short article: {body_chars} characters and {', '.join(signals)}"
    if signals:
        return False, f"too short: {body_chars} characters of text, even for a short article"
    return False, f"too short: {body_chars} characters of text and no sign of an article"
