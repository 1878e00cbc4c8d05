"""Item → record: what counts as the same content, and what never gets stored."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitor.ingest.dates import PARIS
from monitor.ingest.normalize import NormalizeError, article_record, content_hash, question_record
from spiders.items import ArticleItem, QuestionItem

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=PARIS)
URL = "https://www.fncs.org/fin-brutale-de-l-experimentation-secpa-article-51"


def art(**kw) -> ArticleItem:
    return ArticleItem(
        **{
            "source": "fncs",
            "url": URL,
            "title": "Fin brutale",
            "body": "<p>Texte SECPA.</p>",
            **kw,
        }
    )


def test_reformatted_date_and_whitespace_are_not_a_change():
    a = article_record(art(date_raw="17 février 2026", body="<p>Texte   SECPA.</p>\n"), NOW)
    b = article_record(art(date_raw="2026-02-17", body="Texte SECPA."), NOW)
    c = article_record(
        art(date_raw="Mardi 17 février 2026", body="<div>Texte&nbsp;SECPA.</div>"), NOW
    )
    assert a.published == b.published == c.published == "2026-02-17"
    assert a.published_raw != b.published_raw  # the original text is kept beside it
    assert content_hash(a) == content_hash(b) == content_hash(c)


def test_a_real_text_change_changes_the_hash():
    a = article_record(art(), NOW)
    b = article_record(art(body="<p>Texte SECPA. Mise à jour : prolongé.</p>"), NOW)
    assert content_hash(a) != content_hash(b)


def test_canonical_url_is_the_id():
    r = article_record(art(url="https://www.fncs.org/node/51", canonical_url=URL), NOW)
    assert r.id == r.url == URL


@pytest.mark.parametrize("raw", ["31 février 2026", "17 février 2031", "page 1349"])
def test_impossible_or_future_dates_are_unknown_not_guessed(raw, caplog):
    r = article_record(art(date_raw=raw), NOW)
    assert r.published is None and r.published_raw == raw
    assert URL in caplog.text


def test_garbage_is_refused():
    with pytest.raises(NormalizeError):
        article_record(ArticleItem(source="fncs", url=URL, title="  ", body="<p> </p>"), NOW)
    with pytest.raises(NormalizeError):
        question_record(QuestionItem(source="an", chamber="AN", uid="", url="u"), NOW)


def test_question_status_dates_and_follow():
    q = QuestionItem(
        source="assemblee",
        chamber="AN",
        uid="QANR5L17QE13024",
        url="https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE13024",
        question_date_raw="2026-02-17",
        answer_date_raw="14/04/2026",
        answer_text="<p>Réponse&nbsp;: oui.</p>",
        title="Destruction de l'expérimentation SECPA",
    )
    r = question_record(q, datetime(2026, 5, 1, tzinfo=PARIS), {"QANR5L17QE13024"})
    assert (r.status, r.published, r.answered_on, r.followed) == (
        "answered",
        "2026-02-17",
        "2026-04-14",
        1,
    )
    assert r.answer_text == "Réponse : oui."


def test_id_rule_article_url_question_uid():
    """The documented contract of ``items.id`` (storage/migrations.py ITEM_COLUMNS, README):
    an article's URL (canonical when declared, else as fetched; no source prefix), a question's
    official uid."""
    plain = article_record(art(), NOW)
    assert plain.id == URL and not plain.id.startswith("fncs:")
    moved = article_record(art(url=URL + "?utm=x", canonical_url=URL), NOW)
    assert moved.id == URL
    q = QuestionItem(
        source="senat",
        chamber="SENAT",
        uid="SEQ260201234",
        url="https://www.senat.fr/questions/base/2026/qSEQ260201234.html",
        title="Question",
    )
    assert question_record(q, NOW).id == "SEQ260201234"
