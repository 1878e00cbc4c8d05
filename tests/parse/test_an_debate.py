"""Syceron transcripts → one LegisItem per top-level point, with its speakers."""

from __future__ import annotations

import pytest

from spiders.parse.an_debate import parse_transcript
from spiders.parse.an_json import RecordError
from tests.parse.anlegis_samples import sample
from tests.support.anlegis_fixtures import SITTING, make_transcript


def test_one_section_per_point_with_speakers():
    ppl, other = parse_transcript(sample(SITTING, "xml"), site_url="https://x.test")
    assert (ppl.kind, ppl.uid, ppl.number) == ("debate", f"{SITTING}#3001", "1")
    assert ppl.title == "Pérennisation des structures d'exercice coordonné participatives"
    assert ppl.published_raw == "2026-03-10T15:00:00"
    assert ppl.fields["speakers"] == ["Mme Ségolène Amiot", "M. Jean Dupont"]
    assert ppl.fields["speaker_refs"] == ["PA795136", "PA720000"]
    assert (ppl.fields["text_number"], ppl.fields["section_key"]) == ("2504", "3001")
    assert ppl.text == (
        "Pérennisation des structures d'exercice coordonné participatives\n"
        "Mme Ségolène Amiot : Les SECPA ont fait leurs preuves : pérennisons-les.\n"
        "M. Jean Dupont : Nous voterons ce texte."
    )
    assert "séance est ouverte" not in ppl.text + other.text  # outside any point
    assert other.uid == f"{SITTING}#3002" and other.fields["speakers"] == ["M. Jean Dupont"]
    assert ppl.url == f"https://x.test/dyn/17/comptes-rendus/seance/{SITTING}"


def test_point_without_key_uses_its_position():
    data = make_transcript(SITTING, "20260310150000000", [("", None, "Ordre du jour", [])])
    (item,) = parse_transcript(data.replace(b' id_syceron=""', b""))
    assert item.uid == f"{SITTING}#p1" and item.fields["text_number"] is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<compteRendu><uid>X", "not XML"),
        (make_transcript(SITTING, "demain", []), "dateSeance"),
        (b'<compteRendu xmlns="http://schemas.assemblee-nationale.fr/referentiel"/>', "no uid"),
        (b"<autre/>", "root is not compteRendu"),
    ],
)
def test_bad_transcripts(data, reason):
    with pytest.raises(RecordError) as err:
        parse_transcript(data, uid_hint="CRS-hint")
    assert reason in err.value.reason
