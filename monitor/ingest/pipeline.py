"""The Scrapy item pipeline: normalize → match → store (+ outbox) in batched transactions.

Why batches: a press site yields dozens of items, an Assemblée dump tens of thousands; one
``BEGIN IMMEDIATE`` per batch keeps ingest fast, and the item change, its version row, its
alert and the run counters always commit together, so a crash or a kill leaves the database
consistent: what was reported stored is stored, alerts included.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.alerts import policy as alert_policy
from monitor.config import Config, load_config
from monitor.ingest.dates import PARIS
from monitor.ingest.match import MATCHED_FIELDS, Matcher
from monitor.ingest.normalize import NormalizeError, article_record, question_record, record_row
from monitor.ingest.records import CONTENT_FIELDS, Record
from spiders import base as sb
from spiders.items import (
    ArticleItem,
    DeputiesItem,
    HintItem,
    QuestionItem,
    SeenItem,
    ValidatorItem,
)
from storage import deputies as store_deputies
from storage import items as store_items
from storage import outbox
from storage import runs as store_runs
from storage.db import StorageError, open_db, write_tx
from storage.validators import save_validators

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger("vigie.pipeline")

BATCH_ITEMS = 500
BATCH_SECONDS = 2.0


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StorePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        s = crawler.settings
        self.cfg: Config = load_config(s.get("VIGIE_CONFIG_PATH"))
        self.source: str = s.get("VIGIE_SOURCE")
        self.run_id: int | None = s.getint("VIGIE_RUN_ID") or None
        self.dry_run: bool = s.getbool("VIGIE_DRY_RUN")
        self.matcher = Matcher(self.cfg.watch.terms, self.cfg.watch.exclude)
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
        self.last_flush = time.monotonic()
        self.db: sqlite_utils.Database | None = None
        self.followed: set[str] = set()
        self.write_failed: str | None = None

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
        if (
            len(self.buffer) + len(self.seen) >= BATCH_ITEMS
            or time.monotonic() - self.last_flush > BATCH_SECONDS
        ):
            self.flush()
        return item

    def _record(self, item: ArticleItem | QuestionItem) -> Record | None:
        now = datetime.now(PARIS)
        try:
            if isinstance(item, QuestionItem):
                record = question_record(item, now, self.follow)
            else:
                record = article_record(item, now)
        except NormalizeError as exc:
            self.counts["items_skipped"] += 1
            self.crawler.stats.inc_value(sb.PARSE_ERRORS)
            logger.warning("%s: skipped item: %s", self.source, exc)
            return None
        result = self.matcher.match({f: getattr(record, f) for f in MATCHED_FIELDS})
        record.matched = int(result.matched)
        record.matched_terms = result.terms
        record.match_fields = result.fields
        record.snippet = result.snippet
        if record.kind == "question" and (record.matched or record.id in self.followed):
            record.followed = 1
        return record

    # -- writing ----------------------------------------------------------------------------
    def flush(self) -> None:
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
            self.buffer, self.seen, self.validators, self.hints = [], [], [], []
            return
        if self.db is None or self.write_failed:
            return
        now = utc_now()
        counts = dict(self.counts)
        try:
            with write_tx(self.db):
                for record in self.buffer:
                    self._store(record, now)
                if self.seen:
                    store_items.touch_items(self.db, self.seen, now)
                if self.hints:
                    store_items.add_hints(self.db, self.hints)
                if self.deputies is not None:
                    store_deputies.replace_deputies(self.db, self.source, self.deputies, now)
                save_validators(self.db, self.validators, now)
                if self.run_id:
                    store_runs.update_counters(self.db, self.run_id, self.counters())
        except (sqlite3.Error, StorageError) as exc:
            self.counts = counts  # the batch was rolled back: it was not stored, do not count it
            self._stop_on_write_error(exc)
        self.buffer, self.seen, self.validators, self.hints = [], [], [], []
        self.deputies = None

    def _stop_on_write_error(self, exc: BaseException) -> None:
        """The database refused a batch (disk full, I/O error): say so once and stop the crawl.

        Why: fetching more pages that cannot be stored only hides the cause; the batch rolled
        back whole, so what the run row counts is still exactly what is stored, and the run
        ends failed with this reason instead of a misleading "zero items"."""
        from scrapy.utils.defer import deferred_from_coro

        cause = _root_cause(exc)
        self.write_failed = f"database write failed: {cause}"
        logger.error(
            "%s: cannot write to the database %s: %s; stopping the crawl",
            self.source,
            self.cfg.db_path,
            cause,
        )
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=self.write_failed))

    def _record_write_failure(self) -> None:
        """Close the run row as failed with the storage reason (a one-row write that often still
        fits); otherwise the parent records the child's exit, or the next crawl the orphan."""
        if not self.run_id:
            return
        try:
            store_runs.finish_run(
                self._require_db(), self.run_id, "failed", self.write_failed, utc_now()
            )
        except (sqlite3.Error, StorageError) as exc:
            logger.error(
                "%s: could not record the failed run either: %s", self.source, _root_cause(exc)
            )

    def _store(self, record: Record, now: str) -> None:
        db = self._require_db()
        row = record_row(record)
        outcome, previous, changed = store_items.upsert_item(
            db,
            row,
            content_fields=CONTENT_FIELDS,
            now=now,
            run_id=self.run_id,
            classify=alert_policy.version_event,
        )
        self.counts[f"items_{outcome}"] += 1
        ev = alert_policy.item_event(outcome, row, previous, changed)
        if ev:
            outbox.enqueue(
                db,
                event=ev["event"],
                item_id=record.id,
                source=self.source,
                run_id=self.run_id,
                recipients=self.recipients,
                mode=self.cfg.alerts.mode,
                payload=ev["payload"],
                now=now,
            )

    def counters(self) -> dict[str, int]:
        st = self.crawler.stats
        return {
            **self.counts,
            "pages_fetched": st.get_value("downloader/response_count", 0),
            "not_modified": st.get_value(sb.NOT_MODIFIED, 0),
            "bytes_received": st.get_value("downloader/response_bytes", 0),
            "errors": st.get_value(sb.ERRORS, 0) + st.get_value(sb.PARSE_ERRORS, 0),
        }

    def close_spider(self) -> None:
        self.flush()
        if self.db is not None and self.write_failed:
            self._record_write_failure()
        if self.db is None or self.write_failed:
            return
        clean = self.crawler.stats.get_value(sb.ERRORS, 0) == 0
        with write_tx(self.db):
            if clean:
                save_validators(self.db, self.deferred_validators, utc_now())
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
        if isinstance(seen, sqlite3.Error) and "cannot rollback" not in str(seen):
            found = seen
        seen = seen.__cause__ or seen.__context__
    return str(found)
