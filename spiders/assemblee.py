"""The Assemblée nationale spider (``spider = "assemblee"``): nightly open-data dumps + question pages.

The flow of one run, in stages (each starts when the previous one is over):

1. **Question dumps** (QE, QG, QOSD as configured), asked conditionally (ETag/Last-Modified).
   A 304 means "unchanged": nothing is parsed. A changed dump is written to a temporary file
   as soon as it arrives; nothing is parsed yet.
2. **Deputies dump** (AMO10), only if some question dump changed. Question records carry only
   the author's ``PA…`` id, so the names come from this dump. The table read last time is kept
   in the database (``storage/deputies.py``) and passed in as ``known_deputies``; the dump is
   then asked *with* its validators, and a 304 means the stored names are current. Without a
   stored table (first run, or a database that predates it) the dump is asked without
   validators, since a 304 would leave the new items without names (and every stored name would
   "change" to nothing). A freshly read dump is handed to the pipeline as one ``DeputiesItem``
   and its ETag saved only with it. An unchanged night costs the question dumps' 304s and
   nothing else; a night when questions moved costs one more 304 for the deputies.
3. **Ingest**: each changed dump is read member by member (``iter_dump``: one record's bytes in
   memory at a time), one ``QuestionItem`` per record, names filled from the deputies. A
   malformed record or a corrupt member is logged with its uid and member name, and skipped. An
   unreadable archive is an error (logged with its URL, counted); the run then ends as failed
   once the other dumps are ingested, and its validators are not saved, so the next run
   downloads it again.
4. **Question pages**, for ``follow`` entries the dumps did not cover (page URLs or uids of
   another legislature or kind, questions not in the dump yet), and to fill fields a followed
   question's record lacks (the author of a deputy who left the Assemblée is not in AMO10).
   Dump and page never fight over a uid in one run: a record that needs its page is held back,
   the page only fills its empty fields, and one merged item is yielded (the record alone if the
   page fails).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
import tempfile
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders import defaults
from spiders.base import SourceSpider
from spiders.items import DeputiesItem, QuestionItem, SeenItem, ValidatorItem
from spiders.parse.an_deputies import Deputy, parse_deputies
from spiders.parse.an_dump import DumpError, iter_dump
from spiders.parse.an_page import DYN_URL, LEGACY_URL, PageError, parse_an_page, parse_an_xml
from spiders.parse.an_record import UID_RE, RecordError, parse_an_record

logger = logging.getLogger("vigie.spider")

DUMPS = {
    "QE": "questions/questions_ecrites/Questions_ecrites.json.zip",
    "QG": "questions/questions_gouvernement/Questions_gouvernement.json.zip",
    "QOSD": "questions/questions_orales_sans_debat/Questions_orales_sans_debat.json.zip",
}
DEPUTIES = (
    "amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"
)
#: bump when parsing or normalization of records changes, so every record is read again once
FINGERPRINT_VERSION = "1"
DUMP_TIMEOUT = 600  # seconds: a 50 MB dump on a slow line
MEMBER_UID = re.compile(r"(?:^|/)(?P<uid>[^/]+?)\.json$")
#: fields a question page may fill when the record left them empty
FILLABLE = ("author_name", "circonscription", "group_name", "rubrique", "title", "analysis")


class AssembleeSpider(SourceSpider):
    name = "assemblee"

    def __init__(
        self,
        source: str,
        url: str = defaults.ASSEMBLEE_URL,
        open_data_url: str = defaults.ASSEMBLEE_OPEN_DATA_URL,
        legislature: int = defaults.ASSEMBLEE_LEGISLATURE,
        kinds: list[str] | None = None,
        follow: list[str] | None = None,
        deputies: bool = True,
        pages: bool = True,
        followed: list[str] | None = None,
        max_dump_bytes: int = defaults.MAX_DUMP_BYTES,
        fingerprints: dict[str, str] | None = None,
        known_deputies: dict[str, dict[str, str | None]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(source, url, **kwargs)
        self.open_data_url = str(open_data_url).rstrip("/")
        self.legislature = int(legislature)
        self.kinds = [k for k in (kinds or list(DUMPS)) if k in DUMPS]
        self.follow = list(follow or [])
        self.use_deputies = deputies
        self.pages = pages
        self.followed = set(followed or [])
        self.max_dump_bytes = max_dump_bytes
        self.fingerprints = fingerprints or {}  # uid → checksum of the record stored last time
        hosts = {self.host, (urlsplit(self.open_data_url).hostname or "").lower()}
        hosts |= {(urlsplit(f).hostname or "").lower() for f in self.follow if "://" in f}
        self.allowed_domains = sorted(h for h in hosts if h)
        self.watched = {uid for uid, _ in map(self.follow_target, self.follow) if uid}
        self.workdir = Path(tempfile.mkdtemp(prefix="vigie-an-"))
        self.waiting: set[str] = set(self.kinds)  # dumps not answered yet
        self.saved: dict[str, tuple[str, Path, ValidatorItem | None]] = {}  # kind → changed dump
        self.read_ok: set[str] = set()  # kinds whose changed dump was ingested
        # the deputies stored from the last dump read: names on a 304 (see stage 2)
        self.deputies: dict[str, Deputy] = {
            uid: Deputy(uid, d["name"] or "", d.get("circonscription"), d.get("group_name"))
            for uid, d in (known_deputies or {}).items()
            if d.get("name")
        }
        self.seen: set[str] = set()  # watched uids found in a dump this run
        self.held: dict[str, QuestionItem] = {}  # records waiting for their page
        self.broken: list[str] = []  # unreadable archives

    # -- URLs -------------------------------------------------------------------------------
    def dump_url(self, path: str) -> str:
        return f"{self.open_data_url}/static/openData/repository/{self.legislature}/{path}"

    def page_url(self, uid: str) -> str:
        match = UID_RE.match(uid)
        leg = match.group("leg") if match else self.legislature
        return f"{self.base_url}/dyn/{leg}/questions/{uid}"

    def follow_target(self, entry: str) -> tuple[str | None, str]:
        """A ``follow`` entry → (uid if known, page URL to fetch)."""
        entry = entry.strip()
        if "://" not in entry:
            return entry, self.page_url(entry)
        if m := DYN_URL.search(entry):
            return m.group("uid"), entry
        if m := LEGACY_URL.search(entry):
            return f"QANR5L{m.group('leg')}{m.group('type')}{m.group('num')}", entry
        return None, entry

    def in_dumps(self, uid: str) -> bool:
        """Whether this run's dumps are where the question should be."""
        match = UID_RE.match(uid)
        return (
            match is not None
            and int(match.group("leg")) == self.legislature
            and match.group("type") in self.kinds
        )

    def _dump_meta(self, **extra: Any) -> dict[str, Any]:
        return {"download_maxsize": self.max_dump_bytes, "download_timeout": DUMP_TIMEOUT, **extra}

    # -- stage 1: question dumps ------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if not self.kinds:
            for request in self._page_requests():
                yield request
            return
        for kind in self.kinds:
            req = self.request(
                self.dump_url(DUMPS[kind]), self.parse_dump, meta=self._dump_meta(kind=kind)
            )
            yield req.replace(errback=self.dump_failed)

    def parse_dump(self, response: Response) -> Iterator[Any]:
        kind = response.meta["kind"]
        if not self.unusable(response):
            path = self.workdir / f"{kind}.zip"
            path.write_bytes(response.body)
            logger.info("%s: %s dump changed (%d bytes)", self.source, kind, len(response.body))
            self.saved[kind] = (response.url, path, self.validator(response, deferred=True))
        yield from self._dump_done(kind)

    def dump_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        # Scrapy sets .request on the Failure it passes to an errback; twisted's type does not declare it
        yield from self._dump_done(failure.request.meta["kind"])  # type: ignore[attr-defined]

    def _dump_done(self, kind: str) -> Iterator[Any]:
        self.waiting.discard(kind)
        if self.waiting:
            return
        if self.saved and self.use_deputies:
            req = self.request(
                self.dump_url(DEPUTIES),
                self.parse_deputies_dump,
                conditional=bool(self.deputies),
                meta=self._dump_meta(),
            )
            yield req.replace(errback=self.deputies_failed)
        else:
            yield from self._ingest()

    # -- stage 2: deputies ------------------------------------------------------------------
    def parse_deputies_dump(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):  # 304: the stored table is current
            logger.info("%s: deputies unchanged: %d stored names", self.source, len(self.deputies))
            yield from self._ingest()
            return
        path = self.workdir / "deputies.zip"
        path.write_bytes(response.body)
        try:
            fresh = parse_deputies(path)
        except DumpError as exc:
            fresh = {}
            self._error(response.url, f"deputies dump unreadable, authors left unnamed: {exc}")
        path.unlink(missing_ok=True)
        if fresh:
            self.deputies = fresh
            yield DeputiesItem(
                source=self.source,
                deputies=[
                    {
                        "uid": d.uid,
                        "name": d.name,
                        "circonscription": d.circonscription,
                        "group_name": d.group,
                    }
                    for d in fresh.values()
                ],
            )
            yield from self._validator_of(response)
        yield from self._ingest()

    def _validator_of(self, response: Response) -> Iterator[ValidatorItem]:
        if v := self.validator(response, deferred=True):
            yield v

    def deputies_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        logger.error("%s: deputies dump not fetched: authors left unnamed this run", self.source)
        yield from self._ingest()

    # -- stage 3: ingest --------------------------------------------------------------------
    def _ingest(self) -> Iterator[Any]:
        for kind in self.kinds:
            if kind in self.saved:
                url, path, validator = self.saved[kind]
                yield from self._read_dump(kind, url, path)
                path.unlink(missing_ok=True)
                if kind in self.read_ok and validator:
                    yield validator
        yield from self._page_requests()
        if self.broken:
            raise CloseSpider("unreadable dump: " + "; ".join(self.broken))

    def _read_dump(self, kind: str, url: str, path: Path) -> Iterator[QuestionItem | SeenItem]:
        count = 0
        try:
            for member in iter_dump(path):
                uid = m.group("uid") if (m := MEMBER_UID.search(member.name)) else member.name
                if member.data is None:
                    self.page_problem(
                        url, f"record {uid} (member {member.name}): corrupt: {member.error}"
                    )
                    continue
                fp = f"{FINGERPRINT_VERSION}:{zlib.crc32(member.data):08x}"
                if self.fingerprints.get(uid) == fp and uid not in self.watched:
                    # the very record stored last time: not reparsed (a re-run costs a checksum)
                    count += 1
                    yield SeenItem(source=self.source, url=uid)
                    continue
                try:
                    item = parse_an_record(member.data, site_url=self.base_url, source=self.source)
                except RecordError as exc:
                    self.page_problem(url, f"record {uid} (member {member.name}): {exc.reason}")
                    continue
                count += 1
                item = self._named(item)
                # a record stored without its author's name is read again until the name is known
                item.fingerprint = fp if item.author_name else None
                if item.uid in self.watched:
                    self.seen.add(item.uid)
                if (
                    self.pages
                    and not item.author_name
                    and (item.uid in self.watched or item.uid in self.followed)
                ):
                    self.held[item.uid] = item  # its page will name the author
                    continue
                yield item
        except DumpError as exc:
            self._error(url, f"{kind} dump unreadable, previous state kept: {exc}")
            self.broken.append(f"{kind} {url}: {exc}")
            return
        self.read_ok.add(kind)
        logger.info("%s: %s dump: %d records", self.source, kind, count)

    def _named(self, item: QuestionItem) -> QuestionItem:
        deputy = self.deputies.get(item.author_ref or "")
        if deputy:
            item.author_name = deputy.name
            item.circonscription = deputy.circonscription or item.circonscription
            item.group_name = item.group_name or deputy.group
        return item

    def _error(self, url: str, reason: str) -> None:
        self.fetch_failed(url, reason)

    # -- stage 4: question pages ------------------------------------------------------------
    def _page_requests(self) -> Iterator[Any]:
        targets: dict[str, tuple[str | None, bool]] = {}  # page URL → (held uid, conditional)
        uid: str | None
        for uid, item in self.held.items():
            targets[item.url] = (uid, False)  # merged with the record: the page itself is needed
        if self.pages:
            for entry in self.follow:
                uid, url = self.follow_target(entry)
                if uid and (uid in self.seen or uid in self.held):
                    continue  # the dump gave it this run
                if uid and self.in_dumps(uid) and uid in self.followed:
                    kind = UID_RE.match(uid).group("type")  # type: ignore[union-attr]
                    if kind not in self.read_ok:
                        continue  # its dump did not change: nothing new to learn
                targets.setdefault(url, (None, True))
        for url, (uid, conditional) in targets.items():
            req = self.request(url, self.parse_page, conditional=conditional, meta={"held": uid})
            yield req.replace(errback=self.page_failed)

    def parse_page(self, response: Response) -> Iterator[Any]:
        held = self.held.pop(response.meta.get("held") or "", None)
        if self.unusable(response):
            if held:
                yield held
            return
        url = response.request.url if response.request else response.url
        try:
            if url.rstrip("/").endswith("/vue/xml"):
                page = parse_an_xml(response.body, url, source=self.source)
            else:
                page = parse_an_page(response.body, url, source=self.source)
        except PageError as exc:
            self.page_problem(url, exc.reason)
            if held:
                yield held
            return
        if held:
            yield fill(held, page)
            return
        yield self._named(page) if not page.author_name else page
        if v := self.validator(response, deferred=False):
            yield v

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        # Scrapy sets .request on the Failure it passes to an errback; twisted's type does not declare it
        held = self.held.pop(failure.request.meta.get("held") or "", None)  # type: ignore[attr-defined]
        if held:
            yield held

    def closed(self, reason: str) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def fill(record: QuestionItem, page: QuestionItem) -> QuestionItem:
    """The record wins; the page only fills what the record left empty."""
    missing = {f: getattr(page, f) for f in FILLABLE if not getattr(record, f) and getattr(page, f)}
    return dataclasses.replace(record, **missing)
