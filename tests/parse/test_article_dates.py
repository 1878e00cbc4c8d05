"""Issue 13: every date source weighed (spiders/parse/article_dates.py), the formats met in the
wild read (spiders/parse/date_text.py), and the time-zone rule, the same in the spider and in
monitor/ingest/dates.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from monitor.ingest.dates import normalize_date
from monitor.ingest.normalize import article_record
from spiders.items import ArticleItem
from spiders.parse.article import parse_article
from spiders.parse.date_text import cut_date, day_of

NOW = datetime(2026, 3, 1, 12, 0)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("20201123T11:02:35Z", date(2020, 11, 23)),
        ("Tue Jan 28 15:28:56 CET 2020", date(2020, 1, 28)),
        ("Tue, Sep 15 2020 10:01:41 EDT", date(2020, 9, 15)),
        (
            "2020-12-05T23:15:0Z",
            date(2020, 12, 6),
        ),  # UTC, one-digit seconds: Paris is past midnight
        ("Publié le Samedi 28 février 2026 à 17h00", date(2026, 2, 28)),
        ("1er avril 2025", date(2025, 4, 1)),
        ("3 févr. 2026", date(2026, 2, 3)),
        ("1 sept. 2024", date(2024, 9, 1)),
        ("05/02/2026", date(2026, 2, 5)),
        ("September 15, 2020", date(2020, 9, 15)),
        ("Tue, 03 Feb 2026 09:12:00 +0100", date(2026, 2, 3)),
    ],
)
def test_formats_read_by_the_spider_and_by_normalize_alike(text, day):
    assert day_of(text) == day
    assert normalize_date(text, NOW)[:10] == day.isoformat()


@pytest.mark.parametrize(
    ("text", "day", "stored"),
    [
        # an explicit offset keeps its own calendar day (and its offset)
        ("2020-06-01T23:30:00-04:00", "2020-06-01", "2020-06-01T23:30:00-04:00"),
        ("2020-03-05T01:00:00+09:00", "2020-03-05", "2020-03-05T01:00:00+09:00"),
        # UTC is expressed in Europe/Paris, which may be the next day
        ("2020-06-01T22:30:00Z", "2020-06-02", "2020-06-02T00:30:00+02:00"),
        ("2021-12-31T23:30:00+00:00", "2022-01-01", "2022-01-01T00:30:00+01:00"),
        ("Wed, 03 Dec 2025 23:30:00 GMT", "2025-12-04", "2025-12-04T00:30:00+01:00"),
        # no zone: Paris local time, its own day
        ("2024-10-27 00:30", "2024-10-27", "2024-10-27T00:30:00+02:00"),
    ],
)
def test_time_zone_rule(text, day, stored):
    assert day_of(text).isoformat() == day
    assert normalize_date(text, NOW) == stored


def test_cut_date_keeps_only_the_date_words():
    assert cut_date("Publié le 3 févr. 2026 par Claire Martin") == "3 févr. 2026"
    assert cut_date("Vendredi 13 février 2026") == "Vendredi 13 février 2026"
    assert cut_date("Pas de date ici") is None


def page(head: str = "", header: str = "", body: str = "", before: str = "") -> str:
    text = "<p>" + "La fédération rappelle l’importance des centres de santé. " * 6 + "</p>"
    return (
        f"<html><head><meta charset='utf-8'><title>T</title>{head}</head><body>{before}"
        f"<main><article><h1>Un titre d’article</h1>{header}{body or text}</article></main>"
        "<footer><p>© 2026</p></footer></body></html>"
    )


def test_visible_text_of_time_beats_its_hidden_attribute():
    html = page(header='<p><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time></p>')
    a = parse_article(html, "https://x.example/a")
    assert (a.date_raw, a.date_source) == ("29 juin 2019", "byline")


def test_time_of_a_related_block_before_the_article_is_ignored():
    sidebar = (
        '<aside class="sidebar"><h2>Articles similaires</h2>'
        '<time datetime="2022-02-01T09:00:00+01:00">1 février 2022</time></aside>'
    )
    html = page(before=sidebar, header='<p><time datetime="2021-11-18T14:00:00+01:00"></time></p>')
    a = parse_article(html, "https://x.example/a")
    assert (a.date_raw, a.date_source) == ("2021-11-18T14:00:00+01:00", "time")


def test_byline_beats_a_contradicting_json_ld_date():
    ld = '{"@type": "NewsArticle", "datePublished": "2021-05-10T08:00:00+02:00"}'
    html = page(
        head=f'<script type="application/ld+json">{ld}</script>',
        header='<p class="byline">Publié le 3 mai 2021</p>',
    )
    a = parse_article(html, "https://x.example/a")
    assert (a.date_raw, a.date_source) == ("3 mai 2021", "byline")
    assert not a.extensive_used


def test_byline_agreeing_with_structured_date_keeps_the_precise_text():
    html = page(
        head='<meta property="article:published_time" content="2021-05-03T08:00:00+02:00">',
        header='<p class="byline">Publié le 3 mai 2021</p>',
    )
    a = parse_article(html, "https://x.example/a")
    assert (a.date_raw, a.date_source) == ("2021-05-03T08:00:00+02:00", "meta")


def test_a_refused_format_no_longer_stops_the_search():
    html = page(
        head='<meta property="article:published_time" content="Tue Jan 28 15:28:56 CET 2020">'
    )
    a = parse_article(html, "https://x.example/a")
    assert a.date_source == "meta"
    assert normalize_date(a.date_raw, NOW) == "2020-01-28T15:28:56+01:00"


def test_disagreeing_structured_dates_settled_by_the_url_without_extensive_search():
    ld = '{"@type": "Article", "datePublished": "2020-09-15T10:00:00+02:00"}'
    html = page(
        head=f'<script type="application/ld+json">{ld}</script>'
        '<meta property="article:published_time" content="2020-10-01T10:00:00+02:00">'
    )
    a = parse_article(html, "https://x.example/2020/09/15/slug/")
    assert (a.date_source, a.extensive_used) == ("jsonld", False)
    assert a.date_note == "the URL date settles the structured dates"


def test_extensive_search_runs_only_without_cheap_dates():
    cheap = page(
        head='<meta property="article:published_time" content="2020-10-01T10:00:00+02:00">'
    )
    assert not parse_article(cheap, "https://x.example/a").extensive_used
    nothing = page()
    a = parse_article(nothing, "https://x.example/a")
    assert a.extensive_used
    assert a.date_raw is None  # htmldate's answer was the footer's "© 2026": a year, not a day


def test_dateline_opening_the_text():
    body = (
        "<p>Lyon, le 12 mars 2024 — la fédération a réuni ses adhérents. " + "Texte. " * 40 + "</p>"
    )
    a = parse_article(page(body=body), "https://x.example/a")
    assert (a.date_raw, a.date_source) == ("12 mars 2024", "byline")


def test_published_beats_updated_in_the_same_line():
    a = parse_article(
        page(header="<p>Mis à jour le 12/01/2026 — Publié le 09/01/2026</p>"), "https://x.example/a"
    )
    assert a.date_raw == "09/01/2026"


def test_date_source_travels_to_the_record_and_is_dropped_with_an_unusable_date():
    item = ArticleItem(
        source="s",
        url="https://x.example/a",
        title="T",
        date_raw="3 mai 2021",
        date_source="byline",
    )
    rec = article_record(item, NOW)
    assert (rec.published, rec.published_raw, rec.date_source) == (
        "2021-05-03",
        "3 mai 2021",
        "byline",
    )
    item.date_raw = "31 février 2021"
    assert article_record(item, NOW).date_source is None


def test_the_migration_adds_date_source(tmp_path):
    from storage.db import open_db

    db = open_db(tmp_path / "v.db")
    assert "date_source" in db.table("items").columns_dict
