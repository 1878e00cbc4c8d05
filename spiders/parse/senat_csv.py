"""The Sénat questions CSV (``questions-depuis-un-an.csv``) → ``QuestionItem`` per row.

``;``-separated; seen both in cp1252 and UTF-8: UTF-8 (BOM allowed) is tried
strictly first, cp1252 otherwise. The column set is only partly known, so headers are matched
case-, accent- and punctuation-insensitively, aliases are accepted and unknown columns ignored. A
missing required column raises ``CsvLayoutError`` naming it; a malformed row yields ``RowError``
and parsing goes on.

Status: the ``Sort`` column is mapped to the same closure fields as AN records (``REP_PUB`` when
answered, a closure code + the Sort wording when the question ended without an answer, nothing
while it waits), so ``question_status`` serves both chambers.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from spiders.items import QuestionItem
from spiders.parse.an_record import question_status

FIELD_LIMIT = 16 * 1024 * 1024  # answers with tables exceed csv's 128 KiB default
COLUMNS: dict[str, tuple[str, ...]] = {  # key → accepted folded headers (first = official name)
    "numero": ("numero", "numero de la question", "n"),
    "reference": ("reference", "reference de la question"),
    "titre": ("titre", "titre de la question"),
    "texte": ("texte", "texte de la question"),
    "rubrique": ("rubrique",),
    "civilite": ("civilite",),
    "prenom": ("prenom",),
    "nom": ("nom",),
    "circonscription": ("circonscription",),
    "groupe": ("groupe", "groupe politique"),
    "nature": ("nature",),
    "sort": ("sort",),
    "date_jo": ("date de publication jo", "date de publication au jo", "date publication jo"),
    "min_depot": ("ministere de depot",),
    "min_reponse": ("ministere de reponse",),
    "url": ("url question", "url de la question", "url"),
    "date_jo_reponse": (
        "date de publication jo reponse",
        "date de publication jo de la reponse",
        "date de publication de la reponse",
        "date de reponse",
        "date reponse",
    ),
    "page_jo": ("page jo", "page de publication jo"),
    "page_jo_reponse": ("page jo reponse", "page de publication jo reponse"),
    "reponse": ("reponse", "texte de la reponse", "texte reponse"),
}
OFFICIAL = {"numero": "Numéro", "reference": "Référence", "url": "URL Question"}
SORT_CODES = (  # folded Sort wording fragment → closure code; first match wins
    ("attente", None),
    ("repon", "REP_PUB"),
    ("cadu", "CAD"),
    ("retir", "RET"),
    ("transform", "TRANSF"),
    ("fin de mandat", "FM"),
    ("clotur", "CLOT"),
)
URL_REF = re.compile(r"q(SEQ\w+?)\.html", re.I)


class CsvLayoutError(ValueError):
    """The header lacks a required column (layout changed)."""

    def __init__(self, missing: str, found: list[str]):
        self.missing = missing
        self.found = found
        super().__init__(f"Sénat CSV: required column {missing!r} not found (columns: {found})")


@dataclass
class RowError:
    line: int  # physical line where the row starts (header = 1)
    reason: str


def decode(body: bytes) -> str:
    """UTF-8 (BOM stripped) when the bytes are valid UTF-8, else cp1252."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a header or a value."""
    text = unicodedata.normalize("NFKD", text.replace("°", " ")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def parse_senat_csv(
    body: bytes, *, site_url: str = "https://www.senat.fr", source: str = "senat"
) -> Iterator[QuestionItem | RowError]:
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    reader = csv.reader(io.StringIO(decode(body), newline=""), delimiter=";")
    header = next(reader, None)
    if not header:
        raise CsvLayoutError(OFFICIAL["reference"], [])
    index = _index(header)
    width = len(header)
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last_line = reader.line_num
            yield RowError(start, f"unreadable row: {exc}")
            continue
        last_line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != width and not (len(row) > width and not any(c.strip() for c in row[width:])):
            yield RowError(start, f"expected {width} fields, got {len(row)}")
            continue
        yield _row(row, index, start, site_url, source)


def senat_status(item: QuestionItem) -> tuple[str, str | None]:
    """Same rules as the AN: ``parse_senat_csv`` already maps Sort onto the closure fields."""
    return question_status(item)


def sort_closure(sort: str | None) -> tuple[str | None, str | None]:
    """Sort wording → (closure_code, closure_label); waiting or unknown → (None, None)."""
    folded = fold(sort or "")
    for fragment, code in SORT_CODES:
        if fragment in folded:
            return (code, sort.strip()) if code and sort else (None, None)
    return None, None


def _index(header: list[str]) -> dict[str, int]:
    folded = [fold(h) for h in header]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name in folded:
                index[key] = folded.index(name)
                break
    if "reference" not in index and "numero" not in index:
        raise CsvLayoutError(f"{OFFICIAL['reference']} (or {OFFICIAL['numero']})", header)
    if "url" not in index:
        raise CsvLayoutError(OFFICIAL["url"], header)
    return index


def _row(
    row: list[str], index: dict[str, int], line: int, site_url: str, source: str
) -> QuestionItem | RowError:
    def get(key: str) -> str | None:
        i = index.get(key)
        value = row[i].strip() if i is not None and i < len(row) else ""
        return value or None

    url = get("url")
    if not url:
        return RowError(line, "empty URL Question")
    url = urljoin(site_url.rstrip("/") + "/", url)
    ref = get("reference") or (m.group(1).upper() if (m := URL_REF.search(url)) else None)
    if not ref:
        return RowError(line, "empty Référence and no reference in the URL")
    number = get("numero")
    code, label = sort_closure(get("sort"))
    answer = get("reponse")
    if answer or get("date_jo_reponse"):
        code, label = "REP_PUB", get("sort") or "Réponse publiée"
    return QuestionItem(
        source=source,
        chamber="Sénat",
        uid=ref,
        url=url,
        qtype=get("nature"),
        number=int(number) if number and number.isdigit() else None,
        title=get("titre"),
        rubrique=get("rubrique"),
        author_name=" ".join(p for p in (get("civilite"), get("prenom"), get("nom")) if p) or None,
        group_name=get("groupe"),
        circonscription=get("circonscription"),
        ministry_asked=get("min_depot"),
        ministry_answering=get("min_reponse"),
        question_date_raw=get("date_jo"),
        question_jo_page=get("page_jo"),
        question_text=get("texte"),
        answer_date_raw=get("date_jo_reponse"),
        answer_jo_page=get("page_jo_reponse"),
        answer_text=answer,
        closure_code=code,
        closure_label=label,
    )
