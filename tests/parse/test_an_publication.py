"""Daily publication lists and the shared JSON helpers."""

from __future__ import annotations

import pytest

from spiders.parse.an_decision import decision
from spiders.parse.an_json import clean, code_label, iso_utc, many, obj, text
from spiders.parse.an_publication import parse_publication_list, uid_kind
from tests.support.anlegis_fixtures import AM, PPL, REUNION_2
from tests.support.siteserver import Site


def test_list_of_day_two():
    body, _ = Site("an_legis").fetch("/dyn/opendata/list-publication/publication_2026-03-11")
    entries, bad = parse_publication_list(body)
    got = {e.uid: (e.timestamp, e.kind) for e in entries}
    assert got[AM[1]] == ("2026-03-11T09:00:00Z", "amendment")
    assert got[REUNION_2] == ("2026-03-11T10:30:00Z", "agenda")
    assert got["QANR5L17QE13024"][1] is None
    assert len(entries) == 5 and bad == ["garbage line without separator"]


def test_duplicate_uid_keeps_newest_and_blank_lines_ignored():
    body = (
        f"\ufeff2026-03-11T10:00:00+01:00;https://www.assemblee-nationale.fr/dyn/opendata/{PPL}.xml\n\n"
        f"2026-03-11T12:00:00+01:00;https://www.assemblee-nationale.fr/dyn/opendata/{PPL}.xml\r\n"
        "2026-03-11T12:00:00+01:00;https://www.assemblee-nationale.fr/dyn/opendata/\n"
    )
    entries, bad = parse_publication_list(body.encode())
    assert [(e.uid, e.timestamp, e.kind) for e in entries] == [
        (PPL, "2026-03-11T11:00:00Z", "document")
    ]
    assert len(bad) == 1


@pytest.mark.parametrize(
    ("uid", "kind"),
    [
        ("PRJLANR5L17B1234", "document"),
        ("RAPPANR5L17B2650", "document"),
        ("TAANR5L17TA0123", "document"),
        ("DLR5L17N51234", "dossier"),
        ("CRSANR5L17S2026O1N150", "debate"),
        ("PA795136", None),
    ],
)
def test_uid_kinds(uid, kind):
    assert uid_kind(uid) == kind


@pytest.mark.parametrize(
    ("code", "label", "status"),
    [
        ("ADO", "Adopté", "adopted"),
        ("REJ", None, "rejected"),
        (None, "Retiré", "withdrawn"),
        ("TOM", None, "fallen"),
        ("NSO", None, "not_moved"),
        (None, "non défendu", "not_moved"),
        ("IRR45", None, "inadmissible"),
        (None, "IRRECEVABLE", "inadmissible"),
        (None, "en traitement", "pending"),
        (None, "A discuter", "pending"),
        (None, "Satisfait", "unknown"),
        ("ZZZ", None, "unknown"),
        (None, None, None),
    ],
)
def test_decision_table(code, label, status):
    assert decision(code, label) == status


def test_json_helpers():
    nil = {"@xsi:nil": "true"}
    assert many(nil) == [] and many({"a": 1}) == [{"a": 1}] and many([1, nil, 2]) == [1, 2]
    assert obj([{"a": 1}, {"a": 2}]) == {"a": 2} and obj(nil) == {}
    assert text(nil) is None and text({"#text": " 12 "}) == "12" and text("  ") is None
    assert code_label({"code": "ADO", "libelle": "Adopté"}) == ("ADO", "Adopté")
    assert code_label("Adopté") == (None, "Adopté") and code_label(nil) == (None, None)
    assert clean("<p>A&amp;eacute;</p><p>B&nbsp;C</p>") == "Aé\nB C"
    assert clean("R&D et AT&T") == "R&D et AT&T"
    assert clean("&lt;p&gt;Les &lt;i&gt;SECPA&lt;/i&gt;&lt;/p&gt;") == "Les SECPA"
    assert clean("<table><tr><td>a</td><td>b</td></tr></table>x &lt; y") == "a b\nx < y"
    assert clean({"@xsi:nil": "true"}) is None and clean("<p> </p>") is None
    assert iso_utc("2026-03-11T10:00:00.000+01:00") == "2026-03-11T09:00:00Z"
    assert iso_utc("Tue, 10 Mar 2026 03:00:00 GMT") == "2026-03-10T03:00:00Z"
    assert iso_utc("1773219600") == "2026-03-11T09:00:00Z" and iso_utc("hier") is None
