"""Streaming AN dumps member by member; corrupt members and broken archives."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
from pathlib import Path

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


# --- zip64, data descriptors, extra fields and comments (issue 11: the reader is our own) ---


def _read_all(source) -> list[tuple[str, bytes | None, str | None]]:
    return [(m.name, m.data, m.error) for m in iter_dump(source)]


def _zipfile_members(source) -> list[tuple[str, bytes, None]]:
    """What the standard library reads: the reference the hand-built archives are checked by."""
    with zipfile.ZipFile(source) as zf:
        return [(i.filename, zf.read(i), None) for i in zf.infolist() if not i.is_dir()]


def _small_zip(path: Path, n: int = 3, **kw) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, **kw) as zf:
        zf.writestr(zipfile.ZipInfo("json/"), b"")
        for k in range(n):
            zf.writestr(f"json/AMANR5L17PO{k}.json", json.dumps({"k": k, "t": "texte " * k}))
    return path


def _zip64_directory(raw: bytes) -> bytes:
    """The same members, behind a directory written the zip64 way (APPNOTE 4.5.3): sizes and
    offsets saturated at 0xFFFFFFFF in each entry and given in a zip64 extra field, then a zip64
    end record, its locator, and an end record whose counts are saturated too. Zip64 writers do
    this past 4 GiB or 65,535 members; writing 4 GiB in a test is not an option."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        infos, cd_offset = zf.infolist(), zf.start_dir
    out = bytearray(raw[:cd_offset])
    for i in infos:
        name = i.filename.encode()
        extra = struct.pack("<2H3Q", 1, 24, i.file_size, i.compress_size, i.header_offset)
        out += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 45, 45, i.flag_bits, i.compress_type, 0, 0x21,
            i.CRC, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF,
        )  # fmt: skip
        out += name + extra
    cd_size, eocd64 = len(out) - cd_offset, len(out)
    n = len(infos)
    out += struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, cd_size, cd_offset)
    out += struct.pack("<4sLQL", b"PK\x06\x07", 0, eocd64, 1)
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, *[0xFFFFFFFF] * 2, 0)
    return bytes(out)


class _Unseekable(io.RawIOBase):
    """A pipe-like sink: zipfile then writes sizes and CRC in data descriptors after the data."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        return self.buf.write(b)


@pytest.fixture(scope="module")
def many_members(tmp_path_factory) -> Path:
    """70,000 members: more than 65,535, so zipfile writes the zip64 end records (the real
    Amendements.json.zip has over 100,000 members)."""
    path = tmp_path_factory.mktemp("zip64") / "Amendements.json.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for n in range(70_000):
            zf.writestr(f"json/AMANR5L17PO{n}.json", b'{"n": %d}' % n)
    return path


def test_zip64_end_records_over_65535_members(many_members):
    tail = many_members.read_bytes()[-98:]
    assert tail[:4] == b"PK\x06\x06" and tail[56:60] == b"PK\x06\x07"  # zip64 record, locator
    assert struct.unpack_from("<H", tail, 76 + 10)[0] == 0xFFFF  # the end record's count: saturated
    count = 0
    for count, member in enumerate(iter_dump(many_members), 1):
        assert member.name == f"json/AMANR5L17PO{count - 1}.json"
        assert member.data == b'{"n": %d}' % (count - 1) and member.error is None
    assert count == 70_000


def test_zip64_extra_fields_in_directory_entries(tmp_path):
    raw = _zip64_directory(_small_zip(tmp_path / "a.zip").read_bytes())
    assert b"\xff\xff\xff\xff" in raw[-100:]
    expected = _zipfile_members(io.BytesIO(raw))  # the hand-built archive is a valid zip64
    assert len(expected) == 3
    assert _read_all(io.BytesIO(raw)) == expected


def test_zip64_extra_field_too_short_raises(tmp_path):
    raw = _zip64_directory(_small_zip(tmp_path / "a.zip").read_bytes())
    block = struct.pack("<2H", 1, 24)
    raw = raw.replace(block, struct.pack("<2H", 1, 8), 1)  # says one field where three are needed
    with pytest.raises(DumpError, match="zip64 extra field too short"):
        next(iter_dump(io.BytesIO(raw)))


def test_name_not_the_utf8_it_claims_is_still_read(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("json/é.json", b"{}")  # non-ASCII: written as UTF-8, flag 0x800 set
        zf.writestr("json/b.json", b"[]")
    raw = path.read_bytes().replace("é".encode(), b"\xc3\x28")  # in both headers
    members = _read_all(io.BytesIO(raw))
    assert members == [("json/\ufffd(.json", b"{}", None), ("json/b.json", b"[]", None)]


def test_zip64_local_headers(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(3):
            with zf.open(f"json/{k}.json", "w", force_zip64=True) as member:
                member.write(b'{"k": %d}' % k * 100)
    raw = path.read_bytes()
    assert struct.unpack_from("<2L", raw, 18) == (0xFFFFFFFF, 0xFFFFFFFF)  # sizes in the extra
    assert _read_all(path) == _zipfile_members(path)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_data_descriptor_members(method):
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", method) as zf:
        for k in range(3):
            zf.writestr(f"json/{k}.json", b'{"k": %d}' % k * 50)
    raw = sink.buf.getvalue()
    assert struct.unpack_from("<H", raw, 6)[0] & 0x08  # sizes and CRC follow the data
    assert raw.count(b"PK\x07\x08") == 3
    members = _read_all(io.BytesIO(raw))
    assert members == _zipfile_members(io.BytesIO(raw))
    assert [m[1] for m in members] == [b'{"k": %d}' % k * 50 for k in range(3)]


def test_extra_fields_and_comments(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, name in enumerate(["json/Député-é.json", "json/plain.json"]):
            info = zipfile.ZipInfo(name, (2026, 2, 17, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.extra = struct.pack("<2H", 0xCAFE, 6) + b"vigie!"  # an unknown extra block
            info.comment = f"membre {k}".encode()
            zf.writestr(info, b"x" * (k + 1) * 1000)
        zf.comment = b"Assemblee nationale, open data " * 20  # the archive's comment
    members = _read_all(path)
    assert members == _zipfile_members(path)
    assert [m[0] for m in members] == ["json/Député-é.json", "json/plain.json"]


def test_bytes_before_the_archive(tmp_path):
    raw = b"#!/bin/sh stub\n" * 10 + _small_zip(tmp_path / "a.zip").read_bytes()
    assert _read_all(io.BytesIO(raw)) == _zipfile_members(io.BytesIO(raw))


@pytest.mark.parametrize("zip64", [False, True], ids=["zip", "zip64"])
def test_truncated_at_every_cut_point_raises_before_any_member(tmp_path, zip64):
    """Every cut of a download loses the end record at the tail (and, from the cut inside the
    directory backwards, the directory's end): whether the cut falls inside a member's data, the
    directory, the zip64 record or locator, or the end record, no member can be trusted, so the
    whole dump is refused before anything is yielded. (A member whose bytes are damaged inside an
    intact archive is a member error instead: see test_corrupt_member_then_good_ones.)"""
    raw = _small_zip(tmp_path / "a.zip").read_bytes()
    raw = _zip64_directory(raw) if zip64 else raw
    assert len(_read_all(io.BytesIO(raw))) == 3
    for cut in range(len(raw)):
        with pytest.raises(DumpError, match="not a readable zip archive"):
            next(iter_dump(io.BytesIO(raw[:cut])))


def test_damaged_directory_entry_raises_before_any_member(tmp_path):
    """The last entry of the directory is damaged: the first member is fine, but the directory
    is checked whole before the first yield, as zipfile did by loading it."""
    raw = bytearray(_small_zip(tmp_path / "a.zip", n=50).read_bytes())
    last = raw.rfind(b"PK\x01\x02")
    raw[last : last + 4] = b"PK\x00\x00"
    with pytest.raises(DumpError, match="bad central directory entry"):
        next(iter_dump(io.BytesIO(bytes(raw))))


def _entry(raw: bytes, name: str) -> tuple[zipfile.ZipInfo, int]:
    """(info, position of its directory entry)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.getinfo(name)
    cd_entry = raw.rfind(name.encode()) - 46  # its last mention: the directory's, after 46 bytes
    assert raw[cd_entry : cd_entry + 4] == b"PK\x01\x02"
    return info, cd_entry


def _damage(raw: bytearray, how: str, name: str) -> None:
    info, cd_entry = _entry(bytes(raw), name)
    data = info.header_offset + 30 + len(name)
    if how == "local signature":
        raw[info.header_offset : info.header_offset + 4] = b"PK\x00\x00"
    elif how == "local name":
        raw[info.header_offset + 30] ^= 0x20
    elif how == "deflate":
        raw[data : data + 8] = b"\xff" * 8
    elif how == "crc":
        raw[cd_entry + 16] ^= 0xFF
    elif how == "compressed size":  # the deflate stream cut by the stated size
        struct.pack_into("<L", raw, cd_entry + 20, info.compress_size - 4)
    elif how == "method":
        struct.pack_into("<H", raw, cd_entry + 10, 12)  # bzip2, not what the AN publishes
        struct.pack_into("<H", raw, info.header_offset + 8, 12)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("local signature", "bad local header"),
        ("local name", "local header names another file"),
        ("deflate", "broken deflate stream"),
        ("crc", "bad CRC-32"),
        ("compressed size", "deflate stream cut short"),
        ("method", "compression method 12 not supported"),
    ],
)
def test_corrupt_member_then_good_ones(tmp_path, how, message):
    path = _small_zip(tmp_path / "a.zip", n=5)
    good = _read_all(path)
    raw = bytearray(path.read_bytes())
    _damage(raw, how, "json/AMANR5L17PO1.json")
    members = _read_all(io.BytesIO(bytes(raw)))
    assert [m[0] for m in members] == [m[0] for m in good]
    name, data, error = members[1]
    assert data is None and error is not None and message in error, error
    assert members[:1] + members[2:] == good[:1] + good[2:]


def test_file_object_left_open(tmp_path):
    stream = io.BytesIO(_small_zip(tmp_path / "a.zip").read_bytes())
    assert len(list(iter_dump(stream))) == 3
    assert not stream.closed


@pytest.mark.slow
def test_memory_stays_flat_in_the_number_of_members(many_members):
    """The directory is walked from disk, never held: the peak traced while reading all 70,000
    members is a small constant (the 64 KiB window, one member), where zipfile holds a ZipInfo
    per member (~40 MB here) from the moment it opens the archive."""
    tracemalloc.start()
    try:
        with zipfile.ZipFile(many_members) as zf:
            assert len(zf.infolist()) == 70_000
            zipfile_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        count = sum(1 for m in iter_dump(many_members) if m.data)
        ours = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert count == 70_000
    assert zipfile_peak > 20_000_000
    assert ours < 1_000_000 and ours < zipfile_peak / 20, (ours, zipfile_peak)
