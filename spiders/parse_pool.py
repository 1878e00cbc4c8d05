"""Article pages parsed in a worker process beside the crawl (issue 15, ``[crawl] parse_workers``).

Why: parsing an article page (lxml, JSON-LD and meta, trafilatura, dates, the article-or-listing
decision: ``spiders.parse.article.parse_article``) is most of the crawl child's CPU, and the
crawl child uses one core while the machine has two. With a worker process parsing, the crawl
process only runs Scrapy and the item pipeline, so the two halves overlap.

What stays in the crawl process: everything that holds state across pages. The spider passes the
site names learnt so far; when the worker is done, the spider cuts the names learnt meanwhile
and, if that changes the title, parses the page again itself (``SiteSpider._parse_fields``).

Safety rules, each tested (tests/spiders/test_parse_pool.py):

- a worker that dies, or gives no answer for ``timeout`` seconds, loses no page: the pages it
  held are parsed in the crawl process, one WARNING is logged, and the pool is not used again;
- workers are started with "spawn" (never a fork of a process running the reactor and its
  threads) and die with their parent (``PR_SET_PDEATHSIG``): a killed crawl leaves no orphan;
- a worker's log records go back with its answer and are logged by the crawl process;
- the pool starts only after ``after`` pages were parsed in-process: starting a worker costs
  about a second of CPU, more than a small crawl's whole parsing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from spiders.parse.article import ArticleFields, parse_article

logger = logging.getLogger("vigie.spider")

#: seconds without any answer from the workers while a page waits: a worker is taken as hung
#: (the first htmldate extensive search of a process loads dateparser's languages: 5–15 s)
TIMEOUT = 60.0
#: test-only hook, read by the worker: ``crash:MARKER`` makes it exit at once on a URL holding
#: MARKER, ``hang:MARKER`` makes it sleep (tests/spiders/test_parse_pool.py). Never set it.
TEST_HOOK = "VIGIE_TEST_PARSE_WORKER"
_PR_SET_PDEATHSIG = 1


class ParsePool:
    """Up to ``workers`` processes parsing article pages; ``parse`` returns None whenever the
    page must be parsed in-process instead (pool not started yet, or unusable)."""

    def __init__(
        self, workers: int, after: int, log_level: int, timeout: float = TIMEOUT, source: str = ""
    ) -> None:
        self.workers = workers
        self.after = after
        self.log_level = log_level
        self.timeout = timeout
        self.source = source
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None
        self.started = False  # a worker was started in this crawl
        self.failed = False  # the pool broke or hung: not used again in this crawl
        self.in_process = 0  # pages parsed in the crawl process while the pool was not used
        self.pooled = 0  # pages parsed by a worker
        self.pending = 0  # pages handed to a worker and not answered yet
        self.last_answer = time.monotonic()

    def usable(self) -> bool:
        """Whether the next page goes to a worker; counts the ones that do not."""
        if self.workers <= 0 or self.failed:
            return False
        if self.executor is None and self.in_process < self.after:
            self.in_process += 1
            return False
        return True

    async def parse(
        self, html: str, url: str, selectors: dict[str, str], site_names: Iterable[str]
    ) -> ArticleFields | None:
        """The page's fields parsed by a worker, or None: parse it in-process (the pool failed;
        logged once)."""
        if not self.usable():
            return None
        try:
            if self.executor is None:
                self.executor = self._start()
                self.started = True
                self.last_answer = time.monotonic()
            future = self.executor.submit(_parse_job, html, url, selectors, sorted(site_names))
        except (BrokenProcessPool, RuntimeError, OSError) as error:
            self._fail(f"{type(error).__name__}: {error}")
            return None
        if self.pending == 0:
            self.last_answer = time.monotonic()  # an idle pool has had nothing to answer
        self.pending += 1
        try:
            fields, records = await self._answer(asyncio.wrap_future(future))
        except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001 - any failure of a
            # worker, or its page cancelled when the pool was stopped: parse it in-process
            self._fail(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
            return None
        finally:
            self.pending -= 1
        self.last_answer = time.monotonic()
        self.pooled += 1
        for record in records:
            _relog(record)
        return fields

    async def _answer(self, waiting: asyncio.Future[Any]) -> Any:
        """The worker's answer; raises TimeoutError once no page was answered for ``timeout``
        seconds (a queue of pages waiting behind a busy worker is not a hang)."""
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(waiting), self.timeout)
            except TimeoutError as error:
                if time.monotonic() - self.last_answer >= self.timeout:
                    raise TimeoutError(
                        f"no answer from the parse worker in {self.timeout:g} s"
                    ) from error

    def _start(self) -> concurrent.futures.ProcessPoolExecutor:
        logger.debug(
            "%s: parsing article pages in %d worker process(es)", self.source, self.workers
        )
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(), self.log_level),
        )

    def _fail(self, why: str) -> None:
        """Stop using the pool; its pending pages fail at once and are parsed in-process."""
        if self.failed:
            return
        self.failed = True
        logger.warning(
            "%s: article parse worker failed (%s); pages are parsed in the crawl process from now on",
            self.source,
            why,
        )
        self._kill()

    def _kill(self) -> None:
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # Why kill: a hung worker never takes the shutdown sentinel. Killed, its pending pages
        # fail with BrokenProcessPool and the executor's own thread reaps the processes.
        for process in list(getattr(executor, "_processes", {}).values()):
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        executor.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """At the spider's close: stop the workers and wait for them (no zombie; their CPU is
        then counted in this process's children, as bench/crawl_overhead.py reads it)."""
        if self.executor is not None and self.pending:
            self._kill()
        elif self.executor is not None:
            executor, self.executor = self.executor, None
            executor.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def workers_cpu() -> float:
        """CPU seconds of this process's children waited for: in a crawl child, its parse
        workers once closed (multiprocessing's resource tracker, never waited for, is not)."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime


# -- in the worker ------------------------------------------------------------------------------
_records: list[dict[str, Any]] = []


class _Collect(logging.Handler):
    """Keeps the worker's log records, sent back with the page's answer."""

    def emit(self, record: logging.LogRecord) -> None:
        _records.append(
            {
                "name": record.name,
                "levelno": record.levelno,
                "levelname": record.levelname,
                "msg": self.format(record),
            }
        )


def _init_worker(parent: int, log_level: int) -> None:
    """Die with the crawl process (Linux), leave Ctrl-C to it, and collect log records."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl: nobody waits for us
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler = _Collect(level=log_level)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(level=log_level, handlers=[handler], force=True)


def _parse_job(
    html: str, url: str, selectors: dict[str, str], site_names: list[str]
) -> tuple[ArticleFields, list[dict[str, Any]]]:
    _test_hook(url)
    _records.clear()
    fields = parse_article(html, url, selectors=selectors, site_names=site_names)
    records = list(_records)
    _records.clear()
    return fields, records


def _test_hook(url: str) -> None:
    hook = os.environ.get(TEST_HOOK, "")
    action, _, marker = hook.partition(":")
    if not marker or marker not in url:
        return
    if action == "crash":
        os._exit(70)
    if action == "hang":
        time.sleep(3600)


def _relog(record: dict[str, Any]) -> None:
    target = logging.getLogger(record["name"])
    if target.isEnabledFor(record["levelno"]):
        target.handle(logging.makeLogRecord({**record, "args": None}))


__all__ = ["TEST_HOOK", "TIMEOUT", "ParsePool"]
