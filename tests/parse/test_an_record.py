"""AN open-data records → QuestionItem, and the status rules (SITES.md §Assemblée nationale)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spiders.parse.an_record import RecordError, parse_an_record, question_status
from tests.support.anfixtures import make_an_record

SAMPLE_QG = Path(__file__).resolve().parents[1] / "sites" / "an" / "QANR5L17QG1.trimmed.json"


@pytest.fixture(scope="module")
def qg_bytes() -> bytes:
    return SAMPLE_QG.read_bytes()  # the saved real record (trimmed), see tests/sites/an/MANIFEST


def test_real_qg_sample(qg_bytes):
    item = parse_an_record(qg_bytes)
    assert item.uid == "QANR5L17QG1"
    assert item.chamber == "AN" and item.source == "assemblee"
    assert item.url == "https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QG1"
    assert (item.legislature, item.qtype, item.number) == (17, "QG", 1)
    assert item.rubrique == "outre-mer"
    assert item.analysis == "Situation à Mayotte"
    assert item.title == "Situation à Mayotte"  # teteAnalyse is null
    assert item.author_ref == "PA842279"
    assert item.group_name == "Rassemblement National"
    assert item.ministry_asked == "Ministère de l'intérieur"
    assert item.ministry_answering == "Ministère de l'intérieur"
    assert item.question_text is None  # textesQuestion: null
    assert item.question_date_raw == "2024-10-03"  # the sitting day
    assert item.question_jo_page == "5283"
    assert item.answer_date_raw == "2024-10-03" and item.answer_jo_page == "5283"
    assert item.answer_text.startswith('</p><p align="CENTER"> SITUATION À MAYOTTE')
    assert (item.closure_code, item.closure_label, item.closure_date_raw) == (
        "REP_PUB",
        "Réponse publiée",
        "2024-10-03",
    )
    assert question_status(item) == ("answered", None)


def test_real_qg_sample_as_dict_and_custom_site(qg_bytes):
    item = parse_an_record(json.loads(qg_bytes), site_url="http://127.0.0.1:8000/", source="an")
    assert item.url == "http://127.0.0.1:8000/dyn/17/questions/QANR5L17QG1"
    assert item.source == "an"


def test_built_qe_object_nodes():
    item = parse_an_record(make_an_record(13024))
    assert item.uid == "QANR5L17QE13024"
    assert (item.qtype, item.number, item.legislature) == ("QE", 13024, 17)
    assert item.question_date_raw == "2026-02-17" and item.question_jo_page == "1349"
    assert "l&#8217;urgence" in item.question_text and "<i>SECPa</i>" in item.question_text
    assert item.title == "Pérennisation de l'expérimentation SECPA"
    assert item.ministry_answering == "Santé, familles, autonomie et personnes handicapées"
    assert item.group_name == "La France insoumise - Nouveau Front Populaire"
    assert item.answer_text is None and item.answer_date_raw is None
    assert question_status(item) == ("pending", None)


def test_list_nodes_take_the_last():
    item = parse_an_record(make_an_record(7, list_nodes=True, answered=True))
    assert item.question_jo_page == "1349"
    assert "superseded" not in item.question_text
    assert item.answer_text.startswith("<p>Le Gouvernement")
    assert item.answer_jo_page == "3012"
    assert item.ministry_answering == "Santé, familles, autonomie et personnes handicapées"
    assert item.analysis == "Structures d'exercice coordonné participatif"


@pytest.mark.parametrize("old", [False, True])
def test_dates_passed_raw(old):
    item = parse_an_record(make_an_record(8, old_dates=old, answered=True))
    assert item.question_date_raw == ("17/02/2026" if old else "2026-02-17")
    assert item.answer_date_raw == ("14/04/2026" if old else "2026-04-14")


def test_null_nodes_do_not_crash():
    record = make_an_record(9, group=None, rubrique=None, tete_analyse=None, analyse=None)
    q = record["question"]
    q["minAttribs"] = None
    q["minInt"] = None
    q["auteur"]["identite"] = None
    q["textesQuestion"]["texteQuestion"]["infoJO"] = None
    item = parse_an_record(record)
    assert item.title is None and item.group_name is None and item.ministry_answering is None
    assert item.author_ref is None and item.question_date_raw is None
    assert item.question_text is not None


def test_empty_list_node_and_group_abbreviation_fallback():
    record = make_an_record(10, group=("LR", None))
    record["question"]["minAttribs"]["minAttrib"] = []
    item = parse_an_record(record)
    assert item.group_name == "LR" and item.ministry_answering is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ("pending", None)),
        ({"answered": True}, ("answered", None)),
        ({"answer_text": "<p>Réponse.</p>"}, ("answered", None)),
        ({"signalee": True}, ("signalee", None)),
        ({"signalee": True, "answered": True}, ("answered", None)),
        ({"closed": ("RET", "Retrait")}, ("closed", "Retrait")),
        ({"closed": ("FM", "Fin de mandat"), "signalee": True}, ("closed", "Fin de mandat")),
    ],
)
def test_status(kwargs, expected):
    assert question_status(parse_an_record(make_an_record(11, **kwargs))) == expected


def test_rep_pub_without_text_is_answered():
    record = make_an_record(12, answered=True)
    record["question"]["textesReponse"] = None
    item = parse_an_record(record)
    assert item.answer_text is None
    assert question_status(item) == ("answered", None)


def test_signalement_and_renewals():
    item = parse_an_record(make_an_record(13, signalee=True, renewals=2))
    assert item.signalee is True and item.renewals == 2
    one = parse_an_record(make_an_record(14, renewals=1))
    assert one.renewals == 1 and one.signalee is False


def test_empty_signalement_shell_is_not_signalee():
    record = make_an_record(15)
    record["question"]["signalement"] = {"dateDepotSignal": None, "infoJO": {"dateJO": None}}
    assert parse_an_record(record).signalee is False


def test_built_qg_uses_sitting_date():
    item = parse_an_record(make_an_record(3, qtype="QG", answered=True, answer_date="2026-03-04"))
    assert item.question_text is None
    assert item.question_date_raw == "2026-03-04"


def test_qg_date_seance_fallback():
    record = make_an_record(4, qtype="QG", answered=True)
    q = record["question"]
    q["textesReponse"]["texteReponse"]["infoJO"]["dateJO"] = None
    q["cloture"] = None
    q["minAttribs"] = None
    q["dateSeance"] = "2026-03-11"
    assert parse_an_record(record).question_date_raw == "2026-03-11"


@pytest.mark.parametrize(
    ("data", "uid", "reason"),
    [
        ({"acteur": {}}, None, "root object is not 'question'"),
        ([1, 2], None, "root object is not 'question'"),
        (b"{not json", None, "not JSON"),
        ({"question": {"uid": None}}, None, "no uid"),
    ],
)
def test_malformed_records(data, uid, reason):
    with pytest.raises(RecordError) as err:
        parse_an_record(data)
    assert err.value.uid == uid and reason in err.value.reason
