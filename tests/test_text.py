"""Tests of monitor.ingest.text: cleanup of HTML/plain text and the matching fold."""

from __future__ import annotations

import pytest

from monitor.ingest import text as text_module
from monitor.ingest.text import clean_line, clean_text, fold, fold_with_map

CLEAN_TEXT = [
    ("none", None, None),
    ("empty", "", None),
    ("blank", " \n\t\u00a0 ", None),
    ("empty-tags", "<p> </p><br>", None),
    ("plain-collapses-spaces", "  a   b \t c  ", "a b c"),
    ("plain-keeps-lines", "un\ndeux", "un\ndeux"),
    ("plain-blank-lines-one-paragraph", "un\n\n \n\ndeux", "un\n\ndeux"),
    ("crlf", "un\r\ndeux", "un\ndeux"),
    ("paragraphs", "<p>Un  <b>deux</b></p>\n<p>trois</p>", "Un deux\n\ntrois"),
    ("source-newlines-are-spaces", "<p>un\n   deux</p>", "un deux"),
    ("br-is-a-line", "a<br>b<br/>c", "a\nb\nc"),
    ("br-br-is-a-paragraph", "a<br><br>b", "a\n\nb"),
    ("list-items-are-lines", "<ul><li>un</li><li>deux</li></ul>fin", "un\ndeux\n\nfin"),
    ("headings", "<h2>Titre</h2>Texte", "Titre\n\nTexte"),
    ("table-rows", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "ab\nc"),
    ("script-style-dropped", "<style>p{}</style><p>x</p><script>alert(1)</script>", "x"),
    ("comment-dropped", "a<!-- hidden -->b", "ab"),
    ("entities", "<p>l&#8217;exp&eacute;rimentation&nbsp;SECPA</p>", "l'expérimentation SECPA"),
    ("double-escaped", "sant&amp;eacute; &amp;#8217;", "santé '"),
    ("double-escaped-in-html", "<p>sant&amp;eacute;</p>", "santé"),
    ("escaped-lt-stays-text", "<p>x &lt; y</p>", "x < y"),
    ("lone-angle-brackets-are-text", "a < b et c > d", "a < b et c > d"),
    ("ampersand-words-kept", "R&D et AT&T", "R&D et AT&T"),
    ("nbsp-narrow-thin", "a\u00a0b\u202fc\u2009d", "a b c d"),
    ("apostrophes", "l\u2019a l\u2018b l\u02bcc l\u2032d", "l'a l'b l'c l'd"),
    ("soft-hyphen-zero-width", "exp\u00e9\u00adri\u200bmen\u200dta\ufefftion", "expérimentation"),
    ("nfc", "sante\u0301", "santé"),
]


@pytest.mark.parametrize(
    ("value", "expected"), [c[1:] for c in CLEAN_TEXT], ids=[c[0] for c in CLEAN_TEXT]
)
def test_clean_text(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("<p> </p>", None),
        (
            "<h1>Fin  brutale</h1><p>de l&rsquo;exp&eacute;rimentation</p>",
            "Fin brutale de l'expérimentation",
        ),
        ("un\n\ndeux\ntrois", "un deux trois"),
    ],
)
def test_clean_line(value, expected):
    assert clean_line(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SECPA", "secpa"),
        ("Coordonné Participatifs", "coordonne participatifs"),
        ("Œuvre cœur", "oeuvre coeur"),
        ("Straße", "strasse"),
        ("ÇA", "ca"),
        ("d\u2019exercice\u00a0coordonné", "d'exercice coordonne"),
        ("SEC\u2011Pa", "sec-pa"),  # non-breaking hyphen
        ("ﬁn", "fin"),
        ("e\u0301", "e"),
        ("par\u00adticipatif", "participatif"),
    ],
)
def test_fold(value, expected):
    assert fold(value) == expected


def test_fold_map_points_back_to_original_characters():
    original = "Œuvre é\u00adt\u00e9"
    folded, index = fold_with_map(original)
    assert folded == "oeuvre ete"
    assert len(index) == len(folded)
    assert index[:3] == [0, 0, 1]  # "o" and "e" both come from "Œ"
    assert [original[i] for i in index[7:]] == ["é", "t", "é"]  # soft hyphen dropped


@pytest.mark.parametrize(
    "original",
    [
        "sans caractère qui change de longueur",  # the identity map
        "Œuvre… cœur\u00ad\u200bstraße ﬁn\r\nfin",  # every kind of uneven fold, mixed
        "",
        "\u00ad\u200b",  # only dropped characters
    ],
)
def test_fold_map_equals_the_fold_character_by_character(original):
    # issue 15: the map is built from runs, not per character; it must stay exact
    expected_folded = "".join(fold(c) for c in original)
    expected_index = [pos for pos, c in enumerate(original) for _ in fold(c)]
    folded, index = fold_with_map(original)
    assert folded == expected_folded == fold(original)
    assert list(index) == expected_index


def test_odd_characters_normalized_in_long_text_without_any():
    plain = "Les centres de santé accueillent des patients. " * 100
    assert clean_text(plain) == plain.strip()
    odd = "l\u2019accès\u00a0aux soins\u200b " * 3
    assert clean_line(odd) == "l'accès aux soins l'accès aux soins l'accès aux soins"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Éco l’État — Œuvre", "eco l'etat — oeuvre"),  # every character in the plain table
        ("Éco ﬁnance Ａ l’État\ufeff 😀 Œuvre", "eco finance a l'etat 😀 oeuvre"),  # some past it
    ],
)
def test_fold_is_the_same_through_either_table(value, expected):
    """Issue 15: texts of plain French characters take fold's shortcut (replace, lower), texts
    with others (a ligature past U+3000, an emoji) the table: same fold, character by
    character, and the same as fold_with_map's."""
    assert fold(value) == expected
    assert fold(value) == "".join(fold(c) for c in value) == fold_with_map(value)[0]


def _table_fold(value: str) -> str:
    """The reference fold: every character looked up in the table (no shortcut)."""
    return "".join(text_module._FOLD_TABLE[ord(c)] for c in value)


def test_fold_shortcut_equals_the_table_for_every_character():
    """Issue 15: fold replaces a text's non-ASCII characters and lower-cases the rest; for every
    code point below U+3000 and a sample beyond (CJK, fullwidth, emoji, the last planes), alone,
    capitalised in a word, and all together, that gives the table's fold exactly."""
    codes = [c for c in range(0x3000) if not 0xD800 <= c < 0xE000]
    codes += list(range(0xFB00, 0xFB07)) + list(range(0xFF01, 0xFF5F)) + [0x1F600, 0xE0001]
    chars = [chr(c) for c in codes]
    for char in chars:
        for value in (char, f"Ab{char}Cd É", f"{char}{char.upper()} Σ"):
            assert fold(value) == _table_fold(value), (hex(ord(char)), value)
    everything = "".join(chars)
    assert fold(everything) == _table_fold(everything)


def test_fold_takes_the_table_for_a_character_lower_would_change():
    """ "ℌ" folds to "H" (NFKD after casefold): the shortcut's final lower() would make it "h";
    the text goes through the table instead, and the result is the table's."""
    assert fold("Le ℌ de l’État") == _table_fold("Le ℌ de l’État") == "le H de l'etat"
