"""What every Vigie spider shares: one source, its host, conditional requests, error accounting.

Why here: the rules "stay on the source's host", "ask with ETag/Last-Modified", "log every
failure with its URL and count it" must hold for all spider families, so they live in one base
class. A spider receives its source settings as plain constructor arguments (passed by
``monitor/runs/child.py``); it never reads the config or the database.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefusedError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from spiders.items import ValidatorItem

logger = logging.getLogger("vigie.spider")

#: stats keys the pipeline turns into the run record
ERRORS = "vigie/errors"
NOT_MODIFIED = "vigie/not_modified"
PARSE_ERRORS = "vigie/parse_errors"
#: set by a spider when a part of the source that must be read could not be (an unreadable
#: archive): the run fails with this reason even if other parts gave items (a health error)
SOURCE_FAILURE = "vigie/source_failure"
ROBOTS_BLOCKED = "vigie/robots_blocked"
PROBE_MISSES = "vigie/probe_misses"
ERROR_REASON = "vigie/error/"
#: the first host-level cause of the run (DNS, connection refused, timeout, TLS), if any
UNREACHABLE = "vigie/unreachable"

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "xtor")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, default ports dropped:
    the same page reached two ways is one URL. The path is kept as is (``/x`` and ``/x/`` may
    be different resources; the page's ``<link rel=canonical>`` settles aliases)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in {("http", 80), ("https", 443)}
        else f"{host}:{port}"
    )
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith(_TRACKING))
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


class SourceSpider(scrapy.Spider):
    """Base of the spiders: one configured source, on one host."""

    name = "source"

    def __init__(
        self,
        source: str,
        url: str,
        validators: dict[str, tuple[str | None, str | None]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.base_url = url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = (parts.hostname or "").lower()
        self.port = parts.port
        self.allowed_domains = [self.host]
        self.validators = validators or {}
        self._unreachable_said: set[str] = set()

    # -- URLs -------------------------------------------------------------------------------
    def absolute(self, path_or_url: str, base: str | None = None) -> str:
        return urljoin((base or self.base_url) + ("" if base else "/"), path_or_url)

    def same_site(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() == self.host and parts.port == self.port

    # -- requests ---------------------------------------------------------------------------
    def request(
        self,
        url: str,
        callback: Any,
        *,
        probe: bool = False,
        conditional: bool = True,
        meta: dict[str, Any] | None = None,
        priority: int = 0,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request with our error handling; ``probe`` = a discovery guess whose 404 is normal."""
        headers: dict[str, str] = {}
        if conditional and url in self.validators:
            etag, last_modified = self.validators[url]
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        m = {"probe": probe, "handle_httpstatus_list": [304] + ([404, 410] if probe else [])}
        m.update(meta or {})
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers=headers,
            meta=m,
            priority=priority,
            **kwargs,
        )

    def unusable(self, response: Response) -> bool:
        """True for a 304 (counted) or a probe's 404 (normal): nothing to parse."""
        if response.status == 304:
            self.crawler.stats.inc_value(NOT_MODIFIED)
            logger.debug("%s: not modified %s", self.source, response.url)
            return True
        if response.status in (404, 410) and response.meta.get("probe"):
            self.crawler.stats.inc_value(PROBE_MISSES)
            logger.debug("%s: nothing at %s (%s)", self.source, response.url, response.status)
            return True
        return False

    def validator(self, response: Response, *, deferred: bool) -> ValidatorItem | None:
        etag = response.headers.get("ETag")
        lm = response.headers.get("Last-Modified")
        if not etag and not lm:
            return None
        return ValidatorItem(
            source=self.source,
            url=response.request.url if response.request else response.url,
            etag=etag.decode("latin-1") if etag else None,
            last_modified=lm.decode("latin-1") if lm else None,
            deferred=deferred,
        )

    # -- problems ---------------------------------------------------------------------------
    def page_problem(self, url: str, reason: str) -> None:
        """A malformed page or record: logged with its URL, counted, skipped."""
        self.crawler.stats.inc_value(PARSE_ERRORS)
        logger.warning("%s: skipped %s: %s", self.source, url, reason)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        probe = bool(request is not None and request.meta.get("probe"))
        if failure.check(HttpError):
            status = failure.value.response.status
            if probe and status in (401, 403, 404, 410):
                self.crawler.stats.inc_value(PROBE_MISSES)
                return
            reason = f"HTTP {status}"
        elif failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            self.crawler.stats.inc_value(ROBOTS_BLOCKED)
            logger.info("%s: robots.txt forbids %s", self.source, url)
            return
        elif failure.check(IgnoreRequest) and not _refusal(failure):
            self.crawler.stats.inc_value(ROBOTS_BLOCKED)
            logger.info("%s: not fetched %s: %s", self.source, url, failure.value)
            return
        else:
            reason = download_failure_reason(failure)
        if probe and reason.startswith("HTTP"):
            return
        self.fetch_failed(url, reason)

    def fetch_failed(self, url: str, reason: str) -> None:
        """Log a failed fetch with its URL; count it, and its reason so that a failed run can
        say *why* in one line (the most frequent reason).

        Why a host-level cause (DNS, refused, timeout, TLS) is logged once per crawl while the
        host has answered nothing: then every request fails for that one cause, and one line
        per URL buries it. The first is said, naming the host; the others are counted and
        logged at DEBUG. Once the host has answered, a failure is the page's and each is
        logged with its URL. The cause is also kept in the ``vigie/unreachable`` stat."""
        self.crawler.stats.inc_value(ERRORS)
        self.crawler.stats.inc_value(ERROR_REASON + reason.split(":")[0][:60])
        cause = unreachable_cause(reason)
        if cause is None or self.crawler.stats.get_value("downloader/response_count", 0):
            logger.error("%s: failed %s: %s", self.source, url, reason)
            return
        if self.crawler.stats.get_value(UNREACHABLE) is None:
            self.crawler.stats.set_value(UNREACHABLE, cause)
        if cause in self._unreachable_said:
            logger.debug("%s: failed %s: %s", self.source, url, reason)
            return
        self._unreachable_said.add(cause)
        host = urlsplit(url).netloc or self.host
        logger.error(
            "%s: cannot reach %s: %s (first failed URL: %s)", self.source, host, reason, url
        )


#: reasons (as ``download_failure_reason`` words them) that mean "the host could not be reached"
UNREACHABLE_REASONS = ("DNS lookup failed", "connection refused", "timeout", "TLS handshake failed")


def unreachable_cause(reason: str) -> str | None:
    """The host-level cause named by a failure reason, or None for a page-level failure."""
    return next((r for r in UNREACHABLE_REASONS if reason.startswith(r)), None)


class RedirectRefused(IgnoreRequest):
    """A redirect we do not follow (off the source's host, or back to a page of its own chain)."""


def _refusal(failure: Failure) -> bool:
    """IgnoreRequests that are the page's fault, not ours: logged and counted as errors.

    Why: Scrapy reports "max redirections reached" and "body over DOWNLOAD_MAXSIZE after
    decompression" as IgnoreRequest, which we otherwise treat as a deliberate skip."""
    text = str(failure.value)
    return (
        bool(failure.check(RedirectRefused))
        or "max redirections" in text
        or "DOWNLOAD_MAXSIZE" in text
    )


def download_failure_reason(failure: Failure) -> str:
    """A short reason a user understands for a failed download.

    Why: Scrapy 2.19 wraps Twisted's errors (timeout, refused, lost connection, data loss,
    cancelled over-size download) in its own exception types; the log line must say which."""
    text = str(failure.value)
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(ResponseDataLossError):
        return "incomplete answer: the connection closed before the announced Content-Length"
    if failure.check(DownloadCancelledError) and "max size" in text:
        size = re.search(r"receive (\d+) bytes .*max size \((\d+)\)", text)
        detail = f" ({size[1]} bytes announced, limit {size[2]})" if size else ""
        return f"refused: page larger than crawl.max_page_bytes{detail}"
    if failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in text:
        return "refused: compressed page inflates past crawl.max_page_bytes (compression bomb?)"
    if failure.check(IgnoreRequest) and "max redirections" in text:
        return "too many redirects (redirect loop?)"
    if failure.check(RedirectRefused):
        return text
    if failure.check(DownloadConnectionRefusedError, TxConnectionRefusedError):
        return "connection refused"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "DNS lookup failed"
    if "OpenSSL.SSL.Error" in text or "SSL routines" in text:
        # e.g. https:// on a plain-HTTP port, or no protocol/cipher in common
        why = re.findall(r"'([^']+)'\)\]", text)
        return "TLS handshake failed" + (f" ({why[-1]})" if why else "")
    if failure.check(DownloadFailedError, ResponseFailed):
        inner = [n for n in re.findall(r"twisted\.\w+(?:\.\w+)*\.(\w+)", text) if n != "Failure"]
        return "connection lost before a complete answer" + (
            f" ({', '.join(dict.fromkeys(inner))})" if inner else ""
        )
    return f"{failure.type.__name__}: {failure.value}"


class SameHostRedirectMiddleware:
    """Refuse redirects off the source's host (and port) and redirect loops, with a reason.

    Why: Scrapy drops both silently (its offsite filter ignores ports and acts at scheduling
    without calling the errback; a loop back to a page already seen is eaten by the duplicate
    filter), so a source whose pages moved elsewhere would look empty instead of failing with
    "redirected to <other host>". Runs before Scrapy's RedirectMiddleware (order 650 > 600).
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SameHostRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: scrapy.Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        if request.meta.get("dont_redirect") or response.status in request.meta.get(
            "handle_httpstatus_list", ()
        ):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        spider = self.crawler.spider
        if isinstance(spider, SourceSpider) and not spider.same_site(target):
            raise RedirectRefused(f"redirect off the source's host to {target} (not followed)")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonical_url(target) in {canonical_url(u) for u in chain}:
            raise RedirectRefused(f"redirect loop: {' -> '.join([*chain, target])} (not followed)")
        return response
