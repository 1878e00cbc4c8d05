"""The Sénat spider (``spider = "senat"``): the open-data questions CSV + question pages.

The CSV (``{open_data_url}{csv_path}``) is asked conditionally: a 304 costs nothing. Each row
becomes one ``QuestionItem`` (encoding detected by the parser: UTF-8, else cp1252); a malformed
row is logged with its line and skipped; a header without the required columns fails the run
with the column named. Question pages are fetched for ``follow`` entries the CSV did not cover
(a question older than a year, a page URL).

The stable id is the code in the page URL (``qSEQ26020345.html`` → ``SEQ26020345``), not the
CSV's Référence: the URL is the one identifier both the CSV row and the question page carry, it
is what users copy into ``follow``, and the CSV's Référence column is not verified to use the
same form (the CSV's column set is not documented). Keying on it means a question seen in the CSV one
night and on its page another stays one item. Référence is the fallback when the URL has no code.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders import defaults
from spiders.base import SourceSpider
from spiders.items import QuestionItem
from spiders.parse.an_page import PageError
from spiders.parse.senat_csv import CsvLayoutError, RowError, parse_senat_csv
from spiders.parse.senat_page import parse_senat_page

logger = logging.getLogger("vigie.spider")

URL_CODE = re.compile(r"q(?P<ref>SEQ\w+?)\.html", re.I)
REF_PARTS = re.compile(r"^SEQ(?P<yy>\d{2})\d{2}\d+$", re.I)
CSV_TIMEOUT = 300


def stable_id(url: str | None, fallback: str) -> str:
    """``SEQ…`` code of the page URL; ``fallback`` (the Référence) when the URL has none."""
    match = URL_CODE.search(url or "")
    return match.group("ref").upper() if match else fallback


class SenatSpider(SourceSpider):
    name = "senat"

    def __init__(
        self,
        source: str,
        url: str = defaults.SENAT_URL,
        open_data_url: str = defaults.SENAT_OPEN_DATA_URL,
        csv_path: str = defaults.SENAT_CSV_PATH,
        follow: list[str] | None = None,
        pages: bool = True,
        followed: list[str] | None = None,
        max_dump_bytes: int = defaults.MAX_DUMP_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(source, url, **kwargs)
        self.open_data_url = str(open_data_url).rstrip("/")
        self.csv_url = self.open_data_url + "/" + csv_path.lstrip("/")
        self.follow = list(follow or [])
        self.pages = pages
        self.followed = set(followed or [])
        self.max_dump_bytes = max_dump_bytes
        hosts = {self.host, (urlsplit(self.open_data_url).hostname or "").lower()}
        hosts |= {(urlsplit(f).hostname or "").lower() for f in self.follow if "://" in f}
        self.allowed_domains = sorted(h for h in hosts if h)
        self.seen: set[str] = set()

    def follow_target(self, entry: str) -> tuple[str | None, str | None]:
        """A ``follow`` entry → (stable id, page URL); the URL is rebuilt from a SEQ reference."""
        entry = entry.strip()
        if "://" in entry:
            return stable_id(entry, "") or None, entry
        ref = entry.upper()
        parts = REF_PARTS.match(ref)
        page = (
            f"{self.base_url}/questions/base/20{parts.group('yy')}/q{ref}.html" if parts else None
        )
        return ref, page

    async def start(self) -> AsyncIterator[Any]:
        meta = {"download_maxsize": self.max_dump_bytes, "download_timeout": CSV_TIMEOUT}
        yield self.request(self.csv_url, self.parse_csv, meta=meta).replace(errback=self.csv_failed)

    def parse_csv(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            yield from self._page_requests(csv_read=False)
            return
        count = 0
        try:
            for row in parse_senat_csv(response.body, site_url=self.base_url, source=self.source):
                if isinstance(row, RowError):
                    self.page_problem(response.url, f"line {row.line}: {row.reason}")
                    continue
                row.uid = stable_id(row.url, row.uid)
                self.seen.add(row.uid)
                count += 1
                yield row
        except CsvLayoutError as exc:
            self.fetch_failed(response.url, str(exc))
            raise CloseSpider(f"questions CSV layout changed: {exc}") from exc
        logger.info("%s: questions CSV: %d rows", self.source, count)
        if v := self.validator(response, deferred=True):
            yield v
        yield from self._page_requests(csv_read=True)

    def csv_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        yield from self._page_requests(csv_read=False)

    def _page_requests(self, csv_read: bool) -> Iterator[Any]:
        if not self.pages:
            return
        for entry in self.follow:
            uid, url = self.follow_target(entry)
            if not url:
                logger.warning(
                    "%s: follow %r: not a page URL nor a SEQ reference", self.source, entry
                )
                continue
            if uid in self.seen:
                continue  # the CSV gave it this run
            if not csv_read and uid in self.followed:
                continue  # the CSV did not change and the question is stored
            yield self.request(url, self.parse_page)

    def parse_page(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            return
        url = response.request.url if response.request else response.url
        try:
            item: QuestionItem = parse_senat_page(response.body, url, source=self.source)
        except PageError as exc:
            self.page_problem(url, exc.reason)
            return
        item.uid = stable_id(url, item.uid)
        yield item
        if v := self.validator(response, deferred=False):
            yield v
