"""The Assemblée nationale legislative spider (``spider = "an_legis"``, issue 11).

Bills, reports, texts adopted and dossiers; amendments; agenda points; sitting sections. One run:

1. **Dumps** (``Dossiers_Legislatifs``, ``Amendements``, ``syseron``, ``Agenda``: those the watched
   kinds need), asked conditionally (ETag/Last-Modified): a 304 costs nothing more. A changed
   dump is written to a temporary file, read later member by member (``iter_dump``).
2. **Daily publication lists**, one per day after ``lists_read_until`` (or from ``since``, else
   today only) up to today; today's list is read on every run (it grows all day). A 404 is a day
   without publication, not an error.
3. **Deputies** (AMO10), when amendments or agenda points will be read: authors, cosigners,
   groups and the bodies meeting (commissions) are named from it. The table read last time is
   kept in the database (``storage/deputies.py``: deputies by ``PA…`` uid and bodies by ``PO…``
   uid, from the same dump) and passed in as ``known_deputies``; the dump is then asked with its
   validators, and a 304 means the stored names are current (issue 15: the dump is several MB,
   and was downloaded in full on every night amendments moved). Without a stored table it is
   asked without validators. A freshly read dump is handed to the pipeline as one
   ``DeputiesItem`` and its validators are saved only with it.
4. **Ingest** of every changed dump: one ``LegisItem`` per record (per agenda point, per top-level
   point of a transcript). A record whose bytes are those stored last time (``fingerprints``) is
   not reparsed (``SeenItem``); a record older than a version already held (``known``, from a
   newer daily list) is skipped; a malformed record is logged with its uid and skipped; an
   unreadable archive (truncated download) is logged with its URL, counted as an error, its
   validators are not kept (downloaded again next run) and the other dumps go on.
5. **Listed documents**: ``/dyn/opendata/{UID}.json`` (``.xml`` for transcripts) only for uids
   of watched kinds whose list timestamp is newer than what is held (``known``) and than the
   dump just read. A listed document that answers 404 is logged with its uid and skipped.
6. A ``ListsReadItem`` says up to which day the lists were fully read (never today), so that the
   next run starts after it; also in the stats as ``vigie/lists_read_until``.

``source_ts`` (how new a version is, ISO UTC, compared as text): the list timestamp for a listed
document; the dump's ``Last-Modified`` for a dump record (when the dump was built: the record is
at least that fresh, no fresher); without that header, the record's own latest date.
``fingerprint`` = checksum of the record's bytes (``an_json.fingerprint``). ``known`` and
``fingerprints`` are keyed on ``fields["record_uid"]``: the uid of the record as dumps and lists
name it (the meeting or sitting uid for agenda points and sitting sections, which share their
record; the item uid itself for amendments, documents and dossiers).
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.base import SourceSpider
from spiders.items import DeputiesItem, LegisItem, ListsReadItem, SeenItem, ValidatorItem
from spiders.parse.an_agenda import parse_reunion
from spiders.parse.an_amendment import parse_amendment
from spiders.parse.an_days import days_to_read
from spiders.parse.an_days import read_until as last_read
from spiders.parse.an_debate import parse_transcript
from spiders.parse.an_deputies import Deputy, parse_deputies
from spiders.parse.an_dump import DumpError, iter_dump
from spiders.parse.an_json import RecordError, fingerprint, iso_utc
from spiders.parse.an_legis_document import NotLegislative, parse_dossiers_member
from spiders.parse.an_names import parse_organes
from spiders.parse.an_publication import Listed, parse_publication_list, uid_kind

logger = logging.getLogger("vigie.spider")

KINDS = ("document", "dossier", "amendment", "agenda", "debate")
DUMPS = {  # name → (path under the legislature's repository, kinds it holds)
    "dossiers": ("loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip", {"document", "dossier"}),
    "amendments": ("loi/amendements_div_legis/Amendements.json.zip", {"amendment"}),
    "agenda": ("vp/reunions/Agenda.json.zip", {"agenda"}),
    "debates": ("vp/syceronbrut/syseron.xml.zip", {"debate"}),
}
DEPUTIES = (
    "amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"
)
LIST_PATH = "/dyn/opendata/list-publication/publication_{day}"
DOC_PATH = "/dyn/opendata/{uid}.{ext}"
DUMP_TIMEOUT = 900
LISTS_READ_UNTIL = "vigie/lists_read_until"
OLDER_SKIPPED = "vigie/older_than_held"
UNKNOWN_DECISIONS = "vigie/unknown_decisions"
PARIS = ZoneInfo("Europe/Paris")
_MEMBER_UID = re.compile(r"(?:^|/)(?P<uid>[^/]+?)\.(?:json|xml)$")
_DATE_FIELDS = ("date_decided", "date_published", "date_tabled", "last_act_date")
#: bodies (groups, commissions) in AMO10 and in the stored deputies table; deputies are "PA…"
ORGANE_PREFIX = "PO"


class AnLegisSpider(SourceSpider):
    name = "an_legis"

    def __init__(
        self,
        source: str,
        url: str = "https://www.assemblee-nationale.fr",
        open_data_url: str = "https://data.assemblee-nationale.fr",
        legislature: int = 17,
        kinds: list[str] | None = None,
        follow: list[str] | None = None,
        known: dict[str, str] | None = None,
        fingerprints: dict[str, str] | None = None,
        lists_read_until: str | None = None,
        since: str | None = None,
        today: str | None = None,
        max_dump_bytes: int = 600_000_000,
        deputies: bool = True,
        known_deputies: dict[str, dict[str, str | None]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(source, url, **kwargs)
        self.open_data_url = str(open_data_url).rstrip("/")
        self.legislature = int(legislature)
        self.kinds = [k for k in (kinds or KINDS) if k in KINDS]
        self.follow = {f.strip() for f in (follow or []) if f.strip()}
        self.known = {uid: iso_utc(ts) or ts for uid, ts in (known or {}).items() if ts}
        self.fingerprints = fingerprints or {}
        self.max_dump_bytes = int(max_dump_bytes)
        self.use_deputies = deputies
        self.today = date.fromisoformat(today) if today else datetime.now(PARIS).date()
        self.days = days_to_read(lists_read_until, since, self.today)
        self.read_until_before = lists_read_until
        hosts = {self.host, (urlsplit(self.open_data_url).hostname or "").lower()}
        self.allowed_domains = sorted(h for h in hosts if h)
        self.workdir = Path(tempfile.mkdtemp(prefix="vigie-anlegis-"))
        self.dumps = [n for n, (_, ks) in DUMPS.items() if ks & set(self.kinds)]
        self.waiting_dumps = set(self.dumps)
        self.saved: dict[str, tuple[str, Path, ValidatorItem | None, str | None]] = {}
        self.waiting_lists: set[str] = set()
        self.listed: dict[str, Listed] = {}  # uid → newest listing
        self.listed_days: dict[str, set[str]] = {}  # uid → days listing it
        self.day_failed: set[str] = set()
        self.dump_ts: dict[str, str] = {}  # listed/followed uid → source_ts of its dump version
        self.text_dossier: dict[str, str] = {}  # document uid → dossier uid (this run's dump)
        self.text_title: dict[str, str] = {}  # document uid → title (this run's dump)
        # the last AMO10 read (storage/deputies.py): names on a 304 (see stage 3)
        self.deputies: dict[str, Deputy] = {}
        self.organes: dict[str, str] = {}
        for uid, d in (known_deputies or {}).items():
            if not d.get("name"):
                continue
            if uid.startswith(ORGANE_PREFIX):
                self.organes[uid] = d["name"] or ""
            else:
                self.deputies[uid] = Deputy(
                    uid, d["name"] or "", d.get("circonscription"), d.get("group_name")
                )
        self.pending_docs = 0

    # -- URLs -------------------------------------------------------------------------------
    def dump_url(self, path: str) -> str:
        return f"{self.open_data_url}/static/openData/repository/{self.legislature}/{path}"

    def _dump_meta(self, **extra: Any) -> dict[str, Any]:
        return {"download_maxsize": self.max_dump_bytes, "download_timeout": DUMP_TIMEOUT, **extra}

    # -- stage 1: dumps ---------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if not self.dumps:
            for request in self._list_requests():
                yield request
            return
        for name in self.dumps:
            req = self.request(
                self.dump_url(DUMPS[name][0]), self.parse_dump, meta=self._dump_meta(dump=name)
            )
            yield req.replace(errback=self.dump_failed)

    def parse_dump(self, response: Response) -> Iterator[Any]:
        name = response.meta["dump"]
        if not self.unusable(response):
            path = self.workdir / f"{name}.zip"
            path.write_bytes(response.body)
            lm = response.headers.get("Last-Modified")
            ts = iso_utc(lm.decode("latin-1")) if lm else None
            logger.info("%s: %s dump changed (%d bytes)", self.source, name, len(response.body))
            url = response.request.url if response.request else response.url
            self.saved[name] = (url, path, self.validator(response, deferred=True), ts)
        yield from self._dump_done(name)

    def dump_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        yield from self._dump_done(failure.request.meta["dump"])  # type: ignore[attr-defined]

    def _dump_done(self, name: str) -> Iterator[Any]:
        self.waiting_dumps.discard(name)
        if not self.waiting_dumps:
            yield from self._list_requests()

    # -- stage 2: daily lists ---------------------------------------------------------------
    def _list_requests(self) -> Iterator[Any]:
        self.waiting_lists = {d.isoformat() for d in self.days}
        for day in sorted(self.waiting_lists):
            url = self.base_url + LIST_PATH.format(day=day)
            req = self.request(
                url, self.parse_list, probe=True, conditional=False, meta={"day": day}
            )
            yield req.replace(errback=self.list_failed)

    def parse_list(self, response: Response) -> Iterator[Any]:
        day = response.meta["day"]
        if response.status in (404, 410):
            logger.info("%s: nothing published on %s (list %s)", self.source, day, response.status)
        elif response.status == 200:
            entries, bad = parse_publication_list(response.body)
            for line in bad:
                self.page_problem(response.url, f"publication list line unreadable: {line!r}")
            for entry in entries:
                self.listed_days.setdefault(entry.uid, set()).add(day)
                held = self.listed.get(entry.uid)
                if held is None or entry.timestamp > held.timestamp:
                    self.listed[entry.uid] = entry
            logger.info("%s: list of %s: %d documents", self.source, day, len(entries))
        else:
            self.day_failed.add(day)
        yield from self._list_done(day)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        day = failure.request.meta["day"]  # type: ignore[attr-defined]
        self.day_failed.add(day)
        yield from self._list_done(day)

    def _list_done(self, day: str) -> Iterator[Any]:
        self.waiting_lists.discard(day)
        if self.waiting_lists:
            return
        wants_names = (
            "amendments" in self.saved
            or "agenda" in self.saved
            or any(
                e.kind in ("amendment", "agenda") and self._wanted(e) for e in self.listed.values()
            )
        )
        if self.use_deputies and wants_names:
            req = self.request(
                self.dump_url(DEPUTIES),
                self.parse_deputies_dump,
                # asked with its validators only when the names it gave last time are held
                conditional=bool(self.deputies),
                meta=self._dump_meta(),
            )
            yield req.replace(errback=self.deputies_failed)
        else:
            yield from self._ingest()

    # -- stage 3: deputies ------------------------------------------------------------------
    def parse_deputies_dump(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):  # 304: the stored table is current
            logger.info(
                "%s: deputies unchanged: %d stored names, %d bodies",
                self.source,
                len(self.deputies),
                len(self.organes),
            )
            yield from self._ingest()
            return
        path = self.workdir / "deputies.zip"
        path.write_bytes(response.body)
        try:
            deputies, organes = parse_deputies(path), parse_organes(path)
        except DumpError as exc:
            deputies, organes = {}, {}
            self.fetch_failed(response.url, f"deputies dump unreadable, names left empty: {exc}")
        path.unlink(missing_ok=True)
        if deputies:
            self.deputies, self.organes = deputies, organes
            yield DeputiesItem(source=self.source, deputies=deputy_rows(deputies, organes))
            if v := self.validator(response, deferred=True):
                yield v
        yield from self._ingest()

    def deputies_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        logger.error("%s: deputies dump not fetched: authors left unnamed this run", self.source)
        yield from self._ingest()

    # -- stage 4: dumps ingested ------------------------------------------------------------
    def _ingest(self) -> Iterator[Any]:
        for name in self.dumps:  # dossiers first: amendments learn their dossier from it
            if name not in self.saved:
                continue
            url, path, validator, ts = self.saved[name]
            ok = yield from self._read_dump(name, url, path, ts)
            path.unlink(missing_ok=True)
            if ok and validator:
                yield validator
        yield from self._doc_requests()

    def _read_dump(
        self, name: str, url: str, path: Path, ts: str | None
    ) -> Generator[Any, None, bool]:
        count = 0
        try:
            for member in iter_dump(path):
                m = _MEMBER_UID.search(member.name)
                if not m:
                    continue
                uid = m.group("uid")
                if member.data is None:
                    self.page_problem(
                        url, f"record {uid} (member {member.name}): corrupt: {member.error}"
                    )
                    continue
                fp = fingerprint(member.data)
                if self.fingerprints.get(uid) == fp and uid not in self.follow:
                    count += 1
                    yield SeenItem(source=self.source, url=uid)
                    continue
                items = self._parse_member(name, member.name, member.data, uid, url)
                for item in items:
                    if item.kind not in self.kinds:
                        continue
                    item.source_ts = ts or _own_ts(item)
                    held = self.known.get(uid)
                    if held and item.source_ts and held > item.source_ts:
                        self.crawler.stats.inc_value(OLDER_SKIPPED)
                        logger.info(
                            "%s: %s in the %s dump (%s) is older than the version held (%s): kept",
                            self.source,
                            uid,
                            name,
                            item.source_ts,
                            held,
                        )
                        continue
                    if uid in self.listed or uid in self.follow:
                        # only stage 5 reads it, for these uids (the lists are read by now):
                        # not one entry per record of a 100,000-amendment dump (issue 11)
                        self.dump_ts[uid] = item.source_ts or ""
                    item.fingerprint = fp
                    item.fields["record_uid"] = uid
                    count += 1
                    yield self._named(item)
        except DumpError as exc:
            self.fetch_failed(url, f"{name} dump unreadable, previous state kept: {exc}")
            return False
        logger.info("%s: %s dump: %d records", self.source, name, count)
        return True

    def _parse_member(
        self, name: str, member: str, data: bytes, uid: str, url: str
    ) -> list[LegisItem]:
        kw = {"site_url": self.base_url, "source": self.source}
        try:
            if name == "amendments":
                return [parse_amendment(data, member=member, **kw)]
            if name == "dossiers":
                item = parse_dossiers_member(data, uid_hint=uid, **kw)
                if item.kind == "document":
                    self.text_title[item.uid] = item.title or ""
                    if item.fields.get("dossier_uid"):
                        self.text_dossier[item.uid] = item.fields["dossier_uid"]
                return [item]
            if name == "agenda":
                return parse_reunion(data, uid_hint=uid, **kw)
            return parse_transcript(data, uid_hint=uid, **kw)
        except NotLegislative as exc:
            logger.debug("%s: not a legislative dossier: %s", self.source, exc)
            return []
        except RecordError as exc:
            self.page_problem(url, f"record {exc.uid or uid} (member {member}): {exc.reason}")
            return []

    def _named(self, item: LegisItem) -> LegisItem:
        """Names from the deputies dump; a record left without its author's name keeps no
        fingerprint, so it is read again once the name is known."""
        f = item.fields
        if item.status == "unknown":
            self.crawler.stats.inc_value(UNKNOWN_DECISIONS)
            logger.warning(
                "%s: %s: unknown decision label %r kept as status 'unknown'",
                self.source,
                item.uid,
                item.status_label,
            )
        if item.kind == "amendment":
            dep = self.deputies.get(f.get("author_ref") or "")
            f["author_name"] = dep.name if dep else None
            f["group_name"] = self.organes.get(f.get("group_ref") or "") or (
                dep.group if dep else None
            )
            f["cosignatories"] = [
                self.deputies[r].name for r in f.get("cosignatory_refs", []) if r in self.deputies
            ]
            f["text_title"] = f.get("text_title") or self.text_title.get(f.get("text_uid") or "")
            if not f.get("dossier_uid") and f.get("text_uid") in self.text_dossier:
                f["dossier_uid"] = self.text_dossier[f["text_uid"]]
                item.parents.append(f["dossier_uid"])
            if self.use_deputies and f.get("author_ref", "").startswith("PA") and not dep:
                item.fingerprint = None
        elif item.kind == "agenda":
            f["organe_name"] = self.organes.get(f.get("organe_ref") or "")
        elif item.kind == "debate" and f.get("text_number"):
            for uid, dossier in self.text_dossier.items():
                if uid.endswith(f"B{f['text_number']}") and f"L{self.legislature}B" in uid:
                    item.parents = [uid, dossier]
                    break
        return item

    # -- stage 5: listed documents ----------------------------------------------------------
    def _wanted(self, entry: Listed) -> bool:
        if entry.kind not in self.kinds:
            return False
        held = max(self.known.get(entry.uid) or "", self.dump_ts.get(entry.uid) or "")
        return not held or entry.timestamp > held

    def _doc_requests(self) -> Iterator[Any]:
        for uid in sorted(self.follow):
            # a followed uid no dump, list or earlier run gave (a bill tabled after the last
            # dump): asked once by its uid; without a list timestamp, its Last-Modified dates it
            kind = uid_kind(uid)
            if kind in self.kinds and not (
                {uid} & (self.listed.keys() | self.known.keys() | self.dump_ts.keys())
            ):
                self.listed[uid] = Listed(uid, "", "", kind)
        wanted = [e for e in self.listed.values() if self._wanted(e)]
        skipped = sum(1 for e in self.listed.values() if e.kind in self.kinds) - len(wanted)
        logger.info(
            "%s: %d listed documents to fetch, %d already held at that version",
            self.source,
            len(wanted),
            skipped,
        )
        for entry in self.listed.values():
            if entry.kind in self.kinds and not self._wanted(entry):
                # held at that version: seen, unchanged (a quiet re-read of today's list is an
                # ok run, not "zero items")
                yield SeenItem(source=self.source, url=entry.uid)
        self.pending_docs = len(wanted)
        if not wanted:
            yield self._lists_read()
            return
        for entry in sorted(wanted, key=lambda e: (e.timestamp, e.uid)):
            ext = "xml" if entry.kind == "debate" else "json"
            url = self.base_url + DOC_PATH.format(uid=entry.uid, ext=ext)
            req = self.request(
                url, self.parse_doc, probe=True, conditional=False, meta={"uid": entry.uid}
            )
            yield req.replace(errback=self.doc_failed)

    def parse_doc(self, response: Response) -> Iterator[Any]:
        entry = self.listed[response.meta["uid"]]
        if response.status in (404, 410):
            self.page_problem(
                response.url,
                f"{'listed' if entry.timestamp else 'followed'} document {entry.uid} is gone"
                f" ({response.status})",
            )
        elif response.status == 200:
            name = {"amendment": "amendments", "agenda": "agenda", "debate": "debates"}.get(
                entry.kind or "", "dossiers"
            )
            for item in self._parse_member(name, entry.uid, response.body, entry.uid, response.url):
                if item.kind not in self.kinds:
                    continue
                lm = response.headers.get("Last-Modified")
                item.source_ts = entry.timestamp or (iso_utc(lm.decode("latin-1")) if lm else None)
                item.fingerprint = fingerprint(response.body)
                item.fields["record_uid"] = entry.uid
                yield self._named(item)
        else:
            self._doc_day_failed(entry.uid)
        yield from self._doc_done()

    def doc_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        self._doc_day_failed(failure.request.meta["uid"])  # type: ignore[attr-defined]
        yield from self._doc_done()

    def _doc_day_failed(self, uid: str) -> None:
        self.day_failed |= self.listed_days.get(uid, set())

    def _doc_done(self) -> Iterator[Any]:
        self.pending_docs -= 1
        if self.pending_docs == 0:
            yield self._lists_read()

    # -- stage 6: what was fully read -------------------------------------------------------
    def _lists_read(self) -> ListsReadItem:
        """What the next run may skip: see ``an_days.read_until``."""
        read_until = last_read(self.days, self.today, self.day_failed, self.read_until_before)
        self.crawler.stats.set_value(LISTS_READ_UNTIL, read_until)
        days = [d.isoformat() for d in self.days if d.isoformat() not in self.day_failed]
        return ListsReadItem(source=self.source, read_until=read_until, days_read=days)

    def closed(self, reason: str) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def deputy_rows(
    deputies: dict[str, Deputy], organes: dict[str, str]
) -> list[dict[str, str | None]]:
    """The ``deputies`` table rows of one AMO10 read: each deputy, then each body (``PO…`` uid,
    its label as ``name``), so that a 304 next time still names groups and commissions."""
    rows: list[dict[str, str | None]] = [
        {"uid": d.uid, "name": d.name, "circonscription": d.circonscription, "group_name": d.group}
        for d in deputies.values()
    ]
    rows += [
        {"uid": uid, "name": label, "circonscription": None, "group_name": None}
        for uid, label in organes.items()
        if uid.startswith(ORGANE_PREFIX)
    ]
    return rows


def _own_ts(item: LegisItem) -> str | None:
    """Without the dump's Last-Modified: the record's own latest date."""
    dates = [item.fields.get(k) for k in _DATE_FIELDS] + [item.published_raw]
    found = [t for t in (iso_utc(d) for d in dates if d) if t]
    return max(found) if found else None
