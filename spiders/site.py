"""The generic press/CMS spider (``spider = "site"``): FNCS, AVECsanté and any press site.

Why several discovery paths at once: no page of the real FNCS or AVECsanté sites is available
and their CMS is unverified, so the spider uses everything the site offers — feeds (configured,
autodiscovered, usual paths), the WordPress REST API, sitemaps (configured, usual paths,
robots.txt ``Sitemap:``), and listing pages — and lets Scrapy's duplicate filter and the
database's stable ids collapse what they find into one item per document. Items are always
built from the article page itself, so the same document reached by two paths cannot flap
between two versions; feeds and sitemaps only contribute URLs, dates and change hints.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from spiders.base import PARSE_ERRORS, SourceSpider, canonical_url
from spiders.items import ArticleItem, HintItem, SeenItem
from spiders.parse.article import ArticleFields, parse_article
from spiders.parse.feeds import discover_feeds, parse_feed
from spiders.parse.listing import parse_listing
from spiders.parse.pdf import parse_pdf
from spiders.parse.sitemaps import parse_sitemap, sitemaps_from_robots
from spiders.parse.titles import SiteNames, strip_site_name
from spiders.parse.wp_rest import parse_wp_posts, wp_api_root
from spiders.parse_pool import TIMEOUT, ParsePool
from spiders.settings import PARSE_POOL_AFTER, PARSE_TIMEOUT, PARSE_WORKERS

logger = logging.getLogger("vigie.spider")

DEFAULT_FEEDS = ("/rss.xml", "/feed/", "/feed")
DEFAULT_SITEMAPS = ("/sitemap.xml", "/wp-sitemap.xml")
WP_POSTS = "wp/v2/posts?per_page=50&page={page}"
#: a PDF larger than this is not fetched (a federation's press release is well under 1 MB)
MAX_PDF_BYTES = 10_000_000
#: stats keys of the article-or-listing decision (issue 13), logged at the end of the run
NOT_ARTICLE = "vigie/pages_not_article"
SHORT_ARTICLE = "vigie/short_articles_kept"
DOCUMENTS = "vigie/documents"
DOCUMENTS_SKIPPED = "vigie/documents_skipped"
EXTENSIVE_DATES = "vigie/extensive_date_searches"
PARSED_IN_WORKER = "vigie/pages_parsed_in_worker"
PARSED_AGAIN = "vigie/pages_parsed_again"  # a name learnt while a worker parsed the page
REDIRECTS = (301, 302, 303, 307, 308)
MAX_HOPS = 5  # as REDIRECT_MAX_TIMES


class SiteSpider(SourceSpider):
    name = "site"

    def __init__(
        self,
        source: str,
        url: str,
        feeds: list[str] | None = None,
        sitemaps: list[str] | None = None,
        listings: list[str] | None = None,
        selectors: dict[str, str | None] | None = None,
        max_depth: int = 5,
        known: dict[str, dict[str, str]] | None = None,
        revalidate_known: bool = False,
        max_pdf_bytes: int = MAX_PDF_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(source, url, **kwargs)
        self.feeds = [self.absolute(f) for f in feeds or []]
        self.sitemaps = [self.absolute(s) for s in sitemaps or []]
        self.listings = [self.absolute(s) for s in listings or []]
        self.selectors = {k: v for k, v in (selectors or {}).items() if v}
        self.max_depth = max_depth
        self.known = known or {}  # canonical url -> {discovery path: change hint}
        self.revalidate_known = revalidate_known
        self.hints: dict[str, dict[str, str]] = {}  # url -> {via: hint} seen this run
        self.fallback_dates: dict[str, str] = {}
        self.requested: set[str] = set()
        self.done: set[str] = set()  # article pages parsed this run
        self.skipped: set[str] = set()  # known articles not fetched (reported as SeenItem)
        self.max_pdf_bytes = max_pdf_bytes
        self.site_names = SiteNames()  # the site's name as its titles write it, learnt
        self.not_articles: list[tuple[str, str]] = []  # (url, reason) of pages left out
        self.parse_pool: ParsePool | None = None  # started on first need (spiders/parse_pool.py)
        self.parsed_here = 0  # article pages parsed in this process

    # -- discovery --------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        home = self.base_url + "/"
        yield self.request(home, self.parse_home, priority=10)
        yield self.request(
            self.absolute("/robots.txt"),
            self.parse_robots,
            probe=True,
            conditional=False,
            meta={"dont_obey_robotstxt": True},
        )
        for feed in self.feeds or [self.absolute(p) for p in DEFAULT_FEEDS]:
            yield self.request(feed, self.parse_feed, probe=not self.feeds, meta={"depth_n": 0})
        for sm in self.sitemaps or [self.absolute(p) for p in DEFAULT_SITEMAPS]:
            yield self.request(sm, self.parse_sitemap, probe=not self.sitemaps, meta={"depth_n": 0})
        for listing in self.listings:
            yield self.request(listing, self.parse_listing, meta={"depth_n": 0})

    def parse_home(self, response: Response) -> Iterator[Any]:
        if self.unusable(response) or not isinstance(response, TextResponse):
            return
        asked = set(self.feeds or [self.absolute(p) for p in DEFAULT_FEEDS])
        hidden = False  # a feed only this page tells about
        for feed in discover_feeds(response.body, response.url):
            if self.same_site(feed):
                hidden = hidden or feed not in asked
                yield self.request(feed, self.parse_feed, meta={"depth_n": 0})
        if not hidden:
            # Why conditional: a 304 home page has no new link, and every feed it names is
            # asked anyway; a home naming a feed at another path stays unconditional, or a 304
            # would hide that feed. (The WordPress API is left out on a 304: the feed and the
            # sitemaps announce the same posts.)
            yield from self._validator(response)
        api = wp_api_root(response.body, response.url)
        if api and self.same_site(api):
            root = api if api.endswith("/") else api + "/"
            yield self.request(
                root + WP_POSTS.format(page=1), self.parse_wp, meta={"page": 1, "api": root}
            )
        if not self.listings:
            yield from self._listing_links(response, depth=0)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if self.unusable(response) or response.status != 200:
            return
        for sm in sitemaps_from_robots(response.text, response.url):
            if self.same_site(sm):
                yield self.request(sm, self.parse_sitemap, meta={"depth_n": 0})

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            return
        page = parse_feed(response.body, response.url)
        if not page.ok or (page.error and not any(e.url for e in page.entries)):
            # Why the second test: the parser recovers from a truncated feed and may return
            # nothing usable with ok=True; that is a broken feed and must be said.
            if response.meta.get("probe"):
                return  # /feed on a site without a feed may answer 200 with an HTML page
            self.page_problem(response.url, f"malformed feed: {page.error}")
            return
        if page.error:
            logger.warning(
                "%s: %s: feed partly malformed (%s); its readable entries are used",
                self.source,
                response.url,
                page.error,
            )
        for e in page.entries:
            if e.url:
                yield from self.consider(e.url, "feed", e.updated_raw or e.date_raw, e.date_raw)
        depth = response.meta.get("depth_n", 0)
        if page.next_url and depth < self.max_depth and self.same_site(page.next_url):
            yield self.request(page.next_url, self.parse_feed, meta={"depth_n": depth + 1})
        yield from self._validator(response)

    def parse_wp(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            return
        page = parse_wp_posts(response.body, response.url, _headers(response))
        if not page.ok:
            self.page_problem(response.url, f"WordPress API answer unreadable: {page.error}")
            return
        for post in page.posts:
            if post.url:
                yield from self.consider(
                    post.url, "wp-json", post.updated_raw or post.date_raw, post.date_raw
                )
        n = response.meta["page"]
        if page.total_pages and n < page.total_pages and n <= self.max_depth:
            nxt = response.meta["api"] + WP_POSTS.format(page=n + 1)
            yield self.request(
                nxt, self.parse_wp, meta={"page": n + 1, "api": response.meta["api"]}
            )
        yield from self._validator(response)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            return
        page = parse_sitemap(response.body, response.url)
        if not page.ok:
            if not response.meta.get("probe"):
                self.page_problem(response.url, f"malformed sitemap: {page.error}")
            return
        depth = response.meta.get("depth_n", 0)
        for sm in page.sitemaps:
            if self.same_site(sm) and depth < 3:
                yield self.request(sm, self.parse_sitemap, meta={"depth_n": depth + 1})
        for u in page.urls:
            yield from self.consider(u.loc, "sitemap", u.lastmod_raw, None)
        yield from self._validator(response)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            return
        yield from self._listing_links(response, depth=response.meta.get("depth_n", 0))
        yield from self._validator(response)

    def _listing_links(self, response: Response, depth: int) -> Iterator[Any]:
        page = parse_listing(response.body, response.url, link_selector=self.selectors.get("links"))
        for link in page.article_links:
            yield from self.consider(link, "listing", None, None)
        if page.next_url and depth < self.max_depth and self.same_site(page.next_url):
            yield self.request(page.next_url, self.parse_listing, meta={"depth_n": depth + 1})

    # -- articles ---------------------------------------------------------------------------
    def consider(self, url: str, via: str, hint: str | None, date_raw: str | None) -> Iterator[Any]:
        """Decide whether an article URL must be fetched: new, or announced as changed.

        A known URL first met without a change hint is reported unchanged (SeenItem) but may
        still be fetched if a later discovery path announces a change; the pipeline then
        counts it once, as fetched.
        """
        url = canonical_url(url)
        if not self.same_site(url):
            return
        stored = self.known.get(url)
        if hint:
            self.hints.setdefault(url, {}).setdefault(via, hint)
            if (url in self.done or url in self.skipped) and (stored or {}).get(via) != hint:
                yield HintItem(source=self.source, url=url, via=via, hint=hint)
        if date_raw:
            self.fallback_dates.setdefault(url, date_raw)
        if url in self.requested:
            return
        if stored is not None:
            changed = bool(hint) and via in stored and stored[via] != hint
            if not changed and not self.revalidate_known:
                if url not in self.skipped:
                    self.skipped.add(url)
                    yield SeenItem(source=self.source, url=url)
                return
        self.requested.add(url)
        if _is_pdf_url(url):
            # probe: a dead PDF link is the linking page's problem, logged, not a broken source
            yield self.request(
                url,
                self.parse_document,
                conditional=stored is not None,
                probe=True,
                meta={"via": via, "download_maxsize": self.max_pdf_bytes},
            )
            return
        yield self.article_request(url, via)

    def article_request(self, url: str, via: str | None, chain: list[str] | None = None) -> Any:
        """An article page, asked with its validators whenever we hold some (known or not: an
        alias such as Drupal's ``/node/{id}`` has its own), redirects handled by the spider.

        Why redirects by hand: a home page or listing linking ``/node/51``, which redirects to
        the known slug, would otherwise cost the full article on every crawl; seen here, the
        target goes through ``consider`` like any link and a known one is not fetched."""
        if (pool := self._pool()) is not None:
            pool.asked()  # many pages to come: the workers start while they download
        return self.request(
            url,
            self.parse_linked,
            meta={
                "via": via,
                "redirect_chain": chain or [],
                "dont_redirect": True,
                "handle_httpstatus_list": [304, *REDIRECTS],
            },
        )

    async def parse_linked(self, response: Response) -> AsyncIterator[Any]:
        if response.status not in REDIRECTS:
            async for out in self.parse_article(response):
                yield out
            return
        location = (response.headers.get("Location") or b"").decode("latin-1").strip()
        if not location:
            self.page_problem(response.url, f"HTTP {response.status} without a Location")
            return
        target = self.absolute(location, base=response.url)
        chain = [*response.meta.get("redirect_chain", []), response.url]
        if not self.same_site(target):
            self.fetch_failed(
                response.url, f"redirect off the source's host to {target} (not followed)"
            )
        elif canonical_url(target) in {canonical_url(u) for u in chain} or len(chain) > MAX_HOPS:
            self.fetch_failed(
                response.url, f"redirect loop: {' -> '.join([*chain, target])} (not followed)"
            )
        elif (url := canonical_url(target)) in self.known and not self.revalidate_known:
            if url not in self.skipped and url not in self.requested:
                self.skipped.add(url)
                yield SeenItem(source=self.source, url=url)
        elif url not in self.requested:
            self.requested.add(url)
            yield self.article_request(url, response.meta.get("via"), chain)

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        url = canonical_url(response.request.url if response.request else response.url)
        if response.status == 304:
            self.unusable(response)
            yield SeenItem(source=self.source, url=url)
            return
        # isinstance, not hasattr(response, "text"): that evaluates the property, which decodes
        # the whole page once more than page_text does (issue 15)
        if not isinstance(response, TextResponse) or not _is_html(response):
            content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
            self.page_problem(
                response.url, f"not an HTML page ({content_type or 'no Content-Type'})"
            )
            return
        self.done.add(url)
        # read now, as when the page was parsed here: hints met while a worker parses it come
        # as HintItems (the page is in self.done), not in this item
        hints = dict(self.hints.get(url, {}))
        fallback_date = self.fallback_dates.get(url)
        fields = await self._parse_fields(self.page_text(response), response.url)
        if fields.extensive_used:
            self.crawler.stats.inc_value(EXTENSIVE_DATES)
        for link in fields.pdf_links:
            for out in self.consider(link, "link", None, None):
                yield out
        if not fields.is_article:
            self.crawler.stats.inc_value(NOT_ARTICLE)
            self.not_articles.append((response.url, fields.decision))
            logger.info("%s: not an article: %s (%s)", self.source, response.url, fields.decision)
            return
        if fields.decision.startswith("short"):
            self.crawler.stats.inc_value(SHORT_ARTICLE)
        # INFO when kept by an exception to the plain rule (short, or beside other posts' cards)
        kept_by_exception = fields.decision.startswith("short") or "cards" in fields.decision
        logger.log(
            logging.INFO if kept_by_exception else logging.DEBUG,
            "%s: %s: %s",
            self.source,
            response.url,
            fields.decision,
        )
        for problem in fields.problems:
            self.logger.info("%s: %s: %s", self.source, response.url, problem)
        canonical = fields.canonical_url
        if canonical and self.same_site(canonical):
            canonical = canonical_url(canonical)
        else:
            canonical = None
        v = self.validator(response, deferred=False)
        date_raw, date_source = fields.date_raw, fields.date_source
        if not date_raw and fallback_date:
            date_raw, date_source = fallback_date, "feed"
        yield ArticleItem(
            source=self.source,
            url=url,
            canonical_url=canonical,
            title=fields.title,
            author=fields.author,
            date_raw=date_raw,
            date_source=date_source,
            body=fields.body,
            updated_raw=json.dumps(hints, sort_keys=True) if hints else None,
            discovered_via=response.meta.get("via"),
            validator=v,  # carried by the item: one item per page through Scrapy, not two
        )

    async def _parse_fields(self, text: str, url: str) -> ArticleFields:
        """``parse_article`` in a worker process when the pool is on (spiders/parse_pool.py),
        else here; then the site names it teaches are learnt, in the order pages complete.

        Why the title is checked again: the worker cut the names learnt when the page was
        handed to it; a name learnt meanwhile (from the pages completed in between) that
        shortens this title would have changed it here, and the title also decides where the
        body starts, so such a page (only among a crawl's first pages) is parsed here again."""
        pool = self._pool()
        fields = None
        if pool is not None:
            fields = await pool.parse(text, url, self.selectors, self.site_names.names())
            if fields is not None:
                names = [*fields.site_names, *self.site_names.names()]
                if strip_site_name(fields.raw_title, names) != fields.title:
                    self.crawler.stats.inc_value(PARSED_AGAIN)
                    fields = None
        if fields is None:
            self.parsed_here += 1
            fields = parse_article(
                text, url, selectors=self.selectors, site_names=self.site_names.names()
            )
        self.site_names.learn(fields.page_title, fields.site_names, fields.headline)
        return fields

    def _pool(self) -> ParsePool | None:
        if self.parse_pool is None and self.crawler.settings.getint(PARSE_WORKERS, 0) > 0:
            settings = self.crawler.settings
            self.parse_pool = ParsePool(
                settings.getint(PARSE_WORKERS),
                settings.getint(PARSE_POOL_AFTER, 0),
                _level(settings.get("LOG_LEVEL", "INFO")),
                timeout=settings.getfloat(PARSE_TIMEOUT, TIMEOUT),
                source=self.source,
            )
        return self.parse_pool

    def parse_document(self, response: Response) -> Iterator[Any]:
        """A linked PDF: text, title and date → an item of kind ``document`` with its URL.

        An encrypted, scanned (no text) or broken PDF is logged with its URL and skipped; an
        unchanged one is not fetched again (known URL, or a 304 on its validators)."""
        url = canonical_url(response.request.url if response.request else response.url)
        if response.status == 304:
            self.unusable(response)
            yield SeenItem(source=self.source, url=url)
            return
        if self.unusable(response):
            logger.info("%s: linked PDF missing: %s (%s)", self.source, url, response.status)
            return
        self.done.add(url)
        if not _is_pdf(response) and not response.body.lstrip()[:5].startswith(b"%PDF"):
            self.page_problem(response.url, "linked as a PDF but not a PDF")
            return
        doc = parse_pdf(response.body, response.url)
        if doc.problem:
            self.crawler.stats.inc_value(DOCUMENTS_SKIPPED)
            if doc.problem.startswith("broken"):  # malformed: counted like a malformed page
                self.crawler.stats.inc_value(PARSE_ERRORS)
            logger.warning("%s: skipped PDF %s: %s", self.source, response.url, doc.problem)
            return
        self.crawler.stats.inc_value(DOCUMENTS)
        hints = self.hints.get(url, {})
        yield ArticleItem(
            source=self.source,
            url=url,
            title=doc.title,
            date_raw=doc.date_raw,
            date_source=doc.date_source,
            body=doc.body,
            updated_raw=json.dumps(hints, sort_keys=True) if hints else None,
            discovered_via=response.meta.get("via"),
            validator=self.validator(response, deferred=False),
            kind="document",
        )

    def closed(self, reason: str) -> None:
        """One line naming the pages left out as not articles, so a missing page is findable;
        the parse workers stopped and waited for."""
        if self.parse_pool is not None and self.parse_pool.started:
            self.parse_pool.close()
            self.crawler.stats.set_value(PARSED_IN_WORKER, self.parse_pool.pooled)
            logger.info(
                "%s: %d article page(s) parsed in worker process(es) (CPU %.1f s), %d in the crawl process",
                self.source,
                self.parse_pool.pooled,
                self.parse_pool.workers_cpu(),
                self.parsed_here,
            )
        if self.not_articles:
            logger.info(
                "%s: %d page(s) not taken as articles: %s",
                self.source,
                len(self.not_articles),
                "; ".join(f"{u} ({why})" for u, why in self.not_articles[:20])
                + (" …" if len(self.not_articles) > 20 else ""),
            )

    def page_text(self, response: Response) -> str:
        """The page as text, decoded with the charset the server declared (header, BOM, meta).

        Why not ``response.text``: a page declared UTF-8 but written in Windows-1252 (a CMS
        template saved by an old editor) decodes to U+FFFD in place of every accented letter,
        and that mojibake would be stored and matched against. Bytes that are not valid UTF-8
        are read as Windows-1252 instead (valid UTF-8 sequences are kept), with a log line.
        """
        encoding = codecs.lookup(getattr(response, "encoding", None) or "utf-8").name
        if encoding != "utf-8":
            return response.text
        try:
            return response.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            logger.warning(
                "%s: %s: declared UTF-8 but byte %#04x at %d is not UTF-8; bad bytes read as Windows-1252",
                self.source,
                response.url,
                response.body[exc.start],
                exc.start,
            )
            return response.body.decode("utf-8", errors=CP1252_FALLBACK)

    def _validator(self, response: Response) -> Iterator[Any]:
        v = self.validator(response, deferred=True)
        if v:
            yield v


def _level(value: Any) -> int:
    """Scrapy's LOG_LEVEL, a name ("INFO") or a number, as a number."""
    level = logging.getLevelName(value.upper()) if isinstance(value, str) else value
    return level if isinstance(level, int) else logging.INFO


def _is_html(response: Response) -> bool:
    """HTML by its Content-Type (absent counts as HTML).

    Why: Scrapy hands a PDF or a JSON answer to the spider as a TextResponse, and the article
    parser would only say "not an article" at debug level: a link that now serves a document
    instead of a page must be logged with its URL."""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return not content_type or "html" in content_type


def _is_pdf(response: Response) -> bool:
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return "application/pdf" in content_type


def _is_pdf_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an undecodable byte of a "UTF-8" page is read as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.start + 1]
    return bytes(bad).decode("cp1252", errors="replace"), exc.start + 1


CP1252_FALLBACK = "vigie-cp1252"
codecs.register_error(CP1252_FALLBACK, _cp1252_fallback)


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
    }


__all__ = ["SiteSpider", "scrapy"]
