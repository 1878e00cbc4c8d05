"""Tiny real PDFs built in the test (pypdf, Helvetica text), for the document parser and crawl.

Why built and not committed: each test states the text, metadata and defect (encrypted, no
text layer, truncated) of its PDF in one place, and the bytes are a real PDF pypdf and any
viewer read; nothing is mocked.
"""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(
    lines: list[str],
    *,
    title: str | None = None,
    created: str | None = None,
    modified: str | None = None,
    password: str | None = None,
) -> bytes:
    """A one-page PDF showing ``lines`` (empty list: a page without text, like a scan)."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    ops = [b"BT /F1 11 Tf 60 780 Td 14 TL"]
    ops += [b"(" + _escape(line) + b") Tj T*" for line in lines]
    ops.append(b"ET")
    content = DecodedStreamObject()
    content.set_data(b"\n".join(ops) if lines else b"q Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    info = {}
    if title:
        info["/Title"] = title
    if created:
        info["/CreationDate"] = created
    if modified:
        info["/ModDate"] = modified
    if info:
        writer.add_metadata(info)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
