"""The Scrapy item pipeline: normalize → match → store (+ outbox) in batched transactions.

Why batches: a press site yields dozens of items, an Assemblée dump tens of thousands; one
``BEGIN IMMEDIATE`` per batch keeps ingest fast, and the item change, its version row, its
alert and the run counters always commit together, so a crash or a kill leaves the database
consistent: what was reported stored is stored, alerts included.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.alerts import policy as alert_policy
from monitor.config import Config, config_from_json, load_config
from monitor.ingest import legis
from monitor.ingest.citations import find_citations
from monitor.ingest.dates import PARIS
from monitor.ingest.match import MATCHED_FIELDS, Matcher
from monitor.ingest.normalize import (
    NormalizeError,
    article_record,
    is_followed,
    question_record,
    record_row,
)
from monitor.ingest.profiles import ProfileRouter
from monitor.ingest.records import CONTENT_FIELDS, Record
from monitor.ingest.text import fold
from spiders import base as sb
from spiders.items import (
    ArchivesReadItem,
    ArticleItem,
    DeputiesItem,
    HintItem,
    LegisItem,
    ListsReadItem,
    QuestionItem,
    SeenItem,
    ValidatorItem,
)
from storage import deputies as store_deputies
from storage import items as store_items
from storage import legis as store_legis
from storage import links as store_links
from storage import runs as store_runs
from storage.db import DatabaseError, StorageError, close_db, open_db, write_tx
from storage.state import mark_read, set_state
from storage.validators import save_validators

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger("vigie.pipeline")

BATCH_ITEMS = 2000
#: Scrapy stat counting items of a type the pipeline does not handle
UNKNOWN_ITEMS = "vigie/unknown_items"
#: item classes the pipeline handles (tests/test_sources.py checks every family against it)
HANDLED_ITEMS = (
    ValidatorItem,
    HintItem,
    SeenItem,
    ArticleItem,
    QuestionItem,
    LegisItem,
    ListsReadItem,
    DeputiesItem,
    ArchivesReadItem,
)
BATCH_SECONDS = 2.0
#: batches handed to the writer thread and not written yet, past which the crawl waits for the
#: oldest (memory stays bounded when the database is slower than the crawl)
MAX_PENDING_BATCHES = 2


@dataclass
class Batch:
    """What one transaction writes: taken from the pipeline at once, written later."""

    records: list[Record] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    validators: list[dict] = field(default_factory=list)
    hints: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    citations: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    deputies: list[dict] | None = None
    #: each record's {profile: terms}, taken from the matcher when the batch was formed (not
    #: when it is written: the crawl may match a later copy of the same item meanwhile)
    hits: list[dict[str, list[str]]] = field(default_factory=list)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StorePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        s = crawler.settings
        # the validated config, serialized by the crawl child (never re-read from disk);
        # VIGIE_CONFIG_PATH only for a pipeline driven by hand (bench/dump_ingest.py)
        raw = s.get("VIGIE_CONFIG")
        self.cfg: Config = config_from_json(raw) if raw else load_config(s.get("VIGIE_CONFIG_PATH"))
        self.source: str = s.get("VIGIE_SOURCE")
        self.run_id: int | None = s.getint("VIGIE_RUN_ID") or None
        self.dry_run: bool = s.getbool("VIGIE_DRY_RUN")
        self.matcher = Matcher(self.cfg.watch.terms, self.cfg.watch.exclude)
        self.profiles = ProfileRouter(self.cfg, self.source)  # per-profile match + alerts
        src = self.cfg.sources[self.source]
        self.follow = set(getattr(src, "follow", []) or [])
        self.recipients = alert_policy.recipients_for(
            self.cfg.alerts.email.recipients, src.recipients
        )
        self.buffer: list[Record] = []
        self.seen: list[str] = []
        self.validators: list[dict] = []
        self.hints: list[tuple[str, str, str]] = []
        self.seen_urls: set[str] = set()
        self.deferred_validators: list[dict] = []
        self.deputies: list[dict] | None = None  # a fresh AMO10 table, stored at the next flush
        self.counts = {
            k: 0
            for k in (
                "items_seen",
                "items_new",
                "items_changed",
                "items_unchanged",
                "items_skipped",
            )
        }
        # what the batches written so far stored (new / changed / unchanged), apart from
        # self.counts: a batch written by the writer thread never touches the counts the crawl
        # thread is updating, and a batch rolled back is simply not added
        self.stored = {"items_new": 0, "items_changed": 0, "items_unchanged": 0}
        self.last_flush = time.monotonic()
        self.db: sqlite_utils.Database | None = None
        self.background = bool(crawler.settings.getbool("VIGIE_BACKGROUND_WRITES", False))
        self._writer: ThreadPoolExecutor | None = None
        self._writes: deque[Future[None]] = deque()
        self._writer_db: sqlite_utils.Database | None = None
        self.followed: set[str] = set()
        self.write_failed: str | None = None
        # legislative watch: links (attached, cites) written with their batch, roots that
        # became followed this run (followed backwards at close), per-source progress markers
        self.links: list[tuple[str, str, str]] = []
        self.citations: list[tuple[str, str, str, str | None]] = []
        self.new_roots: set[str] = set()
        self.state: dict[str, str] = {}
        self.archives_read: list[str] = []
        self.legis_stored = False

    def _require_db(self) -> sqlite_utils.Database:
        """The open database; only the write paths call this, after open_spider (not in dry runs)."""
        if self.db is None:
            raise RuntimeError(
                f"{self.source}: pipeline database not open (dry run, or open_spider not called)"
            )
        return self.db

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if not self.dry_run:
            self.db = db = open_db(self.cfg.db_path)
            self.followed = store_items.followed_ids(db, self.source)
            self.followed |= store_legis.followed_roots(db)

    # -- items ------------------------------------------------------------------------------
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ValidatorItem):
            row = {
                "url": item.url,
                "source": item.source,
                "etag": item.etag,
                "last_modified": item.last_modified,
            }
            (self.deferred_validators if item.deferred else self.validators).append(row)
        elif isinstance(item, HintItem):
            self.hints.append((item.url, item.via, item.hint))
        elif isinstance(item, DeputiesItem):
            self.deputies = item.deputies
        elif isinstance(item, SeenItem):
            self.counts["items_seen"] += 1
            self.counts["items_unchanged"] += 1
            self.seen.append(item.url)
            self.seen_urls.add(item.url)
        elif isinstance(item, ArchivesReadItem):
            self.archives_read.extend(item.names)
        elif isinstance(item, ListsReadItem):
            if item.read_until:
                self.state["lists_read_until"] = item.read_until
        elif isinstance(item, LegisItem):
            self.counts["items_seen"] += 1
            record = self._legis_record(item)
            if record is not None and not self._unwanted_jo_text(record):
                self.legis_stored = True
                self.buffer.append(record)
                self.links.extend(legis.links_of(item))
        elif isinstance(item, ArticleItem | QuestionItem):
            if isinstance(item, ArticleItem) and item.url in self.seen_urls:
                # reported unchanged first, then fetched after all: count it once
                self.seen_urls.discard(item.url)
                self.counts["items_unchanged"] -= 1
            else:
                self.counts["items_seen"] += 1
            record = self._record(item)
            if record is not None:
                self.buffer.append(record)
                v = getattr(item, "validator", None)
                if v is not None:  # saved in the same transaction as the record
                    self.validators.append(
                        {
                            "url": v.url,
                            "source": v.source,
                            "etag": v.etag,
                            "last_modified": v.last_modified,
                        }
                    )
        else:
            # a spider yielding a kind this pipeline does not know is a wiring bug (a family
            # half-registered): say it and count it, never drop it silently
            self.crawler.stats.inc_value(UNKNOWN_ITEMS)
            self.crawler.stats.inc_value(sb.PARSE_ERRORS)
            self.counts["items_skipped"] += 1
            logger.error(
                "%s: unknown item type %s dropped (not handled by the pipeline)",
                self.source,
                type(item).__name__,
            )
        if (
            len(self.buffer) + len(self.seen) >= BATCH_ITEMS
            or time.monotonic() - self.last_flush > BATCH_SECONDS
        ):
            self._flush_soon()
        return item

    def _record(self, item: ArticleItem | QuestionItem) -> Record | None:
        now = datetime.now(PARIS)
        try:
            if isinstance(item, QuestionItem):
                record = question_record(item, now, self.follow)
            else:
                record = article_record(item, now)
        except NormalizeError as exc:
            self._skipped(exc)
            return None
        self._match(record)
        record.followed = int(
            is_followed(
                record.kind,
                matched=bool(record.matched),
                listed=bool(record.followed),
                already=record.id in self.followed,
            )
        )
        self._cite(record)
        return record

    def _skipped(self, exc: NormalizeError) -> None:
        """An item that cannot become a record: logged with its URL or uid, counted, skipped."""
        self.counts["items_skipped"] += 1
        self.crawler.stats.inc_value(sb.PARSE_ERRORS)
        logger.warning("%s: skipped item: %s", self.source, exc)

    def _match(self, record: Record) -> None:
        result = self.profiles.match(
            record.id, record.kind, {f: getattr(record, f) for f in MATCHED_FIELDS}
        )
        record.matched = int(result.matched)
        record.matched_terms = result.terms
        record.match_fields = result.fields
        record.snippet = result.snippet

    def _legis_record(self, item: LegisItem) -> Record | None:
        """Normalize, match, decide "followed" (and what it makes followed), find citations."""
        try:
            record = legis.legis_record(item, datetime.now(PARIS))
        except NormalizeError as exc:
            self._skipped(exc)
            return None
        self._match(record)
        record.followed = int(
            is_followed(
                record.kind,
                matched=bool(record.matched),
                listed=item.uid in self.follow,
                already=item.uid in self.followed,
                attached=any(p in self.follow or p in self.followed for p in item.parents),
            )
        )
        for root in legis.roots_to_follow(item, record):
            if root not in self.followed:
                self.followed.add(root)
                self.new_roots.add(root)
        self._cite(record)
        return record

    def _unwanted_jo_text(self, record: Record) -> bool:
        """A Journal officiel text is kept when it matches or is followed, or when the archive
        already holds it (a correction of a text that matched): the JO publishes thousands of
        texts a week, and the watch is for the ones about the topic."""
        if record.kind != "jo_text" or record.matched or record.followed:
            return False
        if self.db is not None and store_items.get_item(self.db, record.id) is not None:
            return False
        self.counts["items_skipped"] += 1
        return True

    def _cite(self, record: Record) -> None:
        """Citations in the record's text, resolved to item ids when the batch is written."""
        # an amendment's title is its own number ("Amendement n° 12 (Art. 1er)"), never a citation
        title = None if record.kind == "amendment" else record.title
        parts = [t for t in (title, record.body, record.answer_text) if t]
        # the matcher folded these same fields (fold keeps the last few): folded once, not twice
        folded = "\n".join(fold(t) for t in parts)
        for c in find_citations("\n".join(parts), spans=False, folded=folded):
            if c.kind == "amendment" and not c.text_number:
                continue  # "amendement n° 12" alone names no text: ambiguous across texts
            self.citations.append((record.id, c.kind, c.number, c.text_number))

    # -- writing ----------------------------------------------------------------------------
    def flush(self) -> None:
        """Write what is buffered now, in this thread, after the batches handed to the writer
        thread (callers that read the database next rely on it: close_spider, tests)."""
        self._wait_writes()
        self.last_flush = time.monotonic()
        if self.dry_run:
            for r in self.buffer:
                self.counts["items_new"] += 1
                out = {
                    k: v
                    for k, v in asdict(r).items()
                    if k not in ("body", "answer_text") and v not in (None, [], {}, 0)
                }
                print(json.dumps(out, ensure_ascii=False), file=sys.stdout, flush=True)
            self._take_batch()
            return
        if self.db is None or self.write_failed:
            self._take_batch()
            return
        self._write(self.db, self._take_batch())

    def _flush_soon(self) -> None:
        """The periodic write of a crawl: the batch goes to the writer thread and the crawl
        goes on (``VIGIE_BACKGROUND_WRITES``, set by the crawl child).

        Why a thread: a batch's transaction (the rows, their indexes and full-text entries, the
        alerts) held the event loop 50-90 ms every two seconds of a crawl, during which no
        response was read and no request sent; SQLite releases the GIL while it works, so in a
        thread most of that time overlaps the crawl (bench/crawl_overhead.py, issue 15). One
        thread, one connection of its own, batches written in order: the same transactions as
        before, so a kill still leaves the database consistent (a batch not yet written was
        never reported stored)."""
        if not self.background or self.dry_run or self.db is None:
            self.flush()
            return
        self.last_flush = time.monotonic()
        if self.write_failed:
            self._take_batch()
            return
        while len(self._writes) >= MAX_PENDING_BATCHES:
            self._writes.popleft().result()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-writer")
        self._writes.append(self._writer.submit(self._write_in_thread, self._take_batch()))

    def _write_in_thread(self, batch: Batch) -> None:
        if self.write_failed:
            return
        if self._writer_db is None:
            try:
                self._writer_db = open_db(self.cfg.db_path)
            except (DatabaseError, StorageError) as exc:
                self._write_failed_in_thread(exc)
                return
        self._write(self._writer_db, batch, in_thread=True)

    def _wait_writes(self) -> None:
        """Wait until every batch handed to the writer thread is written (or failed)."""
        while self._writes:
            self._writes.popleft().result()

    def _stop_writer(self) -> None:
        """Wait for the writer thread's batches, close its connection (in that thread: an
        SQLite connection is used by the thread that opened it) and end the thread."""
        self._wait_writes()
        if self._writer is not None:
            self._writer.submit(self._close_writer_db).result()
            self._writer.shutdown(wait=True)
            self._writer = None

    def _close_writer_db(self) -> None:
        if self._writer_db is not None:
            close_db(self._writer_db)
            self._writer_db = None

    def _take_batch(self) -> Batch:
        """The buffered items as one batch; the buffers start empty again."""
        batch = Batch(
            self.buffer,
            self.seen,
            self.validators,
            self.hints,
            self.links,
            self.citations,
            self.deputies,
            [self.profiles.take_hits(r.id) for r in self.buffer],
        )
        self.buffer, self.seen, self.validators, self.hints = [], [], [], []
        self.links, self.citations = [], []
        self.deputies = None  # stored once: not rewritten with every later batch
        return batch

    def _write(self, db: sqlite_utils.Database, batch: Batch, in_thread: bool = False) -> bool:
        """One batch in one transaction; whether it was written."""
        now = utc_now()
        outcomes = dict.fromkeys(self.stored, 0)
        try:
            with write_tx(db):
                # the stored rows of the whole batch in one read, not one SELECT per record
                held = store_items.held_items(db, [r.id for r in batch.records])
                pending: dict[str, dict[str, Any]] = {}  # new rows, inserted together
                stored = [
                    self._store(db, record, now, held, pending, outcomes)
                    for record in batch.records
                ]
                store_items.write_new(db, pending)
                for (row, previous, event), hits in zip(stored, batch.hits, strict=True):
                    # one alert per profile concerned (monitor/ingest/profiles.py), in this
                    # transaction, once the batch's rows are written
                    self.profiles.enqueue(
                        db, row, previous, event, run_id=self.run_id, now=now, hits=hits
                    )
                if batch.seen:
                    store_items.touch_items(db, batch.seen, now)
                if batch.hints:
                    store_items.add_hints(db, batch.hints)
                store_links.add_links(db, [*batch.links, *self._resolved(db, batch.citations)])
                if batch.deputies is not None:
                    store_deputies.replace_deputies(db, self.source, batch.deputies, now)
                save_validators(db, batch.validators, now)
                if self.run_id:
                    store_runs.update_counters(db, self.run_id, self.counters(outcomes))
        except (DatabaseError, StorageError) as exc:
            # the batch was rolled back: it was not stored, its outcomes are not counted
            if in_thread:
                self._write_failed_in_thread(exc)
            else:
                self._stop_on_write_error(exc)
            return False
        for key, n in outcomes.items():
            self.stored[key] += n
        return True

    def _write_failed_in_thread(self, exc: BaseException) -> None:
        """A batch refused in the writer thread: no later batch is written, and the crawl is
        stopped from the event loop's thread (Scrapy's engine is not thread-safe). A
        pipeline driven by hand, without a running reactor, only logs it: its caller sees
        ``write_failed`` and close_spider fails the run."""
        self.write_failed = f"database write failed: {_root_cause(exc)}"
        reactor = sys.modules.get("twisted.internet.reactor")
        if reactor is not None and getattr(reactor, "running", False):
            reactor.callFromThread(self._stop_on_write_error, exc)
        else:
            self._log_write_error(exc)

    def _resolved(
        self, db: sqlite_utils.Database, citations: list[tuple[str, str, str, str | None]]
    ) -> list[tuple]:
        """(from, to, "cites") rows; a target not stored yet is kept as ``ref:kind:number``
        and pointed at its item when that arrives (``storage.legis.resolve_pending``)."""
        rows = []
        for from_id, kind, number, text_number in citations:
            target = store_legis.resolve_citation(db, kind, number, text_number)
            ref = ":".join(["ref", kind, number, *([text_number] if text_number else [])])
            rows.append((from_id, target or ref, "cites"))
        return rows

    def _stop_on_write_error(self, exc: BaseException) -> None:
        """The database refused a batch (disk full, I/O error): say so once and stop the crawl.

        Why: fetching more pages that cannot be stored only hides the cause; the batch rolled
        back whole, so what the run row counts is still exactly what is stored, and the run
        ends failed with this reason instead of a misleading "zero items"."""
        from scrapy.utils.defer import deferred_from_coro

        self._log_write_error(exc)
        stopping = deferred_from_coro(
            self.crawler.engine.close_spider_async(reason=self.write_failed)
        )
        # reported from the writer thread, the failure may reach the loop once the spider is
        # already closing: then there is nothing left to stop (the error is logged above)
        stopping.addErrback(lambda failure: logger.debug("crawl already stopping: %s", failure))

    def _log_write_error(self, exc: BaseException) -> None:
        cause = _root_cause(exc)
        self.write_failed = f"database write failed: {cause}"
        logger.error(
            "%s: cannot write to the database %s: %s; stopping the crawl",
            self.source,
            self.cfg.db_path,
            cause,
        )

    def _record_write_failure(self) -> None:
        """Close the run row as failed with the storage reason (a one-row write that often still
        fits); otherwise the parent records the child's exit, or the next crawl the orphan."""
        if not self.run_id:
            return
        try:
            store_runs.finish_run(
                self._require_db(), self.run_id, "failed", self.write_failed, utc_now()
            )
        except (DatabaseError, StorageError) as exc:
            logger.error(
                "%s: could not record the failed run either: %s", self.source, _root_cause(exc)
            )

    def _store(
        self,
        db: sqlite_utils.Database,
        record: Record,
        now: str,
        held: dict[str, dict[str, Any] | None],
        pending: dict[str, dict[str, Any]],
        outcomes: dict[str, int],
    ) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
        """Upsert the record's row; returns (row, previous row, alert event) for the outbox
        and counts its outcome in ``outcomes`` (added to the stored counts once committed)."""
        row = record_row(record)
        outcome, previous, changed = store_items.upsert_item(
            db,
            row,
            content_fields=CONTENT_FIELDS,
            now=now,
            run_id=self.run_id,
            classify=alert_policy.version_event,
            held=held,
            pending=pending,
        )
        outcomes[f"items_{outcome}"] += 1
        return row, previous, alert_policy.item_event(outcome, row, previous, changed)

    def counters(self, writing: dict[str, int] | None = None) -> dict[str, int]:
        """The run row's counters: the crawl's counts, plus what the batches stored (and the
        batch being written, ``writing``, counted in its own transaction)."""
        counts = dict(self.counts)
        for key, n in self.stored.items():
            counts[key] += n + (writing or {}).get(key, 0)
        st = self.crawler.stats
        return {
            **counts,
            "pages_fetched": st.get_value("downloader/response_count", 0),
            "not_modified": st.get_value(sb.NOT_MODIFIED, 0),
            # spiders.site.NOT_ARTICLE: pages judged listings or other non-articles (issue 13)
            "pages_not_article": st.get_value("vigie/pages_not_article", 0),
            "bytes_received": st.get_value("downloader/response_bytes", 0),
            "errors": st.get_value(sb.ERRORS, 0) + st.get_value(sb.PARSE_ERRORS, 0),
        }

    def close_spider(self) -> None:
        self.flush()
        self._stop_writer()
        if self.db is not None and self.write_failed:
            self._record_write_failure()
        if self.db is None or self.write_failed:
            return
        clean = self.crawler.stats.get_value(sb.ERRORS, 0) == 0
        with write_tx(self.db):
            if clean:
                save_validators(self.db, self.deferred_validators, utc_now())
            for key, value in self.state.items():
                set_state(self.db, self.source, key, value, utc_now())
            mark_read(self.db, self.source, self.archives_read, utc_now())
            if self.new_roots:  # what was stored before its text started to be followed
                store_links.follow_attached(self.db, sorted(self.new_roots))
            if self.legis_stored:  # a target of pending citations may have arrived
                store_legis.resolve_pending(self.db)
            if self.run_id:
                store_runs.update_counters(self.db, self.run_id, self.counters())
        if not clean and self.deferred_validators:
            logger.info(
                "%s: fetch errors this run: listings and feeds will be fetched in full next time",
                self.source,
            )


def _root_cause(exc: BaseException) -> str:
    """The first database error in the chain ("disk I/O error", "database or disk is full"),
    not the follow-up "cannot rollback" raised while cleaning up after it."""
    seen: BaseException | None = exc
    found = exc
    while seen is not None:
        if isinstance(seen, DatabaseError) and "cannot rollback" not in str(seen):
            found = seen
        seen = seen.__cause__ or seen.__context__
    return str(found)
