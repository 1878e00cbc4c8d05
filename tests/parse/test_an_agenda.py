"""Agenda meetings → one LegisItem per point."""

from __future__ import annotations

import pytest

from spiders.parse.an_agenda import parse_reunion
from spiders.parse.an_json import RecordError
from tests.parse.anlegis_samples import sample
from tests.support.anlegis_fixtures import (
    COMMISSION,
    DOSSIER,
    OTHER_DOSSIER,
    PPL_TITLE,
    REUNION_1,
    REUNION_2,
    make_point,
    make_reunion,
)


def test_points_of_a_meeting():
    first, second = parse_reunion(sample(REUNION_2), site_url="https://x.test")
    assert (first.kind, first.uid, first.number) == ("agenda", "PTANR5L17S2026IDC400002P1", "1")
    assert first.title == first.text == f"{PPL_TITLE} (n° 2504)"
    assert first.published_raw == "2026-03-12T09:30:00.000+01:00"
    assert first.parents == [DOSSIER] and first.fields["dossier_uids"] == [DOSSIER]
    assert first.fields["organe_ref"] == COMMISSION
    assert first.fields["place"] == "Assemblée nationale, salle 6351"
    assert first.fields["reunion_uid"] == REUNION_2
    assert first.url == f"https://x.test/dyn/17/agendas/{REUNION_2}"
    assert second.parents == [] and second.title == "Désignation de rapporteurs"  # xsi:nil refs


def test_single_point_object_and_dossier_ref_string():
    (point,) = parse_reunion(sample(REUNION_1))
    assert point.parents == [OTHER_DOSSIER]


def test_point_without_uid_keyed_on_its_position_and_empty_point_dropped():
    rec = make_reunion(
        "RUANR5L17S2026IDS1",
        "2026-03-12T15:00:00",
        COMMISSION,
        [
            make_point(None, "Questions au Gouvernement", None),
            make_point("P2", {"@xsi:nil": "true"}, None),
        ],
    )
    (item,) = parse_reunion(rec)
    assert item.uid == "RUANR5L17S2026IDS1#1"


def test_missing_start_is_a_record_error():
    with pytest.raises(RecordError) as err:
        parse_reunion(make_reunion("RUANR5L17S2026IDC9", None, COMMISSION, []))
    assert err.value.uid == "RUANR5L17S2026IDC9" and "timeStampDebut" in err.value.reason
