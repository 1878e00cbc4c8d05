"""One PDF document (press release, report, letter) → title, raw date and its source, text.

Why pypdf: a maintained, pure-Python library (no system poppler, no C build on the 2-core CI
machine) that reads the text layer and the document information dictionary; its failures come
as its own exception types, so an encrypted, broken or scanned PDF is a reason, not a crash.

Title: the metadata ``/Title`` when it looks like one (not a file name, not "Microsoft Word -
…"), else the first substantial line of the first page. Date: a date written near the top of the
text ("Paris, le 3 février 2026"), else the metadata ``/CreationDate`` (``D:20260203091200+01'00'``),
else ``/ModDate``. Dates stay raw text for ``monitor/ingest/dates.py``.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from spiders.parse.date_text import cut_date

__all__ = ["PdfFields", "parse_pdf"]

#: text pages read: a press release or a letter says what it is on its first pages
MAX_PAGES = 30
#: under this many characters of text the PDF is taken for a scan (images, no text layer)
MIN_TEXT = 40
_PDF_DATE = re.compile(
    r"^D:(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}'?\d{2}'?)?"
)
#: "Paris, le 3 février 2026", "Communiqué du 3 février 2026": a dateline, not a cited date
_DATELINE = re.compile(
    r"(?:,\s*le|^le|^(?:communiqu[ée]|note|lettre|courrier|d[ée]claration)(?: de presse)?\s+du)\s+",
    re.I,
)
_BAD_TITLE = re.compile(
    r"^(?:untitled|sans titre|microsoft word|document\d*)|\.(?:docx?|pdf|odt)$", re.I
)


@dataclass
class PdfFields:
    title: str | None = None
    date_raw: str | None = None
    date_source: str | None = None  # pdf-text | pdf-metadata
    body: str | None = None
    problem: str | None = None  # why the PDF is skipped (encrypted, no text, broken)


def parse_pdf(data: bytes, url: str) -> PdfFields:
    """Read a PDF; never raises: a PDF that cannot be used comes back with ``problem`` set."""
    out = PdfFields()
    if not data.lstrip()[:5].startswith(b"%PDF"):
        out.problem = "not a PDF (no %PDF header)"
        return out
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings name no URL: ours do
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            out.problem = "encrypted PDF"
            return out
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
        info: dict[str, object] = dict(reader.metadata or {})
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        out.problem = f"broken PDF: {type(error).__name__}: {error}"
        return out
    except Exception as error:  # noqa: BLE001 - a damaged file must not end the crawl
        out.problem = f"broken PDF: {type(error).__name__}: {error}"
        return out
    lines = [" ".join(line.split()) for text in pages for line in text.splitlines()]
    lines = [line for line in lines if line]
    body = "\n".join(lines)
    if len(body) < MIN_TEXT:
        out.problem = f"no text layer (scanned PDF?): {len(body)} characters of text"
        return out
    out.body = body
    out.title = _title(info.get("/Title"), lines)
    for line in lines[:15]:
        found = cut_date(line)
        if found and (len(found) >= 0.5 * len(line) or _DATELINE.search(line)):
            out.date_raw, out.date_source = found, "pdf-text"
            break
    if out.date_raw is None:
        for key in ("/CreationDate", "/ModDate"):
            if found := _metadata_date(info.get(key)):
                out.date_raw, out.date_source = found, "pdf-metadata"
                break
    return out


def _title(meta_title: object, lines: list[str]) -> str | None:
    if isinstance(meta_title, str):
        title = " ".join(meta_title.split())
        if len(title) >= 4 and not _BAD_TITLE.search(title):
            return title
    for line in lines[:10]:
        if len(line) >= 12 and not cut_date(line):
            return line[:300]
    return lines[0][:300] if lines else None


def _metadata_date(value: object) -> str | None:
    """``D:20260203091200+01'00'`` → ``2026-02-03T09:12:00+01:00`` (ISO text for dates.py)."""
    if not isinstance(value, str):
        return None
    found = _PDF_DATE.match(value.strip())
    if not found:
        return None
    y, mo, d, hh, mi, ss, tz = found.groups()
    if not hh:
        return f"{y}-{mo}-{d}"
    zone = ""
    if tz == "Z":
        zone = "Z"
    elif tz:
        digits = tz.replace("'", "")
        zone = f"{digits[:3]}:{digits[3:5]}"
    return f"{y}-{mo}-{d}T{hh}:{mi}:{ss or '00'}{zone}"
