"""Deputies from the AMO10 dump (hand-built fixture following the AN open-data schema)."""

from __future__ import annotations

import pytest

from spiders.parse.an_deputies import Deputy, circonscription_label, parse_deputies
from tests.support.anfixtures import make_deputy, make_organe, write_deputies_zip


@pytest.fixture()
def amo10(tmp_path):
    deputies = [
        make_deputy(
            "PA795136",
            "Mme",
            "Ségolène",
            "Amiot",
            "Loire-Atlantique",
            "44",
            "3",
            group_ref="PO845413",
        ),
        make_deputy("PA842279", "Mme", "Anchya", "Bamana", "Mayotte", "976", "1"),
    ]
    organes = [
        make_organe("PO845413", "GP", "La France insoumise - Nouveau Front Populaire", "LFI-NFP")
    ]
    return write_deputies_zip(tmp_path / "AMO10.json.zip", deputies, organes)


def test_mapping(amo10):
    deputies = parse_deputies(amo10)
    assert deputies["PA795136"] == Deputy(
        uid="PA795136",
        name="Mme Ségolène Amiot",
        circonscription="Loire-Atlantique (3e circonscription)",
        group="La France insoumise - Nouveau Front Populaire",
    )
    assert deputies["PA842279"].circonscription == "Mayotte (1re circonscription)"
    assert deputies["PA842279"].group is None
    assert set(deputies) == {"PA795136", "PA842279"}


def test_closed_mandate_is_not_preferred(tmp_path):
    dep = make_deputy("PA1", "M.", "Jean", "Dupont", "Gironde", "33", "2")
    old = dict(dep["acteur"]["mandats"]["mandat"], dateFin="2024-06-09")
    old["election"] = {"lieu": {"departement": "Landes", "numDepartement": "40", "numCirco": "1"}}
    dep["acteur"]["mandats"]["mandat"] = [dep["acteur"]["mandats"]["mandat"], old]
    deputies = parse_deputies(write_deputies_zip(tmp_path / "a.zip", [dep]))
    assert deputies["PA1"].circonscription == "Gironde (2e circonscription)"


@pytest.mark.parametrize(
    ("dep", "num", "expected"),
    [
        ("Paris", "1", "Paris (1re circonscription)"),
        ("Nord", "12", "Nord (12e circonscription)"),
        ("Français établis hors de France", None, "Français établis hors de France"),
        (None, "3", None),
    ],
)
def test_circonscription_label(dep, num, expected):
    assert circonscription_label(dep, num) == expected
