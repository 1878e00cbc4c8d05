"""robots.txt: asked once per crawl, its failure said once, without a traceback.

Why a subclass of Scrapy's ``RobotsTxtMiddleware`` (it replaces it in ``spiders/settings.py``):
- Scrapy's middleware fetches ``/robots.txt`` for itself, and the site spider asks for it again
  to read its ``Sitemap:`` lines (``spiders/site.py``): two requests per crawl for one file
  (issue 15). Here the spider's own request is answered with the middleware's response, so the
  site sees one request whatever the order in which the two arrive.
- When robots.txt cannot be downloaded (no network, site down), Scrapy logs the failure at
  ERROR with a full traceback, once per host and again for every waiting request (about 100
  lines each, ~480 lines for one unreachable source). The failure is not ours to report: every
  page then fails for the same cause and the spider logs it once (``SourceSpider.fetch_failed``).
  Here it is a DEBUG line; as in Scrapy, a robots.txt that cannot be read allows everything.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger("vigie.robots")

#: meta key of the middleware's own robots.txt request
OWN_REQUEST = "vigie_robots_own"


def is_robots_url(request: Request) -> bool:
    url = urlparse_cached(request)
    return url.path == "/robots.txt" and not url.query


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Obey robots.txt with one request per host, and hand that answer to the spider too."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._answers: dict[str, Response | Exception] = {}

    async def process_request(self, request: Request) -> Response | None:  # type: ignore[override]
        if request.meta.get(OWN_REQUEST):
            return None
        if is_robots_url(request):
            # the spider's own robots.txt request: answered from the middleware's fetch
            await self.robot_parser(request)
            return self._answer(request)
        await super().process_request(request)
        return None

    def _answer(self, request: Request) -> Response:
        answer = self._answers.get(urlparse_cached(request).netloc)
        if answer is None:  # robot_parser always records one; kept for the type checker
            raise IgnoreRequest("robots.txt not fetched")
        # The answer is final (the middleware's fetch was already retried): retrying this
        # request would only wait, with backoff, for the same answer.
        request.meta["dont_retry"] = True
        if isinstance(answer, Exception):
            raise answer
        return answer.replace(request=request, flags=[*answer.flags, "robots-shared"])

    async def robot_parser(self, request: Request) -> Any:
        """Scrapy's ``robot_parser`` with the answer kept and the failure logged at DEBUG."""
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True, OWN_REQUEST: True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)
                self._answers[netloc] = response
                await self._parse_robots(response, netloc, request)
            except Exception as exc:
                self._answers[netloc] = exc
                logger.debug("robots.txt of %s not read (%s): every page allowed", netloc, exc)
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser
