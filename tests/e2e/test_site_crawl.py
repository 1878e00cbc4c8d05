"""Real crawls of the fixture sites (real HTTP on 127.0.0.1, real spider, real SQLite file)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import db_of, vigie, write_config

pytestmark = pytest.mark.e2e


def crawl(config, *sources):
    res = vigie("crawl", *sources, config=config)
    return res


def items(config, source=None):
    db = db_of(config)
    where = "where source = ?" if source else ""
    return {
        r["url"]: r for r in db.query(f"select * from items {where}", [source] if source else [])
    }


def test_wordpress_site_feed_api_sitemap_one_item_each(tmp_path, site_server):
    srv = site_server("wp_like")
    cfg = write_config(tmp_path, {"avec": {"spider": "site", "url": srv.base_url}})
    res = crawl(cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    got = items(cfg)
    base = srv.base_url
    secpa = f"{base}/2026/02/10/experimentation-secpa-rencontres-avecsante/"
    struct = f"{base}/2026/01/20/structures-participatives-financement-maintenu/"
    assert secpa in got and struct in got
    # four posts, each stored once although feed, REST API, sitemap and home all list them
    posts = [u for u in got if "/20" in u]
    assert len(posts) == 4, sorted(got)
    assert got[secpa]["matched"] == 1
    assert "SECPA" in json.loads(got[secpa]["matched_terms"])
    assert got[struct]["matched"] == 1
    assert json.loads(got[struct]["matched_terms"]) == [
        "structure* d'exercice coordonné* participati*"
    ]
    unmatched = [u for u in posts if u not in (secpa, struct)]
    assert all(got[u]["matched"] == 0 for u in unmatched)
    assert got[secpa]["published"].startswith("2026-02-10")
    assert got[secpa]["title"]
    # robots.txt: /private/ is linked and listed but never requested
    assert srv.count("/private/compte-rendu-conseil-administration-janvier-2026/") == 0
    run = list(db_of(cfg).query("select * from runs"))
    assert len(run) == 1 and run[0]["outcome"] == "ok"
    assert run[0]["items_new"] == len(got)


def test_second_crawl_one_changed_article(tmp_path, site_server):
    srv = site_server("wp_like")
    cfg = write_config(tmp_path, {"avec": {"spider": "site", "url": srv.base_url}})
    assert crawl(cfg).returncode == 0
    first = items(cfg)
    srv.set_state("v2")
    res = crawl(cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    db = db_of(cfg)
    runs = list(db.query("select * from runs order by id"))
    assert runs[1]["items_changed"] == 1, runs[1]
    assert runs[1]["items_new"] == 0
    assert runs[1]["items_unchanged"] == 3, runs[1]  # everything else: seen, not refetched
    versions = list(db.query("select * from item_versions"))
    assert len(versions) == 1
    changed_url = versions[0]["item_id"]
    assert "experimentation-secpa-rencontres-avecsante" in changed_url
    assert "body" in json.loads(versions[0]["changed_fields"])
    assert json.loads(versions[0]["previous"])["body"] == first[changed_url]["body"]
    assert items(cfg)[changed_url]["body"] != first[changed_url]["body"]


def test_unchanged_site_costs_no_article_request(tmp_path, site_server):
    srv = site_server("wp_like")
    cfg = write_config(tmp_path, {"avec": {"spider": "site", "url": srv.base_url}})
    assert crawl(cfg).returncode == 0
    srv.reset_counts()
    assert crawl(cfg).returncode == 0
    article_hits = [r for r in srv.requests if "/20" in r[1] and not r[1].startswith("/wp-")]
    assert article_hits == []
    run = list(db_of(cfg).query("select * from runs order by id desc limit 1"))[0]
    assert run["items_new"] == 0 and run["items_changed"] == 0
    assert run["items_unchanged"] >= 4
    assert srv.count(status=304) >= 1


def test_drupal_site_sitemap_and_listing(tmp_path, site_server):
    srv = site_server("drupal_like")
    cfg = write_config(
        tmp_path, {"fncs": {"spider": "site", "url": srv.base_url, "listings": ["/actualites"]}}
    )
    res = crawl(cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    got = items(cfg)
    base = srv.base_url
    fin = f"{base}/fin-brutale-de-l-experimentation-secpa-article-51"
    assert fin in got
    assert f"{base}/node/51" not in got  # same document, one item (canonical link)
    assert got[fin]["matched"] == 1
    tribune = got[f"{base}/centres-et-maisons-de-sante-participatifs-une-tribune"]
    assert tribune["matched"] == 1
    igas = got[f"{base}/rapport-igas-sur-les-centres-de-sante"]
    assert igas["matched"] == 0
    assert igas["published"] == "2017-04-10"
    assert f"{base}/contact" not in got
    # the pages left out (contact, the listing linked as an article) are counted in the run
    run = db_of(cfg).execute("select pages_not_article from runs").fetchone()[0]
    assert run >= 1 and f"not_article={run}" in res.stdout


def test_listing_only_site(tmp_path, site_server):
    srv = site_server("listing_only")
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    res = crawl(cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    got = items(cfg)
    base = srv.base_url
    assert f"{base}/articles/assistants-medicaux-premier-bilan" in got  # page 2 of the listing
    mob = got[f"{base}/articles/centres-participatifs-la-mobilisation-s-organise"]
    assert mob["matched"] == 1 and mob["published"] == "2026-02-03"
    assert len([u for u in got if "/articles/" in u]) == 4


def test_dry_run_writes_nothing(tmp_path, site_server):
    srv = site_server("listing_only")
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    res = vigie("crawl", "--dry-run", config=cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert any(x.get("matched") == 1 for x in lines)
    assert not (tmp_path / "vigie.db").exists()


def test_broken_pages_are_logged_and_the_rest_is_stored(tmp_path, site_server):
    srv = site_server("listing_only")
    srv.override("/articles/deserts-medicaux-la-regulation-a-l-installation-revient", status=500)
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    res = crawl(cfg)
    assert "deserts-medicaux-la-regulation-a-l-installation-revient" in res.stderr
    got = items(cfg)
    assert len([u for u in got if "/articles/" in u]) == 3
    run = list(db_of(cfg).query("select * from runs"))[0]
    assert run["errors"] >= 1


def test_bad_config_exit_2_names_the_key(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[watch]\nterms = ["SECPA"]\n[sources.fncs]\nspider = "site"\nurl = "https://www.fncs.org"\n'
        'schedule = "daily"\n',
        encoding="utf-8",
    )
    res = vigie("crawl", config=cfg)
    assert res.returncode == 2
    assert "sources.fncs.schedule" in res.stderr and "daily" in res.stderr
    assert not (tmp_path / "data").exists()


def test_crawl_delivers_one_alert_per_new_match_and_none_when_unchanged(tmp_path, site_server):
    import email

    srv = site_server("listing_only")
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    assert crawl(cfg).returncode == 0
    outbox = tmp_path / "outbox"
    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) == 2  # two articles of the site mention SECPA
    subjects = [email.message_from_bytes(p.read_bytes())["Subject"] for p in mails]
    assert all("SECPA" in s or "Nouvelle" in s for s in subjects), subjects
    alerts = list(db_of(cfg).query("select * from alerts"))
    assert [a["status"] for a in alerts] == ["sent", "sent"]
    assert crawl(cfg).returncode == 0
    assert len(list(outbox.glob("*.eml"))) == 2
    assert db_of(cfg).execute("select count(*) from alerts").fetchone()[0] == 2


def test_terminal_shows_live_progress_and_a_summary_table(tmp_path, site_server):
    import os
    import pty
    import subprocess
    import sys

    srv = site_server("listing_only")
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    import threading

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read while the crawl runs: a full pty buffer would block it
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.run(
        [sys.executable, "-m", "monitor.cli.main", "--config", str(cfg), "crawl"],
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
        timeout=120,
    )
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    live = b"".join(chunks)
    assert proc.returncode == 0
    assert b"\rpress: " in live and b" items (" in live  # the live line, rewritten in place
    header = proc.stdout.splitlines()[0].split()
    assert header[:3] == ["source", "outcome", "pages"]
    assert proc.stdout.splitlines()[1].split()[:2] == ["press", "ok"]


def test_rematch_applies_new_terms_to_the_archive_without_recrawl_or_alert(tmp_path, site_server):
    srv = site_server("listing_only")
    cfg = write_config(tmp_path, {"press": {"spider": "site", "url": srv.base_url}})
    assert crawl(cfg).returncode == 0
    before = items(cfg)
    assert sum(r["matched"] for r in before.values()) == 2
    alerts_before = db_of(cfg).execute("select count(*) from alerts").fetchone()[0]
    srv.reset_counts()
    cfg = write_config(
        tmp_path,
        {"press": {"spider": "site", "url": srv.base_url}},
        watch={"terms": ["assistant* médica*"]},
    )
    res = vigie("rematch", config=cfg)
    assert res.returncode == 0, res.stderr
    after = items(cfg)
    matched = [u for u, r in after.items() if r["matched"]]
    assert matched == [f"{srv.base_url}/articles/assistants-medicaux-premier-bilan"]
    assert json.loads(after[matched[0]]["matched_terms"]) == ["assistant* médica*"]
    assert "3 changed their match" in res.stdout  # two no longer match, one now does
    assert srv.requests == []  # nothing fetched
    assert db_of(cfg).execute("select count(*) from alerts").fetchone()[0] == alerts_before
    assert db_of(cfg)["item_versions"].count == 0
