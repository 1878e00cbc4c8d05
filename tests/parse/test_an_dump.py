"""Streaming AN dumps member by member; corrupt members and broken archives."""

from __future__ import annotations

import io

import pytest

from spiders.parse.an_dump import DumpError, iter_dump
from spiders.parse.an_record import parse_an_record
from tests.support.anfixtures import make_an_record, write_an_zip


def test_members_streamed_and_parsed(tmp_path):
    path = write_an_zip(tmp_path / "qe.zip", [make_an_record(n) for n in (1, 2, 3)])
    members = list(iter_dump(path))
    assert [m.name for m in members] == [f"json/QANR5L17QE{n}.json" for n in (1, 2, 3)]
    assert all(m.error is None for m in members)  # the json/ directory entry is skipped
    assert [parse_an_record(m.data).number for m in members] == [1, 2, 3]


def test_corrupt_member_yields_error_and_continues(tmp_path):
    records = [make_an_record(n) for n in (1, 2, 3)]
    path = write_an_zip(tmp_path / "qe.zip", records, corrupt_member="json/QANR5L17QE2.json")
    members = list(iter_dump(str(path)))
    assert [m.name for m in members] == [f"json/QANR5L17QE{n}.json" for n in (1, 2, 3)]
    bad = members[1]
    assert bad.data is None and "CRC" in bad.error
    assert [parse_an_record(m.data).number for m in members if m.data] == [1, 3]


def test_broken_deflate_stream_yields_error(tmp_path):
    path = write_an_zip(tmp_path / "qe.zip", [make_an_record(1), make_an_record(2)])
    raw = bytearray(path.read_bytes())
    start = 30 + len("json/") + 30 + len("json/QANR5L17QE1.json")  # dir entry, then member 1
    raw[start : start + 40] = b"\xff" * 40
    path.write_bytes(bytes(raw))
    members = list(iter_dump(path))
    assert members[0].error and members[0].data is None
    assert members[1].error is None


def test_file_object(tmp_path):
    path = write_an_zip(tmp_path / "qe.zip", [make_an_record(5)])
    members = list(iter_dump(io.BytesIO(path.read_bytes())))
    assert len(members) == 1 and members[0].data


def test_truncated_archive_raises(tmp_path):
    path = write_an_zip(tmp_path / "qe.zip", [make_an_record(n) for n in range(20)])
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DumpError, match="truncated.zip: not a readable zip archive"):
        list(iter_dump(truncated))


def test_not_a_zip_raises(tmp_path):
    html = tmp_path / "error.html"
    html.write_bytes(b"<html>503 Service Unavailable</html>")
    with pytest.raises(DumpError):
        next(iter_dump(html))
