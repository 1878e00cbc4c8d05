"""Stream the members of an AN open-data zip (``json/{uid}.json`` per question), one at a time.

A dump is 45–50 MB for a legislature: the archive is read from disk (or any seekable file) and only
one member's bytes are in memory at a time. A corrupt member (bad CRC, broken deflate stream,
damaged local header) is yielded with ``error`` set and iteration goes on. An archive whose central
directory cannot be read (truncated download, not a zip) raises ``DumpError`` *before* anything is
yielded: without the directory no member can be trusted, and the caller should keep the previous
state rather than store half a dump.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class DumpError(Exception):
    """The archive itself is unreadable (truncated, not a zip)."""


@dataclass
class DumpMember:
    name: str
    data: bytes | None
    error: str | None = None


def iter_dump(path_or_file: str | Path | IO[bytes]) -> Iterator[DumpMember]:
    """Yield every file member (directories skipped) in archive order."""
    label = str(path_or_file) if isinstance(path_or_file, str | Path) else "<stream>"
    try:
        archive = zipfile.ZipFile(path_or_file)
    except zipfile.BadZipFile as exc:
        raise DumpError(
            f"{label}: not a readable zip archive ({exc}); truncated download?"
        ) from exc
    except OSError as exc:
        raise DumpError(f"{label}: cannot open ({exc})") from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            yield _read(archive, info)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> DumpMember:
    try:
        with archive.open(info) as member:
            return DumpMember(info.filename, member.read())
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        return DumpMember(info.filename, None, f"{type(exc).__name__}: {exc}")
