"""The Sénat legislative spider (``spider = "senat_legis"``, issue 12): texts, amendments, dossiers.

One run:

1. **New texts**: ``/akomantoso/depots.xml`` (conditional) → one ``document`` item per text
   tabled (``leg/ppl25-400``). With ``depot_dossiers``, the dossier of each new text is read too
   (page + feed, step 2, without its amendments): its page names the Assemblée dossier when the
   bill comes from there, so the store can follow at the Sénat a bill followed at the Assemblée.
2. **Dossiers** (``dossiers``: the configured ones plus those the store follows): the page
   ``/dossier-legislatif/{id}.html`` and its Atom feed ``/dossier-legislatif/rss/dosleg{id}.xml``
   → one ``dossier`` item whose ``acts`` grow with each step. The page's texts are added to the
   texts whose amendments are read (step 3), with the dossier as parent.
3. **Amendments** of the followed dossiers' texts, then of every text in ``texts``
   (``"2025-2026/123"``, or a text id ``"ppl25-400"`` as the store hands followed texts back),
   asked once each, after the dossiers (so a text both followed and named by a dossier keeps
   the dossier as parent): the séance set and the commission set (CSV, conditional: an
   unchanged set costs a 304). A 404 is "no amendment yet", logged at INFO, not an error.

Items are ``LegisItem`` with ``chamber = "Sénat"`` (the value the Sénat questions carry) and the
Sénat's own references as ids (``spiders/parse/senat_texts.py``). A malformed CSV row or page is
logged with its URL and skipped; a CSV header without ``Numéro``/``Sort`` is an error of the
run (layout changed).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response
from twisted.python.failure import Failure

from spiders import defaults
from spiders.base import SourceSpider
from spiders.parse.senat_amendments import (
    CsvLayoutError,
    RowError,
    TextRef,
    parse_amendments_csv,
)
from spiders.parse.senat_depots import DepotsError, parse_depots
from spiders.parse.senat_dossier import DossierError, parse_dossier
from spiders.parse.senat_texts import TEXT_ID, text_ref

logger = logging.getLogger("vigie.spider")

DEPOTS_PATH = "/akomantoso/depots.xml"
NO_AMENDMENT_YET = "vigie/no_amendment_yet"
CSV_TIMEOUT = 300


def dossier_id(entry: str) -> str | None:
    """A ``dossiers`` entry (``ppl25-400``, ``dossier-legislatif/ppl25-400``, a page URL) → id."""
    m = TEXT_ID.search(entry.rsplit("/", 1)[-1].removesuffix(".html"))
    return m.group(0) if m else None


class SenatLegisSpider(SourceSpider):
    name = "senat_legis"

    def __init__(
        self,
        source: str,
        url: str = defaults.SENAT_URL,
        texts: list[str] | None = None,
        dossiers: list[str] | None = None,
        depots: bool = True,
        depot_dossiers: bool = True,
        commission: bool = True,
        seance: bool = True,
        max_dump_bytes: int = defaults.MAX_DUMP_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(source, url, **kwargs)
        self.texts: list[tuple[TextRef, str | None]] = []  # (ref, text uid when known)
        for entry in texts or []:
            tid = TEXT_ID.fullmatch(entry.strip().removeprefix("leg/"))
            try:
                if tid and (ref := text_ref(tid.group(0))):
                    self.texts.append((TextRef.parse(ref), f"leg/{tid.group(0)}"))
                else:
                    self.texts.append((TextRef.parse(entry), None))
            except ValueError as exc:
                logger.warning("%s: texts: %s (skipped)", source, exc)
        self.dossiers: list[str] = []
        for entry in dossiers or []:
            found = dossier_id(entry)
            if found:
                self.dossiers.append(found)
            else:
                logger.warning(
                    "%s: dossiers: %r is not a Sénat dossier id (skipped)", source, entry
                )
        self.read_depots = depots
        self.depot_dossiers = depot_dossiers
        self.stages = [s for s, on in (("seance", seance), ("commission", commission)) if on]
        self.max_dump_bytes = int(max_dump_bytes)
        self.asked_texts: set[str] = set()
        self.asked_dossiers: set[str] = set()
        self.waiting_dossiers = set(self.dossiers)

    # -- start ------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if self.read_depots:
            yield self.request(self.base_url + DEPOTS_PATH, self.parse_depots_list)
        for did in self.dossiers:
            for req in self._dossier_request(did, amendments=True):
                yield req
        if not self.waiting_dossiers:
            for req in self._text_requests():
                yield req

    def _text_requests(self) -> Iterator[Any]:
        """The ``texts`` sets, once every followed dossier is read: a text that a dossier names
        gets its amendment sets asked with the dossier as parent, whichever list named it."""
        for ref, uid in self.texts:
            yield from self._csv_requests(ref, uid, None)

    def _dossier_done(self, did: str) -> Iterator[Any]:
        if did in self.waiting_dossiers:
            self.waiting_dossiers.discard(did)
            if not self.waiting_dossiers:
                yield from self._text_requests()

    def dossier_failed(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        yield from self._dossier_done(failure.request.meta["dossier"])  # type: ignore[attr-defined]

    # -- 1. new texts -----------------------------------------------------------------------
    def parse_depots_list(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):
            return
        try:
            items = parse_depots(response.body, site_url=self.base_url, source=self.source)
        except DepotsError as exc:
            self.fetch_failed(response.url, str(exc))
            return
        logger.info("%s: depots list: %d texts", self.source, len(items))
        for item in items:
            yield item
            tid = item.fields["text_id"]
            if self.depot_dossiers and tid not in self.dossiers:  # followed ones: with amendments
                yield from self._dossier_request(tid, amendments=False)
        if v := self.validator(response, deferred=True):
            yield v

    # -- 2. dossiers ------------------------------------------------------------------------
    def _dossier_request(self, did: str, *, amendments: bool) -> Iterator[Any]:
        if did in self.asked_dossiers:
            return
        self.asked_dossiers.add(did)
        url = f"{self.base_url}/dossier-legislatif/{did}.html"
        meta = {"dossier": did, "amendments": amendments}
        # a followed dossier must exist (404 = error); a new text's dossier may not be online yet
        req = self.request(
            url, self.parse_dossier_page, probe=not amendments, conditional=False, meta=meta
        )
        yield req.replace(errback=self.dossier_failed)

    def parse_dossier_page(self, response: Response) -> Iterator[Any]:
        if self.unusable(response):  # a new text's dossier not online yet (404)
            yield from self._dossier_done(response.meta["dossier"])
            return
        did = response.meta["dossier"]
        feed = f"{self.base_url}/dossier-legislatif/rss/dosleg{did}.xml"
        meta = {
            "dossier": did,
            "amendments": response.meta["amendments"],
            "page": response.body,
            "page_url": response.url,
        }
        req = self.request(feed, self.parse_dossier_feed, probe=True, conditional=False, meta=meta)
        yield req.replace(errback=self.dossier_failed)

    def parse_dossier_feed(self, response: Response) -> Iterator[Any]:
        yield from self._read_dossier(response)
        yield from self._dossier_done(response.meta["dossier"])

    def _read_dossier(self, response: Response) -> Iterator[Any]:
        did, page_url = response.meta["dossier"], response.meta["page_url"]
        feed = response.body if response.status == 200 else None
        if feed is None:
            logger.info("%s: dossier %s has no feed (%s)", self.source, did, response.status)
        try:
            item = parse_dossier(
                response.meta["page"], feed, did, site_url=self.base_url, source=self.source
            )
        except DossierError as exc:
            self.page_problem(page_url if feed is None else response.url, str(exc))
            return
        yield item
        if not response.meta["amendments"]:
            return
        texts = {r: None for r in item.fields["text_refs"]}
        for uid in item.fields["texts"]:  # text uid of each ref, when the page links the text
            m = TEXT_ID.search(uid)
            ref = text_ref(m.group(0)) if m else None
            if ref in texts:
                texts[ref] = uid
        for ref, uid in texts.items():
            yield from self._csv_requests(TextRef.parse(ref), uid, item.uid)

    # -- 3. amendments ----------------------------------------------------------------------
    def _csv_requests(
        self, ref: TextRef, text_uid_: str | None, dossier_uid: str | None
    ) -> Iterator[Any]:
        if str(ref) in self.asked_texts:
            return
        self.asked_texts.add(str(ref))
        for stage in self.stages:
            url = self.base_url + ref.csv_path(stage == "commission")
            meta = {
                "text_ref": str(ref),
                "stage": stage,
                "text_uid": text_uid_,
                "dossier_uid": dossier_uid,
                "download_maxsize": self.max_dump_bytes,
                "download_timeout": CSV_TIMEOUT,
            }
            yield self.request(url, self.parse_csv, probe=True, meta=meta)

    def parse_csv(self, response: Response) -> Iterator[Any]:
        ref, stage = response.meta["text_ref"], response.meta["stage"]
        if response.status in (404, 410):
            self.crawler.stats.inc_value(NO_AMENDMENT_YET)
            logger.info("%s: no %s amendment yet on text %s (%s)", self.source, stage, ref, 404)
            return
        if self.unusable(response):
            return
        count = 0
        try:
            for row in parse_amendments_csv(
                response.body,
                TextRef.parse(ref),
                commission=stage == "commission",
                site_url=self.base_url,
                source=self.source,
                dossier_uid=response.meta["dossier_uid"],
                text_uid=response.meta["text_uid"],
            ):
                if isinstance(row, RowError):
                    self.page_problem(response.url, f"line {row.line}: {row.reason}")
                    continue
                if row.status == "unknown":
                    logger.warning(
                        "%s: %s: unknown decision label %r kept as status 'unknown'",
                        self.source,
                        row.uid,
                        row.status_label,
                    )
                count += 1
                yield row
        except CsvLayoutError as exc:
            self.fetch_failed(response.url, str(exc))
            return
        logger.info("%s: text %s, %s: %d amendments", self.source, ref, stage, count)
        if v := self.validator(response, deferred=True):
            yield v
