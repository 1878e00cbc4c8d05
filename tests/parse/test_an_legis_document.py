"""Documents and dossiers of the Dossiers_Legislatifs dump → LegisItem."""

from __future__ import annotations

import pytest

from spiders.parse.an_json import RecordError
from spiders.parse.an_legis_document import NotLegislative, parse_dossiers_member
from tests.parse.anlegis_samples import sample
from tests.support.anlegis_fixtures import DOC_NIL, DOSSIER, PPL, PPL_TITLE, make_dossier

SITE = "https://www.assemblee-nationale.fr"


def test_bill():
    item = parse_dossiers_member(sample(PPL), site_url=SITE)
    assert (item.kind, item.uid, item.number, item.legislature) == ("document", PPL, "2504", 17)
    assert item.url == f"{SITE}/dyn/17/textes/l17b2504_proposition-loi"
    assert item.title == item.text == PPL_TITLE
    assert item.published_raw == "2026-02-10"
    assert item.parents == [DOSSIER]
    assert item.fields["denomination"] == "Proposition de loi"
    assert item.fields["short_title"] is None  # xsi:nil
    assert item.fields["author_refs"] == ["PA795136"]  # auteur as an object, not a list
    assert item.status is None


def test_nil_title_is_a_record_error_naming_the_uid():
    with pytest.raises(RecordError) as err:
        parse_dossiers_member(sample(DOC_NIL))
    assert err.value.uid == DOC_NIL and "titres.titrePrincipal" in err.value.reason


def test_dossier_with_nested_acts():
    item = parse_dossiers_member(sample(DOSSIER), site_url=SITE)
    assert (item.kind, item.uid, item.number) == ("dossier", DOSSIER, "51234")
    assert item.url == f"{SITE}/dyn/17/dossiers/perennisation_secpa"
    assert item.published_raw == "2026-02-10"
    acts = item.fields["acts"]
    assert [a["code"] for a in acts] == ["AN1", "AN1-DEPOT", "AN1-COM"]
    assert acts[0]["date"] is None and acts[0]["text_uid"] is None  # xsi:nil
    assert acts[1] == {
        "code": "AN1-DEPOT",
        "label": "Dépôt d'une proposition de loi",
        "date": "2026-02-10",
        "text_uid": PPL,
        "organe_ref": "PO838901",
    }
    assert item.fields["texts"] == [PPL] and item.fields["last_act_date"] == "2026-03-04"


def test_other_dossier_types_are_not_legislative():
    with pytest.raises(NotLegislative):
        parse_dossiers_member(
            make_dossier("DLR5L17N1", "CE", "ce", [], xsi="DossierCommissionEnquete_Type")
        )
