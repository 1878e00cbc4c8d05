"""Article pages parsed in a worker process beside the crawl (issue 15, ``[crawl] parse_workers``).

Why: parsing an article page (lxml, JSON-LD and meta, trafilatura, dates, the article-or-listing
decision: ``spiders.parse.article.parse_article``) is the largest share of the crawl child's
CPU, and the crawl child uses one core while the machine has two. With a worker process parsing,
the crawl process only runs Scrapy and the item pipeline, so the two halves overlap.

What stays in the crawl process: everything that holds state across pages. The spider passes the
site names learnt so far; when the worker is done, the spider cuts the names learnt meanwhile
and, if that changes the title, parses the page again itself (``SiteSpider._parse_fields``).

Why not ``concurrent.futures.ProcessPoolExecutor``: measured on the 2,000-page bench site, its
two helper threads in the crawl process (queue feeder, manager) fight the reactor's thread for
the GIL at every page (4.7 s of the main thread blocked in ``write`` under cProfile), which ate
what the worker saved. Here the crawl process talks to each worker over two pipes read and
written by the asyncio event loop Scrapy already runs: no thread, one non-blocking write per
page and one read per answer (multiprocessing's own framing, so the worker uses plain
``Connection.recv_bytes``/``send_bytes``).

Safety rules, each tested (tests/spiders/test_parse_pool.py):

- a worker that dies, or gives no answer for ``timeout`` seconds while pages wait, loses no
  page: the pages it held are parsed in the crawl process, one WARNING is logged, and the pool
  is not used again in this crawl;
- workers are started with "spawn" (never a fork of a process running the reactor and its
  threads) and die with their parent (``PR_SET_PDEATHSIG``): a killed crawl leaves no orphan;
  at the spider's close they are stopped and waited for (no zombie);
- a worker's log records go back with its answer and are logged by the crawl process;
- the pool starts only once the crawl has asked for more than ``after`` article pages
  (``asked``), and then at once, while they download: starting a worker costs 0.3 s of CPU,
  more than a small crawl's whole parsing.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import struct
import sys
import time
import types
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from spiders.parse.article import ArticleFields, parse_article

logger = logging.getLogger("vigie.spider")

#: seconds without any answer from a worker while pages wait for it: the worker is taken as hung
#: (the first htmldate extensive search of a process loads dateparser's languages: 5–15 s)
TIMEOUT = 60.0
#: test-only hook, read by the worker: ``crash:MARKER`` makes it exit at once on a URL holding
#: MARKER, ``hang:MARKER`` makes it sleep (tests/spiders/test_parse_pool.py). Never set it.
TEST_HOOK = "VIGIE_TEST_PARSE_WORKER"
_PR_SET_PDEATHSIG = 1
_HEADER = struct.Struct("!i")  # multiprocessing.connection's frame header (messages < 2 GiB)


class WorkerFailed(Exception):
    """A worker died, hung, or could not parse a page; its pages go back to the crawl process."""


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
        self.live: list[_Worker] = []
        self.started = False  # workers were started in this crawl
        self.failed = False  # a worker broke or hung: the pool is not used again
        self.in_process = 0  # pages parsed in the crawl process before the pool started
        self.asked_for = 0  # article pages the crawl has requested
        self.pooled = 0  # pages parsed by a worker
        self._watchdog: asyncio.TimerHandle | None = None

    def usable(self) -> bool:
        """Whether the next page goes to a worker; counts the ones that do not."""
        if self.workers <= 0 or self.failed:
            return False
        if not self.started and self.in_process < self.after:
            self.in_process += 1
            return False
        return True

    def asked(self) -> None:
        """One more article page requested. Past ``after`` of them the workers are started at
        once, so that they boot while the pages download.

        Why not at the first page waiting for them: a worker needs 0.3 s to start (Python,
        lxml, trafilatura); started when the ``after``-th page was parsed, every page meanwhile
        waited for it (a hundred on the 2,000-page bench) and the crawl process had parsed the
        first ``after`` ones itself. A crawl asking for ``after`` pages or fewer still starts
        none: they are parsed in the crawl process (``usable``)."""
        self.asked_for += 1
        if self.started or self.failed or self.workers <= 0 or self.asked_for <= self.after:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop: started by the first page, as before
            return
        try:
            self._start(loop)
        except OSError as error:
            self._fail(str(error) or type(error).__name__)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self.live if w.process.pid]

    async def parse(
        self, html: str, url: str, selectors: dict[str, str], site_names: Iterable[str]
    ) -> ArticleFields | None:
        """The page's fields parsed by a worker, or None: parse it in-process (the pool is
        not started yet, or failed: logged once)."""
        if not self.usable():
            return None
        loop = asyncio.get_running_loop()
        try:
            if not self.started:
                self._start(loop)
            worker = min(self.live, key=lambda w: len(w.waiting))
            payload = pickle.dumps(
                (html, url, selectors, sorted(site_names)), pickle.HIGHEST_PROTOCOL
            )
            answer = await worker.submit(payload)
            fields, records = pickle.loads(answer)
        except (WorkerFailed, OSError, ValueError, pickle.PickleError, EOFError) as error:
            self._fail(str(error) or type(error).__name__)
            return None
        self.pooled += 1
        for record in records:
            _relog(record)
        return fields

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.started = True
        logger.debug(
            "%s: parsing article pages in %d worker process(es)", self.source, self.workers
        )
        context = multiprocessing.get_context("spawn")
        with _main_not_imported():
            self.live = [_Worker(context, loop, self.log_level) for _ in range(self.workers)]
        self._watchdog = loop.call_later(self.timeout / 4, self._watch, loop)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """A worker with pages waiting and no answer for ``timeout`` seconds is hung: kill it
        (its pages fail over to the crawl process)."""
        for worker in list(self.live):
            if worker.waiting and time.monotonic() - worker.last_answer >= self.timeout:
                worker.stop(f"no answer from the parse worker in {self.timeout:g} s", kill=True)
        if self.live and not self.failed:
            self._watchdog = loop.call_later(self.timeout / 4, self._watch, loop)

    def _fail(self, why: str) -> None:
        """Stop using the pool; the pages its workers still hold fail at once and are parsed
        in-process."""
        if self.failed:
            return
        self.failed = True
        logger.warning(
            "%s: article parse worker failed (%s); pages are parsed in the crawl process from now on",
            self.source,
            why,
        )
        self._stop_all(kill=True)

    def _stop_all(self, kill: bool) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        workers, self.live = self.live, []
        for worker in workers:
            worker.stop("the parse pool was stopped", kill=kill)

    def close(self) -> None:
        """At the spider's close: stop the workers and wait for them (no zombie; their CPU is
        then counted in this process's children, as bench/crawl_overhead.py reads it)."""
        self._stop_all(kill=False)

    @staticmethod
    def workers_cpu() -> float:
        """CPU seconds of this process's children waited for: in a crawl child, its parse
        workers once closed (multiprocessing's resource tracker, never waited for, is not)."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def _main_not_imported() -> Iterator[None]:
    """Workers started meanwhile do not import the crawl process's ``__main__``.

    Why: "spawn" makes a worker import its parent's main module first (to find functions
    defined there). The crawl child's is ``monitor.runs.child``, and with it Scrapy, the
    config and the storage layers: 0.2 s of the worker's CPU, and as long before it parses
    its first page, for code it never runs (its target is this module's ``_worker_main``).
    A stand-in ``__main__`` without ``__spec__`` or ``__file__`` makes multiprocessing skip
    that step (``multiprocessing.spawn.get_preparation_data``)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class _Worker:
    """One worker process and its two pipes, served by the event loop (no thread)."""

    def __init__(self, context: Any, loop: asyncio.AbstractEventLoop, log_level: int) -> None:
        self.loop = loop
        requests_in, requests_out = context.Pipe(duplex=False)
        answers_in, answers_out = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker_main,
            args=(requests_in, answers_out, os.getpid(), log_level),
            name="vigie-parse-worker",
            daemon=True,  # multiprocessing ends it at exit if close() was never reached
        )
        self.process.start()
        requests_in.close()
        answers_out.close()
        self.requests, self.answers = requests_out, answers_in
        os.set_blocking(self.requests.fileno(), False)
        os.set_blocking(self.answers.fileno(), False)
        self.unsent = bytearray()
        self.received = bytearray()
        self.waiting: deque[asyncio.Future[bytes]] = deque()
        self.last_answer = time.monotonic()
        self.stopped = False
        loop.add_reader(self.answers.fileno(), self._readable)

    def submit(self, payload: bytes) -> asyncio.Future[bytes]:
        if self.stopped:
            raise WorkerFailed("the parse worker is stopped")
        frame = _HEADER.pack(len(payload)) + payload
        if not self.unsent:
            try:
                sent = os.write(self.requests.fileno(), frame)
            except BlockingIOError:
                sent = 0
            except OSError as error:  # the worker is gone (EPIPE)
                self.stop(f"the parse worker is gone ({error})", kill=True)
                raise WorkerFailed(f"the parse worker is gone ({error})") from error
            frame = frame[sent:]
        if frame:
            if not self.unsent:
                self.loop.add_writer(self.requests.fileno(), self._writable)
            self.unsent += frame
        future: asyncio.Future[bytes] = self.loop.create_future()
        if not self.waiting:
            self.last_answer = time.monotonic()  # an idle worker had nothing to answer
        self.waiting.append(future)
        return future

    def _writable(self) -> None:
        try:
            sent = os.write(self.requests.fileno(), self.unsent)
        except BlockingIOError:
            return
        except OSError as error:
            self.stop(f"the parse worker is gone ({error})", kill=True)
            return
        del self.unsent[:sent]
        if not self.unsent:
            self.loop.remove_writer(self.requests.fileno())

    def _readable(self) -> None:
        try:
            data = os.read(self.answers.fileno(), 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.process.join(1)
            self.stop(f"the parse worker exited (exit code {self.process.exitcode})", kill=True)
            return
        self.received += data
        while len(self.received) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.received)
            if size < 0:
                self.stop("unreadable answer from the parse worker", kill=True)
                return
            if len(self.received) < _HEADER.size + size:
                break
            message = bytes(self.received[_HEADER.size : _HEADER.size + size])
            del self.received[: _HEADER.size + size]
            self.last_answer = time.monotonic()
            future = self.waiting.popleft()
            if not future.done():
                if message.startswith(b"ERR"):
                    future.set_exception(WorkerFailed(message[3:].decode("utf-8", "replace")))
                else:
                    future.set_result(message)

    def stop(self, why: str, kill: bool) -> None:
        """Close the pipes (a worker reading its requests then exits), wait for the process
        (killed if ``kill`` or if it does not exit), fail the pages still waiting."""
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(ValueError, OSError):
            self.loop.remove_reader(self.answers.fileno())
        if self.unsent:
            with contextlib.suppress(ValueError, OSError):
                self.loop.remove_writer(self.requests.fileno())
        if kill:
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()
        self.requests.close()
        self.process.join(5)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.answers.close()
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(WorkerFailed(why))


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


def _worker_main(requests: Any, answers: Any, parent: int, log_level: int) -> None:
    """Parse pages until the crawl process closes the requests pipe."""
    _init_worker(parent, log_level)
    while True:
        try:
            payload = requests.recv_bytes()
        except (EOFError, OSError):
            # the crawl process closed the pipe: every answer is sent, nothing else to keep;
            # skip the interpreter's teardown (0.1-0.3 s the crawl process waits for at close)
            os._exit(0)
        html, url, selectors, site_names = pickle.loads(payload)
        try:
            answer = pickle.dumps(
                _parse_job(html, url, selectors, site_names), pickle.HIGHEST_PROTOCOL
            )
        except Exception as error:  # noqa: BLE001 - said to the crawl process, which parses it
            answer = b"ERR" + f"{type(error).__name__}: {error}".encode()
        answers.send_bytes(answer)


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


__all__ = ["TEST_HOOK", "TIMEOUT", "ParsePool", "WorkerFailed"]
