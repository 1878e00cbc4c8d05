"""Amendment records → LegisItem: every field, the decision table, and the traps of SITES.md."""

from __future__ import annotations

import copy
import json

import pytest

from spiders.parse.an_amendment import amendment_status, parse_amendment
from spiders.parse.an_json import RecordError
from tests.parse.anlegis_samples import sample
from tests.support.anlegis_fixtures import AM, AM_UNKNOWN, DOSSIER, PPL, make_amendment

SITE = "https://www.assemblee-nationale.fr"
MEMBER = f"json/{DOSSIER}/{PPL}/{AM[1]}.json"


def test_every_field_of_a_pending_amendment():
    item = parse_amendment(sample(AM[1]), member=MEMBER, site_url=SITE)
    assert (item.kind, item.uid, item.chamber, item.legislature, item.number) == (
        "amendment",
        AM[1],
        "AN",
        17,
        "1",
    )
    assert item.url == f"{SITE}/dyn/17/amendements/{AM[1]}"
    assert item.title == "Amendement n° 1 (Art. 1er)"
    assert item.published_raw == "2026-02-20"
    assert (item.status, item.status_label) == ("pending", "En traitement")
    f = item.fields
    assert (f["text_uid"], f["dossier_uid"], f["article"]) == (PPL, DOSSIER, "Art. 1er")
    assert (f["author_ref"], f["group_ref"]) == ("PA795136", "PO845413")
    assert f["cosignatory_refs"] == ["PA720000", "PA842279"]
    assert (f["date_tabled"], f["date_published"], f["date_decided"]) == (
        "2026-02-20",
        "2026-02-20",
        None,  # {"@xsi:nil": "true"} → None, never "{...}"
    )
    assert f["dispositif"] == "Supprimer l'alinéa 3."
    # entities, double-escaped entity (&amp;agrave;) and markup → clean text
    assert f["expose"] == (
        "Cet amendement vise à pérenniser le financement des SECPA au-delà de l'expérimentation."
    )
    assert item.text == f"{f['dispositif']}\n\n{f['expose']}"
    assert item.parents == [PPL, DOSSIER]


def test_decision_as_code_label_object_and_single_cosigner_string():
    item = parse_amendment(sample(AM[2]))
    assert (item.status, item.status_label) == ("rejected", "Rejeté")
    assert item.fields["date_decided"] == "2026-03-04"
    assert item.fields["cosignatory_refs"] == ["PA842279"]  # string, not list
    assert item.fields["dossier_uid"] is None and item.parents == [PPL]  # no member path


def test_adopted_version_from_the_daily_list():
    item = parse_amendment(sample(AM[1], state="adopted"))
    assert (item.status, item.status_label, item.fields["date_decided"]) == (
        "adopted",
        "Adopté",
        "2026-03-11",
    )


def test_unknown_decision_label_kept():
    item = parse_amendment(sample(AM_UNKNOWN))
    assert (item.status, item.status_label) == ("unknown", "Satisfait")


@pytest.mark.parametrize(
    ("sort", "etat", "expected"),
    [
        (None, "En traitement", ("pending", "En traitement")),
        ("Adopté", None, ("adopted", "Adopté")),
        ({"code": "TOM", "libelle": "Tombé"}, None, ("fallen", "Tombé")),
        ({"code": "RET", "libelle": "Retiré"}, None, ("withdrawn", "Retiré")),
        ("Non soutenu", None, ("not_moved", "Non soutenu")),
        ({"code": "NDE", "libelle": "Non défendu"}, None, ("not_moved", "Non défendu")),
        (None, {"code": "IRR40", "libelle": "Irrecevable 40"}, ("inadmissible", "Irrecevable 40")),
        (None, "A discuter", ("pending", "A discuter")),
        (None, None, ("pending", None)),
    ],
)
def test_status_from_sort_or_etat(sort, etat, expected):
    life = {
        "sort": sort if sort is not None else {"@xsi:nil": "true"},
        "etatDesTraitements": {"etat": etat, "sousEtat": {"@xsi:nil": "true"}},
    }
    assert amendment_status(life) == expected


def test_list_node_takes_the_current_state_and_objects_where_lists_are_expected():
    rec = make_amendment(AM[3], 3, PPL, cosigners=["PA1", "PA2"])
    rec["amendement"]["cycleDeVie"] = [  # object-or-list: the last one is the current state
        {"dateDepot": "2026-02-01", "sort": "Rejeté"},
        {"dateDepot": "2026-02-20", "sort": {"code": "ADO", "libelle": "Adopté"}},
    ]
    item = parse_amendment(rec)
    assert (item.status, item.published_raw) == ("adopted", "2026-02-20")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda a: a["cycleDeVie"].pop("dateDepot"), "missing cycleDeVie.dateDepot"),
        (lambda a: a.update(identification={"@xsi:nil": "true"}), "missing number"),
        (lambda a: a.update(texteLegislatifRef=None), "missing texteLegislatifRef"),
    ],
)
def test_missing_fields_name_the_uid(mutate, reason):
    rec = copy.deepcopy(make_amendment(AM[3], 3, PPL))
    mutate(rec["amendement"])
    with pytest.raises(RecordError) as err:
        parse_amendment(rec)
    assert err.value.uid == AM[3] and reason in err.value.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not JSON"),
        (json.dumps({"document": {}}).encode(), "root object is not 'amendement'"),
        (json.dumps({"amendement": {"uid": {"@xsi:nil": "true"}}}).encode(), "no uid"),
    ],
)
def test_unreadable_records(data, reason):
    with pytest.raises(RecordError) as err:
        parse_amendment(data, member=MEMBER)
    assert reason in err.value.reason and err.value.uid == AM[1]  # named from the member path
