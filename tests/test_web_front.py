"""monitor.web: highlighting with the alerts' matcher, version diffs, the SVG chart, health order."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from monitor.ingest.match import Matcher
from monitor.web.chart import stacked_weeks, weeks_between
from monitor.web.front import Settings, health_rows, when
from monitor.web.highlight import marked, paragraphs
from monitor.web.history import versions, word_diff
from tests.conftest import TERMS


def test_marked_uses_the_alert_matcher_and_escapes():
    matcher = Matcher(TERMS, ["SECPA de Lyon"])
    html = marked("<b>SECPa</b> et SEC-PA ; la SECPA de Lyon n'est pas visée", matcher)
    assert html == (
        "&lt;b&gt;<mark>SECPa</mark>&lt;/b&gt; et <mark>SEC-PA</mark> ; "
        "la SECPA de Lyon n&#39;est pas visée"
    )
    assert marked("ISECPA", matcher) == "ISECPA"  # whole words, as in alerts
    assert paragraphs("a\n\nb SECPA", matcher) == (
        '<div class="vigie-text"><p>a</p><p>b <mark>SECPA</mark></p></div>'
    )


def test_versions_say_what_changed_newest_first():
    item = {
        "first_seen": "2026-03-01T08:00:00+00:00",
        "status": "answered",
        "title": "Nouveau titre",
        "answer_text": "Réponse complète et définitive.",
    }
    rows = [
        {
            "changed_at": "2026-03-02T08:00:00+00:00",
            "event": "text",
            "changed_fields": json.dumps(["title"]),
            "previous": json.dumps({"title": "Ancien titre"}),
        },
        {
            "changed_at": "2026-03-03T08:00:00+00:00",
            "event": "answered",
            "changed_fields": json.dumps(["status", "answer_text"]),
            "previous": json.dumps({"status": "pending", "answer_text": "Réponse complète."}),
        },
    ]
    out = versions(item, rows)
    assert [v.label for v in out] == ["Réponse publiée", "Texte modifié", "Première collecte"]
    status, answer = out[0].changes
    assert (status.label, status.before, status.after) == (
        "Statut",
        "en attente de réponse",
        "répondue",
    )
    assert answer.diff == "Réponse <del>complète.</del><ins>complète et définitive.</ins>"
    title = out[1].changes[0]
    assert (title.before, title.after) == ("Ancien titre", "Nouveau titre")


def test_word_diff_marks_words_and_escapes():
    assert word_diff("le <b> prolonge", "le <b> arrête") == (
        "le &lt;b&gt; <del>prolonge</del><ins>arrête</ins>"
    )


def test_chart_is_plain_svg_with_figures():
    weeks = weeks_between(date(2026, 1, 7), date(2026, 1, 20))
    assert weeks == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    svg = stacked_weeks({("2026-01-12", "A"): 2, ("2026-01-12", "B"): 1}, weeks, ["A", "B"], "T")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg.count("<rect") == 2 and "semaine du 12/01/2026 : B, 1" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_health_broken_first_and_next_run():
    settings = Settings(
        {
            "labels": {"a": "Alpha", "b": "Bravo", "c": "Charlie"},
            "schedules": {"a": "0 7 * * *", "b": "0 7 * * *", "c": "30 8 * * *"},
            "enabled": {"a": True, "b": True, "c": False},
        }
    )
    rows = [
        {"source": "a", "state": "ok", "last_success": "2026-03-01T06:00:00+00:00"},
        {"source": "b", "state": "broken", "consecutive_failures": 3, "last_reason": "HTTP 503"},
    ]
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    out = health_rows(rows, settings, now)
    assert [(h["label"], h["state"]) for h in out] == [
        ("Bravo", "broken"),
        ("Charlie", "never"),
        ("Alpha", "ok"),
    ]
    assert out[0]["next_run"] == "2 mars 2026 à 07:00" and out[0]["failures"] == 3
    assert out[1]["next_run"] == ""  # disabled
    assert out[2]["last_success"] == when("2026-03-01T06:00:00+00:00") == "1 mars 2026 à 07:00"
