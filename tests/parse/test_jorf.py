"""JORF archives: listing names, streamed archive → jo_text items, corrections, truncation."""

from __future__ import annotations

import pytest

from spiders.parse.jorf import (
    ArchiveError,
    archive_names,
    archive_ts,
    iter_members,
    parse_archive,
)
from tests.support.jorf_fixtures import (
    DECISION_ID,
    DECRET_ID,
    SECPA_ID,
    SECPA_NOR,
    A,
    C,
    decision,
    decret,
    listing,
    make_archive,
    secpa,
)

NATURES = ["ARRETE", "DECRET", "AVIS"]


def test_listing_names_incremental_archives_only_in_order():
    page = listing([C, A])
    assert archive_names(page) == [A, C]  # Freemium_jorf_global_* left out
    assert archive_ts(A) == "2026-03-03T21:30:15Z"
    with pytest.raises(ValueError):
        archive_ts("Freemium_jorf_global_20250713-140000.tar.gz")


def test_archive_texts_of_watched_natures_with_articles():
    data = make_archive(A, [decret(), secpa(), decision()])
    read = parse_archive(data, A, NATURES, source="jo")
    assert read.members == 8 and read.problems == []
    by = {i.uid: i for i in read.items}
    assert set(by) == {SECPA_ID, DECRET_ID}  # DECISION is not watched
    it = by[SECPA_ID]
    assert (it.kind, it.chamber, it.source, it.published_raw) == (
        "jo_text",
        "JO",
        "jo",
        "2026-03-04",
    )
    f = it.fields
    assert (f["nor"], f["nature"], f["is_correction"], f["archive"]) == (
        SECPA_NOR,
        "ARRETE",
        False,
        A,
    )
    assert f["ministry"] == "Ministère du travail, de la santé, des solidarités et des familles"
    assert [a["num"] for a in f["articles"]] == ["1", "2", "3"]
    assert (
        f["articles"][1]["text"]
        == "Le montant de la dotation forfaitaire est porté à 15 000 euros par structure."
    )
    assert "notamment son article L. 162-31-1 ;" in f["visas"]
    assert it.text.startswith(it.title) and "Article 1\nL'expérimentation" in it.text
    assert it.url == f"https://www.legifrance.gouv.fr/jorf/id/{SECPA_ID}"
    assert by[DECRET_ID].number == "2026-150"
    all_natures = parse_archive(data, A, NATURES + ["DECISION"])
    assert DECISION_ID in {i.uid for i in all_natures.items}


def test_a_text_republished_later_is_a_correction_of_the_same_uid():
    first = parse_archive(make_archive(A, [secpa()]), A, NATURES).items[0]
    again = parse_archive(make_archive(C, [secpa(corrected=True)]), C, NATURES).items[0]
    assert first.uid == again.uid and again.source_ts > first.source_ts
    assert again.fields["is_correction"] is True and first.fields["is_correction"] is False
    assert again.fingerprint != first.fingerprint


def test_rectificatif_in_the_title_is_a_correction():
    t = decret()
    t.title = "Décret n° 2026-150 du 2 mars 2026 relatif aux routes (rectificatif)"
    [item] = parse_archive(make_archive(A, [t]), A, NATURES).items
    assert item.fields["is_correction"] is True


def test_truncated_archive_raises_archive_error():
    data = make_archive(A, [secpa(), decret()])
    with pytest.raises(ArchiveError):
        parse_archive(data[: len(data) // 2], A, NATURES)
    with pytest.raises(ArchiveError):
        list(iter_members(b"not a gzip at all"))


def test_malformed_member_is_reported_and_skipped():
    bad = {
        "jorf/global/article/JORF/ARTI/00/00/53/12/99/JORFARTI000053129999.xml": b"<ARTICLE><META>"
    }
    read = parse_archive(make_archive(A, [secpa()], bad), A, NATURES)
    assert [i.uid for i in read.items] == [SECPA_ID]
    [(member, reason)] = read.problems
    assert member.endswith("JORFARTI000053129999.xml") and reason


def test_every_cut_of_an_archive_is_an_error_never_a_shorter_archive():
    """tarfile's own ``r|gz`` takes a gzip cut at a member boundary for the archive's end."""
    data = make_archive(A, [secpa(), decret(), decision()])
    silent = []
    for cut in range(1, len(data) - 1, 5):
        try:
            parse_archive(data[:cut], A, NATURES)
        except ArchiveError:
            continue
        silent.append(cut)
    assert silent == []
    assert len(parse_archive(data, A, NATURES).items) == 2
