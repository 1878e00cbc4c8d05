"""The Scrapy extension that gives a Scrapyd job what Vigie's own parent gives a local crawl.

Locally, ``monitor/runs/launch.py`` creates the run row before the child starts and applies the
health rules after it ends. A job Scrapyd starts may have no such parent:

- Built (``from_crawler``, after :mod:`monitor.runs.job` configured the crawl): a job scheduled
  without a run (``VIGIE_RUN_ID`` 0, e.g. by hand with ``curl``) gets its row here. Why not at
  ``spider_opened``: Scrapy builds extensions before the item pipeline and freezes the settings
  in between, so a row created here is the ``VIGIE_RUN_ID`` the pipeline, unchanged, counts into;
  ``spider_opened`` fires after the pipeline has read it.
- ``spider_closed`` (after the pipeline's last batch): the run is concluded with the child's
  own step (:func:`monitor.runs.conclude.conclude_run`). When the job created its run, nobody
  else will look at it, so the health rules follow at once (:func:`conclude_and_check`); when
  a scheduler gave the run (``vigie run`` in Scrapyd mode), the scheduler applies them after
  checking the job's end (a timeout overrules the verdict first), as the local parent does.

Alert delivery stays with the daemon's sender job or ``vigie alerts send``: a crawl node never
needs the SMTP credentials.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from monitor.config import Config, config_from_json
from monitor.runs.conclude import conclude_and_check, conclude_run, utc_now
from storage import runs as store_runs
from storage.db import close_db, open_db

logger = logging.getLogger("vigie.crawl")


class RunRecorder:
    def __init__(self, crawler: Any, cfg: Config, source: str, run_id: int, owned: bool) -> None:
        self.crawler = crawler
        self.cfg = cfg
        self.source = source
        self.run_id = run_id
        self.owned = owned

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunRecorder:
        s = crawler.settings
        if not s.get("VIGIE_SOURCE") or not s.get("VIGIE_CONFIG") or s.getbool("VIGIE_DRY_RUN"):
            raise NotConfigured("not a Vigie crawl writing to the archive")
        cfg = config_from_json(s.get("VIGIE_CONFIG"))
        source = s.get("VIGIE_SOURCE")
        run_id = s.getint("VIGIE_RUN_ID")
        owned = not run_id
        if owned:
            db = open_db(cfg.db_path)
            try:
                run_id = store_runs.start_run(db, source, utc_now())
            finally:
                close_db(db)
            s.set("VIGIE_RUN_ID", run_id, priority="cmdline")
            logger.info("%s: run %d created for this job", source, run_id)
        ext = cls(crawler, cfg, source, run_id, owned)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        conclude = conclude_and_check if self.owned else conclude_run
        db = open_db(self.cfg.db_path)
        try:
            row = conclude(db, self.cfg, self.source, self.run_id, stats, reason)
        finally:
            close_db(db)
        logger.info(
            "%s: run %d %s%s",
            self.source,
            self.run_id,
            row["outcome"],
            f" ({row['reason']})" if row.get("reason") else "",
        )
