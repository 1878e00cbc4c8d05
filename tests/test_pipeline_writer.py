"""Issue 15: the crawl's periodic batches are written by a thread of the pipeline
(``VIGIE_BACKGROUND_WRITES``, set by the crawl child) while items keep coming; the database
ends the same as with every batch written in the crawl's thread, and a batch the database
refuses in that thread stops the writing, is not counted, and fails the run with its cause.

Real parts: the pipeline, a real SQLite file, its batches; the items are what the site spider
yields for articles (some mention the watch terms, so alerts are enqueued).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from monitor.config import load_config
from monitor.ingest import pipeline as pipeline_module
from monitor.ingest.pipeline import StorePipeline
from spiders.items import ArticleItem, ValidatorItem
from storage import runs as store_runs
from storage.db import open_db
from tests.support.configs import write_config

ARTICLES = 60
BATCH = 7  # items per batch: several batches go to the writer before the spider closes
COLUMNS = "id, url, title, body, published, matched, matched_terms, snippet, followed"


def article(i: int) -> ArticleItem:
    about = "la fin des SECPA inquiète les centres de santé" if i % 5 == 0 else "un autre sujet"
    url = f"https://presse.example.org/actualites/article-{i}"
    return ArticleItem(
        source="presse",
        url=url,
        title=f"Article {i} : {about}",
        date_raw=f"2026-02-{1 + i % 27:02d}T08:00:00+01:00",
        body=f"Premier paragraphe de l'article {i}, {about}.\n\nDeuxième paragraphe, sans mot clé.",
        discovered_via="sitemap",
        validator=ValidatorItem(source="presse", url=url, etag=f'"e{i}"'),
    )


def open_pipeline(folder: Path, background: bool) -> tuple[StorePipeline, int]:
    folder.mkdir()
    config = write_config(
        folder, {"presse": {"spider": "site", "url": "https://presse.example.org"}}
    )
    cfg = load_config(str(config))
    db = open_db(cfg.db_path)
    run_id = store_runs.start_run(db, "presse", "2026-02-14T08:00:00+00:00")
    db.conn.close()
    crawler = get_crawler(
        settings_dict={
            "VIGIE_CONFIG_PATH": str(config),
            "VIGIE_SOURCE": "presse",
            "VIGIE_RUN_ID": run_id,
            "VIGIE_BACKGROUND_WRITES": background,
        }
    )
    if crawler.stats is None:  # pragma: no cover - depends on the Scrapy version
        from scrapy.statscollectors import MemoryStatsCollector

        crawler.stats = MemoryStatsCollector(crawler)
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    return pipeline, run_id


def stored(pipeline: StorePipeline, run_id: int) -> dict[str, Any]:
    db = open_db(pipeline.cfg.db_path)
    try:
        run = store_runs.get_run(db, run_id)
        return {
            "items": [
                tuple(r.values()) for r in db.query(f"select {COLUMNS} from items order by id")
            ],
            "alerts": [
                (r["item_id"], r["event"])
                for r in db.query("select item_id, event from alerts order by item_id, event")
            ],
            "validators": [
                tuple(r.values())
                for r in db.query("select url, etag from http_validators order by url")
            ],
            "run": {
                k: run[k] for k in ("items_seen", "items_new", "items_changed", "items_unchanged")
            },
        }
    finally:
        db.conn.close()


def rows(pipeline: StorePipeline) -> int:
    db = open_db(pipeline.cfg.db_path)
    try:
        return db.execute("select count(*) from items").fetchone()[0]
    finally:
        db.conn.close()


def test_batches_written_by_the_writer_thread_store_what_the_crawl_thread_stores(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(pipeline_module, "BATCH_ITEMS", BATCH)
    results = {}
    for background in (False, True):
        pipeline, run_id = open_pipeline(tmp_path / f"background-{background}", background)
        for i in range(ARTICLES):
            pipeline.process_item(article(i))
        if background:
            # every full batch went to the writer thread while items kept coming; the last,
            # partial one is still buffered until the spider closes
            pipeline._wait_writes()
            assert any(t.name.startswith("vigie-writer") for t in threading.enumerate())
            assert rows(pipeline) == ARTICLES - ARTICLES % BATCH
            assert len(pipeline.buffer) == ARTICLES % BATCH
        pipeline.close_spider()
        results[background] = stored(pipeline, run_id)
    assert results[True] == results[False]
    assert len(results[True]["items"]) == ARTICLES
    assert results[True]["run"] == {
        "items_seen": ARTICLES,
        "items_new": ARTICLES,
        "items_changed": 0,
        "items_unchanged": 0,
    }
    assert len(results[True]["alerts"]) == ARTICLES // 5  # one per matching article, once
    assert len(results[True]["validators"]) == ARTICLES


def test_a_batch_refused_in_the_writer_thread_stops_the_writes_and_fails_the_run(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(pipeline_module, "BATCH_ITEMS", BATCH)
    pipeline, run_id = open_pipeline(tmp_path / "refused", background=True)
    # the database refuses the 10th article (second batch), as a full disk refuses a write
    conn = sqlite3.connect(pipeline.cfg.db_path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.url LIKE '%/article-9' "
        "BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END"
    )
    conn.commit()
    conn.close()
    for i in range(ARTICLES):
        pipeline.process_item(article(i))
    pipeline._wait_writes()
    assert pipeline.write_failed is not None
    assert "simulated write failure" in pipeline.write_failed
    pipeline.close_spider()
    db = open_db(pipeline.cfg.db_path)
    try:
        urls = [r["url"] for r in db.query("select url from items order by rowid")]
        run = store_runs.get_run(db, run_id)
    finally:
        db.conn.close()
    # the first batch is stored whole; the refused one and every later one are not
    assert urls == [article(i).url for i in range(BATCH)]
    assert run["outcome"] == "failed"
    assert "simulated write failure" in run["reason"]


@pytest.mark.parametrize("background", [False, True])
def test_flush_writes_everything_before_it_returns(tmp_path, monkeypatch, background):
    """flush() is synchronous whatever the mode: what was processed is in the database."""
    monkeypatch.setattr(pipeline_module, "BATCH_ITEMS", BATCH)
    pipeline, _ = open_pipeline(tmp_path / "flush", background)
    for i in range(ARTICLES):
        pipeline.process_item(article(i))
    pipeline.flush()
    assert rows(pipeline) == ARTICLES
    pipeline.close_spider()
