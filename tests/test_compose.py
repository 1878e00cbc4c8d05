"""monitor.alerts.compose: subjects, both parts, highlight, escaping of hostile scraped text, digest."""

from __future__ import annotations

import email
import json
from email import policy

import pytest

from monitor.alerts.compose import compose_alert, compose_digest, subject

TERMS = ["SECPA", "maison* de santé"]
QUESTION = {
    "id": "an:QANR5L17QE13024",
    "source": "assemblee",
    "kind": "question",
    "qtype": "QE",
    "number": 13024,
    "title": "Avenir des SECPA",
    "author": "Mme Dupont",
    "published": "2026-01-13T00:00:00+01:00",
    "status": "answered",
    "ministry_answering": "Santé et accès aux soins",
    "url": "https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE13024",
    "matched": 1,
    "matched_terms": '["SECPA"]',
    "match_fields": '{"SECPA": ["title", "body"]}',
    "snippet": "… l'avenir des SECPA et des maisons de santé …",
}
ARTICLE = {
    "id": "fncs:https://www.fncs.org/a",
    "source": "fncs",
    "kind": "article",
    "title": "Fin de l'expérimentation Secpa",
    "url": "https://www.fncs.org/a",
    "matched": 1,
    "matched_terms": '["SECPA"]',
    "match_fields": '{"SECPA": ["body"]}',
    "snippet": "Les SÉCPA et la Sécpa : fin brutale.",
    "published": "2026-02-28T17:00:00+01:00",
}


def alert(event="new_match", source="fncs", item_id=None, **payload):
    return {
        "id": 7,
        "event": event,
        "source": source,
        "item_id": item_id,
        "created": "2026-03-01T07:00:00+00:00",
        "payload": json.dumps({"kind": "new", "matched_terms": ["SECPA"], **payload}),
    }


def roundtrip(msg):
    return email.message_from_bytes(msg.as_bytes(policy=policy.SMTP), policy=policy.default)


def compose(a, item):
    msg = compose_alert(
        a,
        item,
        recipient="alice@example.org",
        sender="Vigie <vigie@vigie.test>",
        message_id="<vigie.7.abc@vigie.test>",
        terms=TERMS,
    )
    return roundtrip(msg)


@pytest.mark.parametrize(
    ("a", "item", "expected"),
    [
        (alert(kind="answered"), QUESTION, "Réponse publiée — QE 13024 — SECPA"),
        (alert(), ARTICLE, "Nouvelle mention — FNCS — SECPA"),
        (alert(), QUESTION, "Nouvelle question — QE 13024 — SECPA"),
        (alert(kind="status"), QUESTION, "Statut modifié — QE 13024 — SECPA"),
        (alert(kind="newly_matched"), ARTICLE, "Nouvelle mention — FNCS — SECPA"),
        (alert("health_broken", reason="HTTP 503"), None, "Source en panne — fncs"),
        (alert("health_recovered"), None, "Source rétablie — fncs"),
        (alert("health_reminder"), None, "Source toujours en panne — fncs"),
        (alert("health_stale"), None, "Source sans nouveauté — fncs"),
        (alert("health_missed", reason="run due 07:15 skipped"), None, "Exécution manquée — fncs"),
        (
            alert(kind="answered", matched_terms=[]),
            {**QUESTION, "matched_terms": "[]"},
            "Réponse publiée — QE 13024 — question suivie",
        ),
    ],
)
def test_subjects(a, item, expected):
    assert subject(a, item) == expected
    assert compose(a, item)["Subject"] == expected  # survives RFC 2047 encoding


def test_headers_and_both_parts():
    msg = compose(
        alert(
            "item_changed",
            "assemblee",
            kind="answered",
            changed_fields=["status"],
            changes={"status": {"previous": "pending", "new": "answered"}},
        ),
        QUESTION,
    )
    assert msg["Message-ID"] == "<vigie.7.abc@vigie.test>"
    assert msg["To"] == "alice@example.org" and msg["From"] == "Vigie <vigie@vigie.test>"
    assert msg["X-Vigie-Alert"] == "7"
    assert msg["Date"] == "Sun, 01 Mar 2026 07:00:00 +0000"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for text in (plain, html):
        assert "assemblee" in text and "Question écrite" in text and "Mme Dupont" in text
        assert "13 janvier 2026" in text and "Santé et accès aux soins" in text
        assert "dans : titre, texte" in text
        assert "https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE13024" in text
    assert "Modifié — Statut : en attente de réponse → répondue" in plain
    assert "<del>en attente de réponse</del> → <ins>répondue</ins>" in html
    assert "**SECPA**" in plain and "**maisons de santé**" in plain
    assert "<mark>SECPA</mark>" in html and "<mark>maisons de santé</mark>" in html


def test_highlight_folds_case_and_accents():
    html = compose(alert(), ARTICLE).get_body(("html",)).get_content()
    assert "<mark>SÉCPA</mark>" in html and "<mark>Sécpa</mark>" in html


def test_hostile_scraped_text_is_text_not_markup():
    hostile = {
        **ARTICLE,
        "title": "SECPA <script>alert('x')</script>",
        "author": '<img src=x onerror="alert(1)">',
        "snippet": 'Le SECPA <a href="https://evil.example">cliquez</a> & co',
        "url": "javascript:alert(1)",
    }
    html = compose(alert(), hostile).get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and 'evil.example">' not in html
    assert "&lt;script&gt;" in html and "&lt;a href=&quot;https://evil.example&quot;&gt;" in html
    assert 'href="javascript' not in html  # only http(s) URLs become links
    assert "&amp; co" in html


def test_health_alert_body():
    a = alert(
        "health_broken",
        reason="HTTP 503 on https://fncs.example.org/",
        failures=3,
        last_success="2026-02-27T06:00:00+00:00",
    )
    plain = compose(a, None).get_body(("plain",)).get_content()
    assert "Raison : HTTP 503 on https://fncs.example.org/" in plain
    assert "Échecs consécutifs : 3" in plain and "27 février 2026" in plain


def test_digest_groups_by_source_then_kind():
    members = [
        (dict(alert(), id=1, source="fncs"), ARTICLE),
        (dict(alert(), id=2, source="fncs"), {**ARTICLE, "title": "Deuxième SECPA"}),
        (dict(alert("item_changed", "assemblee", kind="answered"), id=3), QUESTION),
    ]
    digest = {"id": 9, "event": "digest", "created": "2026-03-02T07:00:00+00:00", "payload": "{}"}
    msg = roundtrip(
        compose_digest(
            digest,
            members,
            recipient="a@x.org",
            sender="v@vigie.test",
            message_id="<vigie.9.x@vigie.test>",
            terms=TERMS,
        )
    )
    assert msg["Subject"] == "Vigie — résumé du 2 mars 2026 — 3 alertes"
    plain = msg.get_body(("plain",)).get_content()
    an, fncs = (
        plain.index("■ ASSEMBLEE — Réponse publiée (1)"),
        plain.index("■ FNCS — Nouvelle mention (2)"),
    )
    assert an < plain.index("Avenir des SECPA") < fncs < plain.index("Deuxième SECPA")


def test_subject_uses_the_source_label():
    """A source's `label` (config) names it in subjects and digest headings (issue 17)."""
    labels = {"fncs": "Fédération des centres de santé"}
    assert subject(alert(), ARTICLE, labels) == (
        "Nouvelle mention — Fédération des centres de santé — SECPA"
    )
    assert subject(alert("health_broken"), None, labels) == (
        "Source en panne — Fédération des centres de santé"
    )
    assert subject(alert(), ARTICLE, {"other": "X"}) == "Nouvelle mention — FNCS — SECPA"
