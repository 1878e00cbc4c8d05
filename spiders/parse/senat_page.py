"""A Sénat question page (``/questions/base/{YYYY}/qSEQ….html``) → ``QuestionItem``, by its sentences.

The page states its facts as sentences rather than label/value pairs:
"Question de Mme SOUYRIS Anne (Paris - GEST) publiée le 05/02/2026" (older pages: "… publiée dans
le JO Sénat du 05/02/2026 - page 123"), "Transmise au Ministère …", "Réponse du Ministère …
publiée le …", "En attente de réponse du Ministère …". Lines come from the same block flattening as
the AN pages; a page without the "Question … publiée" sentence raises ``PageError``.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from spiders.items import QuestionItem
from spiders.parse.an_page import PageError, page_lines
from spiders.parse.senat_csv import fold, sort_closure

PUBLISHED = r"publiée\s+(?:le|dans\s+le\s+JO\s+Sénat\s+du)\s+(?P<date>\d{1,2}/\d{2}/\d{4})(?:\s*-\s*page\s*(?P<page>\d+))?"
QUESTION_LINE = re.compile(
    r"^Question(?P<nature>\s+(?:écrite|orale(?:\s+sans\s+débat)?|d'actualité\s+au\s+Gouvernement))?"
    r"(?:\s+n°\s*(?P<num>\d+))?\s+de\s+(?P<author>.+?)\s*"
    r"\((?P<circo>[^()]+?)\s+-\s+(?P<group>[^()]+)\)\s*" + PUBLISHED,
    re.I,
)
ANSWER_LINE = re.compile(
    r"^Réponse\s+(?:du|de\s+la|de\s+l'|de\s+l’)\s*(?P<min>.+?)\s+" + PUBLISHED, re.I
)
TRANSMITTED = re.compile(r"^Transmise?\s+(?:au|à\s+la|à\s+l'|à\s+l’)\s*(?P<min>.+)$", re.I)
WAITING = re.compile(r"^En attente de réponse (?:du|de la|de l'|de l’)\s*(?P<min>.+)$", re.I)
ADDRESSED = re.compile(r"adressée\s+à\s+(?P<min>.+)$", re.I)
NUMBER = re.compile(r"^Question\s+(?:écrite\s+|orale\s+)?N°\s*(?P<num>\d+)", re.I)
NATURES = (("ecrite", "QE"), ("orale", "QOSD"), ("actualite", "QG"))
URL_REF = re.compile(r"q(?P<ref>SEQ\w+?)\.html", re.I)
STOPS = (
    QUESTION_LINE,
    re.compile(r"^Réponse\s+(?:du|de\s+la|de\s+l'|de\s+l’)\s", re.I),
    TRANSMITTED,
    WAITING,
    re.compile(r"^(Erratum|Question (caduque|retirée))", re.I),
)


def parse_senat_page(html: bytes | str, url: str, *, source: str = "senat") -> QuestionItem:
    soup = BeautifulSoup(html, "lxml")
    lines = page_lines(soup)
    q, q_at = _sentence(QUESTION_LINE, lines)
    if q is None:
        raise PageError(
            url, "no 'Question de … publiée …' sentence (not a question page, or layout changed)"
        )
    a, a_at = _sentence(ANSWER_LINE, lines)
    ref = URL_REF.search(url)
    number = q.group("num") or _first(NUMBER, lines, "num")
    nature = fold(q.group("nature") or next((line for line in lines if NUMBER.match(line)), ""))
    closure = next(
        (
            sort_closure(line)
            for line in lines
            if re.match(r"^Question (caduque|retirée)", line, re.I)
        ),
        None,
    )
    h1 = soup.find("h1")
    return QuestionItem(
        source=source,
        chamber="Sénat",
        uid=ref.group("ref").upper() if ref else url,
        url=url,
        qtype=next((code for key, code in NATURES if key in nature), None),
        number=int(number) if number else None,
        title=" ".join(h1.get_text(" ").split()) or None if h1 else None,
        author_name=q.group("author"),
        group_name=q.group("group").strip(),
        circonscription=q.group("circo").strip(),
        ministry_asked=_first(ADDRESSED, lines, "min"),
        ministry_answering=(a.group("min") if a else None)
        or _first(TRANSMITTED, lines, "min")
        or _first(WAITING, lines, "min"),
        question_date_raw=q.group("date"),
        question_jo_page=q.group("page"),
        question_text=_text_after(lines, q_at),
        answer_date_raw=a.group("date") if a else None,
        answer_jo_page=a.group("page") if a else None,
        answer_text=_text_after(lines, a_at) if a else None,
        closure_code=closure[0] if closure else None,
        closure_label=closure[1] if closure else None,
    )


def _sentence(pattern: re.Pattern, lines: list[str]) -> tuple[re.Match | None, int]:
    """Match a sentence that a ``<br>`` may have split over two lines; index of its last line."""
    for i, line in enumerate(lines):
        if match := pattern.match(line):
            return match, i
        if i + 1 < len(lines) and (match := pattern.match(f"{line} {lines[i + 1]}")):
            return match, i + 1
    return None, -1


def _first(pattern: re.Pattern, lines: list[str], group: str) -> str | None:
    for line in lines:
        if match := pattern.search(line) if pattern is ADDRESSED else pattern.match(line):
            return match.group(group).strip()
    return None


def _text_after(lines: list[str], start: int) -> str | None:
    body = []
    for line in lines[start + 1 :]:
        if any(stop.match(line) for stop in STOPS):
            break
        body.append(line)
    return "\n".join(body) or None
