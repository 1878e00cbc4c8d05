"""Assemblée nationale question pages → ``QuestionItem``, located by VISIBLE LABELS.

Covers the current page ``/dyn/{leg}/questions/{uid}``, the legacy
``questions.assemblee-nationale.fr/q{leg}/{leg}-{num}{type}.htm`` page and the legacy XML view
(``….htm/vue/xml``). The page's CSS classes changed several times, so the HTML is first
flattened into text lines, one per block element, and fields are found by their labels
("Rubrique :", "Ministère interrogé >", "Question publiée au JO le : …"). A page without any of the
landmark labels raises ``PageError`` so the spider can log the URL as a layout change.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from lxml import etree

from spiders.items import QuestionItem
from spiders.parse.an_deputies import circonscription_label

BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "body",
    "center",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "nav", "footer", "form", "button"}
LANDMARKS = ("Texte de la question", "Question publiée au JO le", "Numéro de la question")
SECTION_STOPS = (
    "Texte de la question",
    "Texte de la réponse",
    "Données clés",
    "Date(s) clé(e)s",
    "Auteur",
    "Question publiée au JO le",
    "Réponse publiée au JO le",
    "Ministère interrogé",
    "Rubrique",
    "Partager",
    "Imprimer",
)
QTYPES = {
    "question écrite": "QE",
    "question au gouvernement": "QG",
    "question orale sans débat": "QOSD",
}
DYN_URL = re.compile(r"/dyn/(?P<leg>\d+)/questions/(?P<uid>QANR5L\d+[A-Z]+\d+)")
LEGACY_URL = re.compile(r"/q(?P<leg>\d+)/(?P=leg)-(?P<num>\d+)(?P<type>[A-Z]+)\.htm")
JO_LINE = re.compile(r"^(?P<date>.*?)(?:\s*[,-]?\s*page\s*:?\s*(?P<page>\d+))?\s*$", re.I)
CIRCO_GROUP = re.compile(r"^(?P<circo>.*?\))\s*-\s*(?P<group>.+)$")
LEGACY_HEAD = re.compile(
    r"Question N°\s*:\s*(?P<num>\d+)\s+de\s+(?P<author>.+?)\s*\(\s*(?P<group>.+?)\s+-\s+(?P<dep>[^()]+?)\s*\)"
)
RETIRED = re.compile(r"^(?P<date>.*?)\s*(?:\((?P<reason>[^)]*)\))?\s*$")


class PageError(ValueError):
    """The page is not a question page as we know it (layout changed, error page...)."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


def page_lines(html: bytes | str | BeautifulSoup) -> list[str]:
    """Visible text, one line per block element, whitespace collapsed, inline markup joined."""
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "lxml")
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buf).replace("\xa0", " ").replace("\u202f", " ").split())
        if text:
            lines.append(text)
        buf.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
            elif isinstance(child, Tag) and child.name not in SKIP_TAGS:
                if child.name == "br":
                    flush()
                elif child.name in BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(soup.body or soup)
    flush()
    return lines


def field(lines: list[str], label: str, *, seps: str = ":>") -> str | None:
    """Value after ``label`` + separator on the same line, or on the next line if alone."""
    pattern = re.compile(rf"^{re.escape(label)}\s*(?:[{re.escape(seps)}]\s*(?P<rest>.*))?$", re.I)
    for i, line in enumerate(lines):
        match = pattern.match(line)
        if not match:
            continue
        rest = (match.group("rest") or "").strip()
        if rest:
            return rest
        if i + 1 < len(lines):
            return lines[i + 1]
    return None


def section(lines: list[str], heading: str, stops: tuple[str, ...] = SECTION_STOPS) -> str | None:
    """Lines after a heading line, up to the next heading/label line, joined by newlines."""
    start = next((i for i, line in enumerate(lines) if line.lower() == heading.lower()), None)
    if start is None:
        return None
    body: list[str] = []
    for line in lines[start + 1 :]:
        if any(line.lower().startswith(stop.lower()) for stop in stops):
            break
        body.append(line)
    return "\n".join(body) or None


def jo_date_page(value: str | None) -> tuple[str | None, str | None]:
    """ "17 février 2026, page 1349" or "07/01/2014 page : 18" → (date text, page)."""
    if not value:
        return None, None
    match = JO_LINE.match(value)
    assert match  # the pattern matches any string
    return match.group("date").strip(" ,") or None, match.group("page")


def parse_an_page(html: bytes | str, url: str, *, source: str = "assemblee") -> QuestionItem:
    """A /dyn/ or legacy .htm question page."""
    soup = BeautifulSoup(html, "lxml")
    lines = page_lines(soup)
    legacy = LEGACY_HEAD.search(" ".join(lines))  # its parts sit in separate table cells
    if not legacy and not any(field(lines, label) or label in lines for label in LANDMARKS):
        raise PageError(url, "no question label found (not a question page, or layout changed)")
    leg, qtype, number, uid = _identity(url, lines)
    if not uid:
        raise PageError(url, "no question number/type/legislature found")
    q_date, q_page = jo_date_page(field(lines, "Question publiée au JO le"))
    a_date, a_page = jo_date_page(field(lines, "Réponse publiée au JO le"))
    circo, group = _circo_group(field(lines, "Circonscription"))
    if legacy:
        group = group or legacy.group("group")
        circo = circo or legacy.group("dep")
    retired = RETIRED.match(field(lines, "Question retirée le") or "")
    retired_date = retired.group("date") if retired else None
    answer = section(lines, "Texte de la réponse")
    return QuestionItem(
        source=source,
        chamber="AN",
        uid=uid,
        url=url,
        legislature=leg,
        qtype=qtype,
        number=number,
        title=_title(soup, lines),
        rubrique=field(lines, "Rubrique"),
        analysis=field(lines, "Analyse"),
        author_ref=_author_ref(soup),
        author_name=field(lines, "Auteur")
        or field(lines, "Question de")
        or (legacy.group("author") if legacy else None),
        group_name=group,
        circonscription=circo,
        ministry_asked=field(lines, "Ministère interrogé"),
        ministry_answering=field(lines, "Ministère attributaire"),
        question_date_raw=q_date,
        question_jo_page=q_page,
        question_text=section(lines, "Texte de la question"),
        answer_date_raw=a_date,
        answer_jo_page=a_page,
        answer_text=answer,
        closure_label=(retired.group("reason") or "Question retirée")
        if retired and retired_date
        else None,
        closure_date_raw=retired_date or None,
        signalee=any(
            line.lower().startswith(("question signalée", "date de signalement")) for line in lines
        ),
        renewals=sum(1 for line in lines if line.lower().startswith("date de renouvellement")),
    )


def _identity(url: str, lines: list[str]) -> tuple[int | None, str | None, int | None, str | None]:
    if m := DYN_URL.search(url):
        uid = m.group("uid")
        parts = re.match(r"QANR5L(\d+)([A-Z]+)(\d+)$", uid)
        assert parts
        return int(parts.group(1)), parts.group(2), int(parts.group(3)), uid
    if m := LEGACY_URL.search(url):
        leg, num, qtype = m.group("leg"), m.group("num"), m.group("type")
        return int(leg), qtype, int(num), f"QANR5L{leg}{qtype}{num}"
    # unknown URL shape: rebuild from the page's own labels
    leg_line = next(
        (m for line in lines if (m := re.match(r"^(\d+)\s*(?:e|ème)\s+législature", line, re.I))),
        None,
    )
    qtype = QTYPES.get((field(lines, "Type de question") or "").lower())
    num = field(lines, "Numéro de la question")
    if leg_line and qtype and num and num.isdigit():
        return int(leg_line.group(1)), qtype, int(num), f"QANR5L{leg_line.group(1)}{qtype}{num}"
    return None, None, None, None


def _circo_group(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    match = CIRCO_GROUP.match(value)
    return (match.group("circo"), match.group("group")) if match else (value, None)


def _title(soup: BeautifulSoup, lines: list[str]) -> str | None:
    head = field(lines, "Tête d'analyse")
    if head:
        return head
    h1 = soup.find("h1")
    text = " ".join(h1.get_text(" ").split()) if h1 else ""
    return text if text and not text.lower().startswith("question n") else None


def _author_ref(soup: BeautifulSoup) -> str | None:
    """The deputy's PA id from the first link to a deputy page (/dyn/deputes/PA…, fiche OMC_PA…)."""
    for link in soup.find_all("a", href=True):
        href = str(link["href"])
        if "depute" in href.lower() and (m := re.search(r"PA\d+", href)):
            return m.group(0)
    return None


# ---- legacy XML view (…/q14/14-47351QE.htm/vue/xml) ---------------------------------------------

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)


def parse_an_xml(body: bytes, url: str, *, source: str = "assemblee") -> QuestionItem:
    """The legacy XML view; ``url`` may be the /vue/xml URL, the item keeps the human page URL."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise PageError(url, f"not XML: {exc}") from exc
    if root.tag != "QUESTION":
        raise PageError(url, f"root element is <{root.tag}>, expected <QUESTION>")
    qtype, leg, num = (
        root.get("TYPE"),
        _x(root, "LEGISLATURE"),
        root.xpath("string(DEPOT/@NUMERO)") or None,
    )
    if not (qtype and leg and num):
        raise PageError(url, "no TYPE, LEGISLATURE or DEPOT/@NUMERO")
    author = " ".join(
        p for p in (_x(root, f"AUTEUR/{k}") for k in ("CIVILITE", "PRENOM", "NOM")) if p
    )
    actor = _x(root, "AUTEUR/ID_ACTEUR")
    head = _x(root, "INDEXATION_AN/TETE_ANALYSE")
    if head and head.lower().startswith("aucune tête d'analyse"):
        head = None
    analysis = " / ".join(
        a for a in (_clean(e.text) for e in root.iterfind("INDEXATION_AN/ANALYSE/ANA")) if a
    )
    closure_code = _x(root, "CLOTURE/ABREGE")
    return QuestionItem(
        source=source,
        chamber="AN",
        uid=f"QANR5L{leg}{qtype}{num}",
        url=re.sub(r"/vue/xml/?$", "", url),
        legislature=int(leg),
        qtype=qtype,
        number=int(num),
        title=head or analysis or None,
        rubrique=root.xpath("string(INDEXATION_AN/@RUBRIQUE)") or None,
        analysis=analysis or None,
        author_ref=f"PA{actor}" if actor and actor.isdigit() else actor,
        author_name=author or None,
        group_name=_x(root, "GROUPE/LIBELLE") or root.xpath("string(GROUPE/@SIGLE)") or None,
        circonscription=circonscription_label(
            _x(root, "CIRCONSCRIPTION/DEPARTEMENT"),
            root.xpath("string(CIRCONSCRIPTION/@NUMERO_CIRCONSCRIPTION)") or None,
        ),
        ministry_asked=_x(root, "MINI/DEVELOPPE") or _x(root, "MINI/ABREGE"),
        ministry_answering=_last_x(root, "MINA/ORDRE/DEVELOPPE")
        or _last_x(root, "MINA/ORDRE/ABREGE"),
        question_date_raw=_x(root, "DEPOT/DATE_JO"),
        question_jo_page=_x(root, "DEPOT/PAGE_JO"),
        question_text=_x(root, "DEPOT/TEXTE_DEPOT"),
        answer_date_raw=_x(root, "REPONSE/DATE_JO_REPONSE"),
        answer_jo_page=_x(root, "REPONSE/PAGE_JO_REPONSE"),
        answer_text=_x(root, "REPONSE/TEXTE_REPONSE"),
        closure_code=closure_code,
        closure_label=_x(root, "CLOTURE/LIBELLE"),
        closure_date_raw=_x(root, "CLOTURE/DATE_JO") if closure_code else None,
        signalee=any(_clean(e.text) for e in root.iterfind("SIGNALEMENT/*")),
        renewals=sum(
            1 for e in root.iterfind("RENOUVELLEMENT/ORDRE") if _x(e, "DATE_RENOUVELLEMENT")
        ),
    )


def _x(node: etree._Element, path: str) -> str | None:
    """First non-empty text at ``path`` (DEPOT appears twice: number/date, then the text)."""
    for element in node.iterfind(path):
        if text := _clean(element.text):
            return text
    return None


def _last_x(node: etree._Element, path: str) -> str | None:
    texts = [t for e in node.iterfind(path) if (t := _clean(e.text))]
    return texts[-1] if texts else None


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text else None
