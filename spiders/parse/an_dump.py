"""Stream the members of an AN open-data zip (``json/{uid}.json`` per record), one at a time.

A dump is 45–100 MB and, for the amendments, over 100,000 members. The archive is read from disk
(or any seekable binary file) and memory stays flat in the number of members: one member's bytes,
plus a 64 KiB window of the central directory, are all that is held (issue 11).

Guarantees the spiders rely on:

- An archive whose directory cannot be read (truncated download, not a zip, a damaged directory
  entry) raises ``DumpError`` *before* anything is yielded: without the directory no member can be
  trusted, and the caller keeps its previous state rather than store half a dump.
- A corrupt member (bad CRC, broken deflate stream, damaged local header, sizes that do not
  match) is yielded with ``error`` set and ``data=None``, and iteration goes on.
- Directories are skipped; members come in archive (directory) order.

How, and why not ``zipfile``: ``zipfile.ZipFile`` reads the whole central directory into one
``ZipInfo`` per member when it opens (~660 B each: 66 MB for 100,000 members) and keeps them until
closed, so a dump read's peak memory grew with the dump. The directory is what makes the first
guarantee possible, so it is still read, but entry by entry from disk:

1. the end-of-central-directory record is found at the tail, and the zip64 locator and record
   before it when present (the real ``Amendements.json.zip`` has more than 65,535 members); the
   record must end the file exactly (a cut-off comment is a truncation too);
2. a first walk over the directory checks every entry (signature, lengths adding up to the
   directory's stated size) without keeping any: a damaged entry anywhere raises ``DumpError``
   before the first member is yielded, as ``zipfile`` did by reading it all;
3. a second walk yields the members, each read through its local header offset with the
   directory's sizes and CRC (so data-descriptor members need nothing special), inflated with
   ``zlib`` chunk by chunk and checked against the stated size and CRC-32.

Libraries considered: ``stream-unzip`` (PyPI) reads local headers front to back without the
directory: it cannot say "truncated" before yielding, and after a broken deflate stream or a
damaged local header it cannot find the next member (measured with 0.0.101: ``TruncatedDataError``
/ ``UnexpectedSignatureError`` end the iteration), which breaks "iteration goes on". Reusing
``zipfile`` per entry (``ZipInfo`` + ``ZipFile.open``) needs a ``ZipFile`` that has not read its
directory and zip64 extra parsing, both private internals (``_RealGetContents``,
``ZipInfo._decodeExtra``, whose signature changed after 3.11). The format parts needed here are the
four fixed records of APPNOTE.TXT (§4.3.7, 4.3.12, 4.3.14–16) and the zip64 extra field
(§4.5.3); stored and deflated members only (what the AN publishes; others are yielded as errors).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

CHUNK = 1 << 16  # directory window and member read size

# APPNOTE.TXT records, little-endian; the first field is the 4-byte signature.
# end record: disk, directory's disk, entries here, entries, directory size and offset, comment
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIG = b"PK\x05\x06"
_LOCATOR = struct.Struct("<4sLQL")  # disk of the zip64 record, its offset, disks
_LOCATOR_SIG = b"PK\x06\x07"
# zip64 end record: its size, versions, disks, entries here, entries, directory size and offset
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_EOCD64_SIG = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL = struct.Struct("<4s5H3L2H")
_LOCAL_SIG = b"PK\x03\x04"
_ZIP64_EXTRA = 0x0001
_FLAG_ENCRYPTED = 0x0001
_FLAG_UTF8 = 0x0800
_STORED, _DEFLATED = 0, 8
_MAX_COMMENT = 0xFFFF


class DumpError(Exception):
    """The archive itself is unreadable (truncated, not a zip, damaged directory)."""


class _MemberError(Exception):
    """One member cannot be read; the others can."""


@dataclass
class DumpMember:
    name: str
    data: bytes | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Directory:
    start: int  # absolute position of the first entry
    size: int
    shift: int  # bytes prepended to the archive (offsets inside it are relative to its start)


class _Entry(NamedTuple):  # a tuple: built 200,000 times for a 100,000-member dump
    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int  # of the local header, absolute


def iter_dump(path_or_file: str | Path | IO[bytes]) -> Iterator[DumpMember]:
    """Yield every file member (directories skipped) in archive order.

    A path is opened and closed here; a file object is read (it must be seekable) and left open.
    """
    label = str(path_or_file) if isinstance(path_or_file, str | Path) else "<stream>"
    if isinstance(path_or_file, str | Path):
        try:
            f: IO[bytes] = open(path_or_file, "rb")  # noqa: SIM115 - closed in finally below
        except OSError as exc:
            raise DumpError(f"{label}: cannot open ({exc})") from exc
        owned = True
    else:
        f, owned = path_or_file, False
    try:
        try:
            directory = _locate_directory(f)
            for _ in _walk(f, directory):  # check every entry before yielding anything
                pass
        except DumpError as exc:
            raise DumpError(
                f"{label}: not a readable zip archive ({exc}); truncated download?"
            ) from None
        except OSError as exc:
            raise DumpError(f"{label}: cannot read ({exc})") from exc
        for entry in _walk(f, directory):
            if not entry.name.endswith("/"):
                yield _read(f, entry)
    finally:
        if owned:
            f.close()


def _locate_directory(f: IO[bytes]) -> _Directory:
    """The central directory's place, from the end records at the tail of the file."""
    end = f.seek(0, 2)
    tail_start = max(0, end - _EOCD.size - _MAX_COMMENT)
    f.seek(tail_start)
    tail = f.read()
    at = _find_end_record(tail)
    *_, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
    eocd_pos = tail_start + at
    cd_end = eocd_pos
    locator_pos = eocd_pos - _LOCATOR.size
    if locator_pos >= 0 and _read_at(f, locator_pos, 4) == _LOCATOR_SIG:
        cd_end = locator_pos - _EOCD64.size  # the zip64 record sits right before its locator
        record = _read_at(f, cd_end, _EOCD64.size) if cd_end >= 0 else b""
        if len(record) != _EOCD64.size or record[:4] != _EOCD64_SIG:
            raise DumpError("zip64 end record missing")
        *_, cd_size, cd_offset = _EOCD64.unpack(record)
    shift = cd_end - cd_size - cd_offset
    if shift < 0:
        raise DumpError("central directory runs past the end record")
    return _Directory(cd_offset + shift, cd_size, shift)


def _find_end_record(tail: bytes) -> int:
    """Offset in ``tail`` of the end record whose comment ends the file exactly."""
    at = len(tail) - _EOCD.size
    while at >= 0:
        at = tail.rfind(_EOCD_SIG, 0, at + 4)
        if at < 0:
            break
        comment = int.from_bytes(tail[at + 20 : at + 22], "little")
        if at + _EOCD.size + comment == len(tail):
            return at
        at -= 1
    raise DumpError("no end-of-central-directory record")


def _walk(f: IO[bytes], d: _Directory) -> Iterator[_Entry]:
    """The directory's entries, read through a window of ``CHUNK`` bytes; none is kept."""
    buf, i, pos, stop = b"", 0, d.start, d.start + d.size

    def take(n: int) -> bytes:
        nonlocal buf, i, pos
        if len(buf) - i < n:
            f.seek(pos)
            more = f.read(min(max(CHUNK, n), stop - pos))
            pos += len(more)
            buf, i = buf[i:] + more, 0
            if len(buf) < n:
                raise DumpError("central directory cut short")
        piece = buf[i : i + n]
        i += n
        return piece

    read = 0
    while read < d.size:
        fixed = take(_CENTRAL.size)
        (sig, _, _, flags, method, _, _, crc, compressed, size, n_name, n_extra, n_comment, _, _,
         _, offset) = _CENTRAL.unpack(fixed)  # fmt: skip
        if sig != _CENTRAL_SIG:
            raise DumpError(f"bad central directory entry at byte {d.start + read}")
        raw_name = take(n_name)
        extra = take(n_extra)
        take(n_comment)
        read += _CENTRAL.size + n_name + n_extra + n_comment
        if 0xFFFFFFFF in (size, compressed, offset):
            size, compressed, offset = _zip64_fields(extra, size, compressed, offset)
        # a name that is not the UTF-8 it claims does not cost the dump: its record is still read
        name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", errors="replace")
        yield _Entry(name, raw_name, flags, method, crc, compressed, size, offset + d.shift)
    if read != d.size:
        raise DumpError("central directory entries overrun its stated size")


def _zip64_fields(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset from the zip64 extra field, in its order, for those saturated."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        if kind == _ZIP64_EXTRA:
            fields = min(length, 24, len(extra) - at - 4) // 8  # sizes, offset; then a disk
            values = iter(struct.unpack_from(f"<{fields}Q", extra, at + 4))
            try:
                size = next(values) if size == 0xFFFFFFFF else size
                compressed = next(values) if compressed == 0xFFFFFFFF else compressed
                offset = next(values) if offset == 0xFFFFFFFF else offset
            except StopIteration:
                raise DumpError("zip64 extra field too short") from None
            return size, compressed, offset
        at += 4 + length
    raise DumpError("saturated size or offset without a zip64 extra field")


def _read(f: IO[bytes], entry: _Entry) -> DumpMember:
    try:
        return DumpMember(entry.name, _member_data(f, entry))
    except _MemberError as exc:
        return DumpMember(entry.name, None, str(exc))
    except zlib.error as exc:
        return DumpMember(entry.name, None, f"broken deflate stream ({exc})")


def _member_data(f: IO[bytes], e: _Entry) -> bytes:
    """The member's bytes, checked against the directory's size and CRC-32."""
    if e.flags & _FLAG_ENCRYPTED:
        raise _MemberError("encrypted member")
    if e.method not in (_STORED, _DEFLATED):
        raise _MemberError(f"compression method {e.method} not supported")
    head = _read_at(f, e.offset, _LOCAL.size)
    if len(head) != _LOCAL.size or head[:4] != _LOCAL_SIG:
        raise _MemberError(f"bad local header at byte {e.offset}")
    *_, n_name, n_extra = _LOCAL.unpack(head)
    if f.read(n_name) != e.raw_name:
        raise _MemberError("local header names another file than the directory")
    f.seek(n_extra, 1)
    inflate = zlib.decompressobj(-15) if e.method == _DEFLATED else None
    parts: list[bytes] = []
    produced, left = 0, e.compressed
    while left:
        chunk = f.read(min(CHUNK, left))
        if not chunk:
            raise _MemberError("member data cut short")
        left -= len(chunk)
        room = e.size - produced
        out = inflate.decompress(chunk, room + 1) if inflate else chunk
        if len(out) > room:
            raise _MemberError(f"more data than the stated {e.size} bytes")
        produced += len(out)
        parts.append(out)
    if inflate and not inflate.eof:
        raise _MemberError("deflate stream cut short")
    data = b"".join(parts)
    if len(data) != e.size:
        raise _MemberError(f"{len(data)} bytes, the directory says {e.size}")
    crc = zlib.crc32(data)
    if crc != e.crc:
        raise _MemberError(f"bad CRC-32 ({crc:08x}, the directory says {e.crc:08x})")
    return data


def _read_at(f: IO[bytes], pos: int, n: int) -> bytes:
    f.seek(pos)
    return f.read(n)
