"""The Journal officiel spider (``spider = "jorf"``, issue 12): DILA's incremental JORF archives.

One run: the listing page at ``url`` (``https://echanges.dila.gouv.fr/OPENDATA/JORF``) names the
archives ``JORF_YYYYMMDD-HHMMSS.tar.gz``; those not yet ``read`` (names the store hands back
from earlier ``ArchivesReadItem``) and not older than ``since`` are downloaded **one after the
other, oldest first**, each streamed (``spiders/parse/jorf.py``) and dropped before the next is
asked, so a stopped daemon catches up in order and memory stays flat. Every text of a watched
``natures`` is yielded as a ``jo_text`` LegisItem (matching is the pipeline's job), then an
``ArchivesReadItem`` naming the archive: items first, so a run killed mid-way loses nothing.

A corrupt or truncated archive is logged with its file name and counted as an error (the run
fails: health alert); it is not named read, so the next run retries it; the later archives
are still read (their ``source_ts`` is newer, so a retried older archive never undoes them).
At most ``max_archives`` archives per run (the rest next run).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.http import Response
from twisted.python.failure import Failure

from spiders import defaults
from spiders.base import NOT_MODIFIED, SOURCE_FAILURE, SourceSpider
from spiders.items import ArchivesReadItem
from spiders.parse.jorf import ArchiveError, archive_day, archive_names, parse_archive

logger = logging.getLogger("vigie.spider")

FIRST_RUN_DAYS = 7
ARCHIVES_READ = "vigie/archives_read"
ARCHIVE_TIMEOUT = 600
PARIS = ZoneInfo("Europe/Paris")


class JorfSpider(SourceSpider):
    name = "jorf"

    def __init__(
        self,
        source: str,
        url: str = defaults.JORF_URL,
        natures: list[str] | None = None,
        since: str | None = None,
        read: list[str] | set[str] | None = None,
        max_archives: int = 60,
        max_dump_bytes: int = defaults.MAX_DUMP_BYTES,
        today: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(source, url, **kwargs)
        self.natures = [n.upper() for n in (natures or defaults.JORF_NATURES)]
        self.read = set(read or [])
        today_ = date.fromisoformat(today) if today else datetime.now(PARIS).date()
        if since:
            self.since = date.fromisoformat(since)
        elif self.read:  # never older than what was read first
            self.since = min(archive_day(n) for n in self.read)
        else:
            self.since = today_ - timedelta(days=FIRST_RUN_DAYS)
        self.max_archives = int(max_archives)
        self.max_dump_bytes = int(max_dump_bytes)
        self.queue: list[str] = []

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(self.base_url + "/", self.parse_listing, conditional=False)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        names = archive_names(response.body)
        if not names:
            self.fetch_failed(response.url, "listing names no JORF_*.tar.gz archive")
            return
        todo = [n for n in names if n not in self.read and archive_day(n) >= self.since]
        self.queue = todo[: self.max_archives]
        logger.info(
            "%s: %d archives listed, %d to read since %s (%d this run)",
            self.source,
            len(names),
            len(todo),
            self.since,
            len(self.queue),
        )
        if not todo:
            # nothing published since the last archive read: a quiet day, not a broken source
            self.crawler.stats.inc_value(NOT_MODIFIED)
        yield from self._next()

    def _next(self) -> Iterator[Any]:
        if not self.queue:
            return
        name = self.queue.pop(0)
        meta = {
            "archive": name,
            "download_maxsize": self.max_dump_bytes,
            "download_timeout": ARCHIVE_TIMEOUT,
        }
        req = self.request(
            f"{self.base_url}/{name}", self.parse_archive, conditional=False, meta=meta
        )
        yield req.replace(errback=self.archive_failed)

    def parse_archive(self, response: Response) -> Iterator[Any]:
        name = response.meta["archive"]
        try:
            read = parse_archive(response.body, name, self.natures, source=self.source)
        except ArchiveError as exc:
            # the run's reason is the text before the first ":", so the file name comes first
            self.fetch_failed(
                response.url, f"archive {name} unreadable: {exc} (not marked read: retried)"
            )
            self.crawler.stats.set_value(
                SOURCE_FAILURE, f"archive {name} unreadable (retried at the next run): {exc}"
            )
            yield from self._next()
            return
        for member, reason in read.problems:
            self.page_problem(f"{response.url}#{member}", reason)
        logger.info(
            "%s: %s: %d files, %d texts of the watched natures",
            self.source,
            name,
            read.members,
            len(read.items),
        )
        yield from read.items
        self.crawler.stats.inc_value(ARCHIVES_READ)
        yield ArchivesReadItem(source=self.source, names=[name])
        yield from self._next()

    def archive_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        yield from self._next()
