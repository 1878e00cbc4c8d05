"""The Sénat's amendment CSV sets (one per text, séance or commission) → ``LegisItem`` per row.

``https://www.senat.fr/amendements/{session}/{num}/jeu_complet_{session}_{num}.csv`` (séance) and
``…/amendements/commissions/{session}/{num}/jeu_complet_commission_{session}_{num}.csv``.
Their traps (SITES.md §Sénat — texts, amendments, dossiers; zam and Tricoteuses met them all),
each handled here and tested in tests/parse/test_senat_amendments.py:

1. **a first line to skip** (a title line before the header): skipped when it does not hold the
   header's landmark columns (``Numéro`` and ``Sort``);
2. **cp1252**: decoded strictly as UTF-8 first, cp1252 otherwise (``senat_csv.decode``);
3. **header names with trailing spaces** (``"Numéro "``): headers are folded (case, accents,
   punctuation, spaces) before lookup;
4. **tabs inside HTML fields split rows**: a tab in ``Dispositif``/``Objet`` makes too many
   cells (merged back into the HTML cell), a line break in them too few (joined with the next
   physical row) — in both cases until the header's column count is reached;
5. **lines of 150,000+ characters**: ``csv.field_size_limit`` raised (default 128 KiB);
6. **404 = no amendment yet**: the spider's concern (a probe), not an error.

Ids are the Sénat's own references: the path of the amendment's page without ``.html``
(``amendements/2025-2026/123/Amdt_45``, ``amendements/commissions/2025-2026/123/Amdt_COM-12``).
Decisions (``Sort``) go through ``an_decision.decision``: the Assemblée's vocabulary, the
Sénat's wording kept in ``status_label``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from spiders.items import LegisItem
from spiders.parse.an_decision import decision
from spiders.parse.an_json import clean
from spiders.parse.senat_csv import decode, fold

FIELD_LIMIT = 16 * 1024 * 1024
COLUMNS: dict[str, tuple[str, ...]] = {  # key → accepted folded headers
    "nature": ("nature",),
    "numero": ("numero", "numero amendement"),
    "subdivision": ("subdivision",),
    "alinea": ("alinea",),
    "auteur": ("auteur", "auteurs"),
    "au_nom_de": ("au nom de",),
    "date_depot": ("date de depot", "date depot"),
    "dispositif": ("dispositif",),
    "objet": ("objet",),
    "sort": ("sort",),
    "fiche": ("fiche senateur",),
    "url": ("url amendement", "url"),
}
HTML_COLUMNS = ("dispositif", "objet")
REQUIRED = ("numero", "sort")
SESSION = re.compile(r"^\d{4}-\d{4}$")


class CsvLayoutError(ValueError):
    """The header lacks a required column: the layout changed (fails the run loudly)."""


@dataclass
class RowError:
    line: int  # physical line where the row starts (the header = 1, the skipped title = 0)
    reason: str


@dataclass(frozen=True)
class TextRef:
    """One Sénat text whose amendments are read: session ``2025-2026``, number ``123``."""

    session: str
    number: str

    @classmethod
    def parse(cls, value: str) -> TextRef:
        session, _, number = value.strip().strip("/").partition("/")
        if not SESSION.match(session) or not number.isdigit():
            raise ValueError(f"{value!r} is not a Sénat text reference like '2025-2026/123'")
        return cls(session, str(int(number)))

    def __str__(self) -> str:
        return f"{self.session}/{self.number}"

    def csv_path(self, commission: bool) -> str:
        s, n = self.session, self.number
        if commission:
            return f"/amendements/commissions/{s}/{n}/jeu_complet_commission_{s}_{n}.csv"
        return f"/amendements/{s}/{n}/jeu_complet_{s}_{n}.csv"


def _columns(header: list[str]) -> dict[str, int]:
    folded = [fold(h) for h in header]
    found: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name in folded:
                found[key] = folded.index(name)
                break
    return found


def _is_header(cells: list[str]) -> bool:
    folded = {fold(c) for c in cells}
    return "numero" in folded and "sort" in folded


def rows(text: str, width: int, html_cols: list[int]) -> Iterator[tuple[int, list[str]]]:
    """Logical rows of ``width`` cells from the physical ones (traps 4): (start line, cells)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    pending: list[str] | None = None
    start = 0
    for cells in reader:
        line = reader.line_num
        if pending is None:
            if not any(c.strip() for c in cells):
                continue
            pending, start = cells, line
        else:  # a line break inside a field: the last cell goes on in this physical row
            pending = [*pending[:-1], pending[-1] + "\n" + (cells[0] if cells else ""), *cells[1:]]
        if len(pending) > width:
            pending = _merge_tabs(pending, width, html_cols)
        if len(pending) >= width:
            yield start, pending
            pending = None
    if pending is not None:
        yield start, pending  # short: reported by the caller


def _merge_tabs(cells: list[str], width: int, html_cols: list[int]) -> list[str]:
    """Too many cells: a tab inside an HTML field split it; glue the pieces back into the HTML
    cell that does not end its markup (``<p>…`` without its closing ``>``), else the last one."""
    cells = list(cells)
    for col in html_cols:
        while len(cells) > width and col + 1 < len(cells) and not _closed(cells[col]):
            cells[col : col + 2] = [cells[col] + "\t" + cells[col + 1]]
    col = html_cols[-1] if html_cols else width - 1
    while len(cells) > width and col + 1 < len(cells):
        cells[col : col + 2] = [cells[col] + "\t" + cells[col + 1]]
    return cells


def _closed(cell: str) -> bool:
    cell = cell.strip()
    return not cell or not cell.startswith("<") or cell.endswith(">")


def iso_date(value: str | None) -> str | None:
    """``20/11/2025`` or ``2025-11-20`` (time allowed after it) → ``2025-11-20``."""
    value = (value or "").strip()
    for fmt, size in (("%d/%m/%Y", 10), ("%Y-%m-%d", 10)):
        try:
            return datetime.strptime(value[:size], fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_amendments_csv(
    body: bytes,
    text_ref: TextRef,
    *,
    commission: bool = False,
    site_url: str = "https://www.senat.fr",
    source: str = "senat_legis",
    dossier_uid: str | None = None,
    text_uid: str | None = None,
) -> Iterator[LegisItem | RowError]:
    """Every amendment of one CSV set; a malformed row is a ``RowError`` (parsing goes on).
    ``text_uid`` (``leg/ppl25-123``) and ``dossier_uid`` (``dossier-legislatif/ppl25-123``), when
    the spider knows them, become the amendment's parents."""
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    text = decode(body)
    first, _, rest = text.partition("\n")
    header_text = text if _is_header(next(csv.reader([first], delimiter="\t"), [])) else rest
    line_shift = 0 if header_text is text else 1
    head, _, data = header_text.partition("\n")
    header = next(csv.reader([head.rstrip("\r")], delimiter="\t"), [])
    cols = _columns(header)
    for key in REQUIRED:
        if key not in cols:
            raise CsvLayoutError(
                f"Sénat amendments CSV: required column {key!r} not found (columns: {header})"
            )
    html_cols = sorted(cols[k] for k in HTML_COLUMNS if k in cols)
    for line, cells in rows(data, len(header), html_cols):
        at = line + 1 + line_shift
        if len(cells) < len(header):
            yield RowError(at, f"{len(cells)} cells where the header has {len(header)}")
            continue
        row = {key: cells[i].strip() for key, i in cols.items()}
        try:
            yield _item(row, text_ref, commission, site_url, source, (text_uid, dossier_uid))
        except ValueError as exc:
            yield RowError(at, str(exc))


def _item(
    row: dict[str, str],
    ref: TextRef,
    commission: bool,
    site_url: str,
    source: str,
    parents: tuple[str | None, str | None],
) -> LegisItem:
    number = row.get("numero", "")
    if not number:
        raise ValueError("no Numéro")
    site = site_url.rstrip("/")
    url = urljoin(site + "/", row["url"]) if row.get("url") else ""
    uid = reference(url)
    if not uid:  # no page URL: rebuilt from the text and the number, as the Sénat writes it
        where = f"commissions/{ref.session}" if commission else ref.session
        uid = f"amendements/{where}/{ref.number}/Amdt_{number}"
        url = f"{site}/{uid}.html"
    label = row.get("sort") or None
    status = decision(None, label) or "pending"
    dispositif, objet = clean(row.get("dispositif")), clean(row.get("objet"))
    article = row.get("subdivision") or None
    tabled = iso_date(row.get("date_depot"))
    text_key = f"{ref.session}/{ref.number}"
    fields: dict[str, Any] = {
        "text_ref": text_key,
        "text_number": ref.number,
        "session": ref.session,
        "stage": "commission" if commission else "seance",
        "text_uid": parents[0],
        "dossier_uid": parents[1],
        "nature": row.get("nature") or None,
        "article": article,
        "alinea": row.get("alinea") or None,
        "author_name": row.get("auteur") or None,
        "on_behalf_of": row.get("au_nom_de") or None,
        "author_page": urljoin(site + "/", row["fiche"]) if row.get("fiche") else None,
        "date_tabled": tabled,
        "date_tabled_raw": row.get("date_depot") or None,
        "dispositif": dispositif,
        "expose": objet,
    }
    where = "en commission" if commission else "en séance"
    return LegisItem(
        source=source,
        kind="amendment",
        uid=uid,
        url=url,
        chamber="Sénat",
        number=number,
        title=f"Amendement n° {number} ({where})" + (f" — {article}" if article else ""),
        published_raw=tabled,
        status=status,
        status_label=label,
        text="\n\n".join(t for t in (dispositif, objet) if t) or None,
        fields=fields,
        parents=[p for p in parents if p],
    )


def reference(url: str) -> str | None:
    """The Sénat's reference of an amendment page: its path without ``.html``."""
    path = urlsplit(url).path
    m = re.search(r"(amendements/.+?)\.html?$", path)
    return m.group(1) if m else None
