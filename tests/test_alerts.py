"""monitor.alerts.policy: which item outcomes become alerts (table-driven), and who receives them."""

from __future__ import annotations

import json

import pytest

from monitor.alerts.policy import item_event, recipients_for, truncate

BASE = {
    "id": "an:QANR5L17QE13024",
    "source": "assemblee",
    "kind": "question",
    "qtype": "QE",
    "number": 13024,
    "title": "Avenir des SECPA",
    "status": "pending",
    "answer_text": None,
    "ministry_answering": "Santé",
    "matched": 1,
    "matched_terms": json.dumps(["SECPA"]),
    "followed": 0,
    "body": "Question sur les SECPA.",
}


def row(**changes):
    return {**BASE, **changes}


CASES = [
    # (case, outcome, record, previous, changed fields, expected event, expected kind)
    ("unchanged never alerts", "unchanged", row(), row(), [], None, None),
    ("new matched", "new", row(), None, [], "new_match", "new"),
    (
        "new followed, not matched",
        "new",
        row(matched=0, matched_terms="[]", followed=1),
        None,
        [],
        "new_match",
        "new",
    ),
    ("new neither", "new", row(matched=0, matched_terms="[]"), None, [], None, None),
    (
        "answer published",
        "changed",
        row(status="answered", answer_text="Réponse."),
        row(),
        ["status", "answer_text", "answered_on"],
        "item_changed",
        "answered",
    ),
    (
        "status change",
        "changed",
        row(status="closed", closed_reason="retirée"),
        row(),
        ["status", "closed_reason"],
        "item_changed",
        "status",
    ),
    (
        "ministry change",
        "changed",
        row(ministry_answering="Travail"),
        row(),
        ["ministry_answering"],
        "item_changed",
        "ministry",
    ),
    (
        "text change of a matched article",
        "changed",
        row(kind="article", body="Nouveau texte SECPA"),
        row(kind="article"),
        ["body"],
        "item_changed",
        "text",
    ),
    (
        "starts matching",
        "changed",
        row(body="SECPA"),
        row(matched=0, matched_terms="[]", body="rien"),
        ["body", "matched", "matched_terms"],
        "item_changed",
        "newly_matched",
    ),
    (
        "stops matching",
        "changed",
        row(matched=0, matched_terms="[]", body="rien"),
        row(),
        ["body", "matched", "matched_terms"],
        "item_changed",
        "text",
    ),
    (
        "followed question changes",
        "changed",
        row(matched=0, matched_terms="[]", followed=1, status="answered"),
        row(matched=0, matched_terms="[]", followed=1),
        ["status"],
        "item_changed",
        "answered",
    ),
    (
        "neither matched nor followed",
        "changed",
        row(matched=0, matched_terms="[]", body="b"),
        row(matched=0, matched_terms="[]"),
        ["body"],
        None,
        None,
    ),
    ("reformatted date only", "changed", row(), row(), ["published_raw", "last_seen"], None, None),
    (
        "real date change",
        "changed",
        row(published="2026-01-02"),
        row(published="2026-01-01"),
        ["published"],
        "item_changed",
        "fields",
    ),
]


@pytest.mark.parametrize(
    ("case", "outcome", "record", "previous", "changed", "event", "kind"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_item_event(case, outcome, record, previous, changed, event, kind):
    result = item_event(outcome, record, previous, changed)
    if event is None:
        assert result is None
        return
    assert result["event"] == event
    assert result["payload"]["kind"] == kind
    json.dumps(result["payload"])  # JSON-able


def test_one_alert_lists_every_changed_field_with_before_and_after():
    previous = row()
    record = row(
        status="answered",
        answer_text="x" * 5000,
        ministry_answering="Travail",
        title="Nouveau titre",
    )
    fields = ["status", "answer_text", "ministry_answering", "title"]
    payload = item_event("changed", record, previous, fields)["payload"]
    assert payload["changed_fields"] == fields
    assert payload["kinds"][0] == "answered" and {"ministry", "text"} <= set(payload["kinds"])
    assert payload["changes"]["status"] == {"previous": "pending", "new": "answered"}
    assert payload["changes"]["ministry_answering"] == {"previous": "Santé", "new": "Travail"}
    assert len(payload["changes"]["answer_text"]["new"]) < 700  # truncated, the field still listed


def test_truncate_cuts_on_a_word():
    assert truncate("court") == "court"
    text = "mot " * 400
    cut = truncate(text, 50)
    assert cut.endswith(" …") and len(cut) <= 52 and cut[:-2].endswith("mot")


def test_recipients_for_dedups_and_keeps_order():
    assert recipients_for(["a@x.org", "b@x.org"], ["B@x.org", "c@x.org", "a@x.org"]) == [
        "a@x.org",
        "b@x.org",
        "c@x.org",
    ]
    assert recipients_for([], ["c@x.org"]) == ["c@x.org"]
    assert recipients_for(["a@x.org"], []) == ["a@x.org"]


@pytest.mark.parametrize(
    ("previous", "record", "fields", "event"),
    [
        (
            {"matched": 1},
            {"matched": 1, "answer_text": "Oui", "status": "answered"},
            ["answer_text", "status", "answered_on"],
            "answered",
        ),
        (
            {"matched": 1, "status": "pending"},
            {"matched": 1, "status": "closed"},
            ["status", "closed_reason"],
            "closed",
        ),
        (
            {"matched": 1, "status": "pending"},
            {"matched": 1, "status": "signalee"},
            ["status"],
            "signalee",
        ),
        ({"matched": 1}, {"matched": 1}, ["ministry_answering"], "ministry"),
        ({"matched": 1}, {"matched": 1}, ["body"], "text"),
        ({"matched": 0}, {"matched": 1}, ["body"], "newly_matched"),
    ],
)
def test_version_event_names_the_change(previous, record, fields, event):
    from monitor.alerts.policy import version_event

    assert version_event(previous, record, fields) == event
