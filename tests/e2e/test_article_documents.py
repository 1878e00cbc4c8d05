"""Issue 13 over a real crawl: a federation's short press releases are stored, their PDFs become
items of kind ``document``; broken PDFs are logged and skipped; an unchanged PDF is not fetched
twice; the pages left out as not articles are named at INFO."""

from __future__ import annotations

import pytest

from tests.conftest import db_of, vigie, write_config

pytestmark = pytest.mark.e2e


def test_short_releases_and_their_pdfs(tmp_path, site_server):
    srv = site_server("federation_pdf")
    cfg = write_config(tmp_path, {"fede": {"spider": "site", "url": srv.base_url}})
    res = vigie("crawl", config=cfg)
    assert res.returncode == 0, res.stderr[-3000:]
    db = db_of(cfg)
    base = srv.base_url
    got = {r["url"]: r for r in db.query("select * from items")}
    release = got[f"{base}/communiques/moratoire"]
    assert release["kind"] == "article"
    assert release["title"] == "La fédération demande un moratoire"  # site name cut
    assert release["published"] == "2026-01-12T09:00:00+01:00"
    assert release["date_source"] == "meta"
    pdf = got[f"{base}/files/cp-moratoire.pdf"]
    assert pdf["kind"] == "document"
    assert pdf["title"] == "La fédération demande un moratoire sur la fin des SECPA"
    assert pdf["published"] == "2026-01-12"
    assert (pdf["date_source"], pdf["published_raw"]) == ("pdf-text", "12 janvier 2026")
    assert pdf["matched"] == 1 and "SECPA" in pdf["body"]
    report = got[f"{base}/files/rapport-2025.pdf"]  # listed by the sitemap only
    assert report["kind"] == "document" and report["date_source"] == "pdf-metadata"
    assert report["published"] == "2025-12-15T15:30:00+01:00"  # UTC → Paris
    assert not any(u.endswith(("chiffree.pdf", "scan.pdf", "casse.pdf")) for u in got)
    log = res.stderr
    assert f"skipped PDF {base}/files/lettre-chiffree.pdf: encrypted PDF" in log
    assert f"skipped PDF {base}/files/scan.pdf: no text layer" in log
    assert f"skipped PDF {base}/files/casse.pdf: broken PDF" in log
    assert f"linked PDF missing: {base}/files/absent.pdf (404)" in log
    # the sitemap lists the listing page too: left out, with the reason, and named at the end
    assert f"not an article: {base}/communiques (listing: 2 post cards" in log
    assert f"1 page(s) not taken as articles: {base}/communiques (listing" in log
    assert f"{base}/communiques/moratoire: short article" in log
    run = list(db.query("select * from runs"))[0]
    assert run["outcome"] == "ok" and run["errors"] == 1, run  # the broken PDF

    srv.reset_counts()
    again = vigie("crawl", config=cfg)
    assert again.returncode == 0, again.stderr[-3000:]
    assert srv.count("/files/cp-moratoire.pdf") == 0  # unchanged: never fetched twice
    assert srv.count("/files/rapport-2025.pdf") == 0
    run = list(db_of(cfg).query("select * from runs order by id desc limit 1"))[0]
    assert run["items_new"] == 0 and run["items_changed"] == 0
