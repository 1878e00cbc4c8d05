"""Retries with exponential backoff and ``Retry-After``.

Why not the stock RetryMiddleware alone: it re-queues at once, which hammers a site that is
already failing and ignores a 429's ``Retry-After``. This subclass waits (without blocking the
reactor) before handing the retry back.
"""

from __future__ import annotations

import asyncio
import random
from email.utils import parsedate_to_datetime
from time import time

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

MAX_WAIT = 60.0


def retry_after_seconds(value: bytes | None) -> float | None:
    """``Retry-After`` is either seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time())
    except (TypeError, ValueError):
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry 5xx/429/timeouts after ``base * 2**n`` seconds (jittered), or ``Retry-After``."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("VIGIE_RETRY_BACKOFF_BASE", 1.0)
        self.max_wait = settings.getfloat("VIGIE_RETRY_MAX_WAIT", MAX_WAIT)

    def _delay(self, request: Request, hinted: float | None) -> float:
        if hinted is not None:
            return min(hinted, self.max_wait)
        n = request.meta.get("retry_times", 0)
        return min(self.base * (2**n) * (0.5 + random.random() / 2), self.max_wait)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(
            self._delay(request, retry_after_seconds(response.headers.get("Retry-After")))
        )
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | None:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._delay(request, None))
        return retry
