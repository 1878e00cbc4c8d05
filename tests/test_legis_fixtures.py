"""The committed Sénat and JORF fixture folders are what their builders write (issue 12), and
they serve what the parsers expect: a builder changed without regenerating the folder fails here.
Regenerate with ``python -m tests.support.senatlegis_fixtures tests/sites/senat_legis`` and
``python -m tests.support.jorf_fixtures tests/sites/jorf``."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.parse.jorf import ArchiveError, parse_archive
from spiders.parse.senat_amendments import TextRef, parse_amendments_csv
from tests.support import jorf_fixtures, senatlegis_fixtures
from tests.support.siteserver import SITES_DIR, Site


@pytest.mark.parametrize(
    ("key", "builder"),
    [("senat_legis", senatlegis_fixtures.build_story), ("jorf", jorf_fixtures.build_story)],
)
def test_committed_folder_is_the_builders_output(tmp_path, key, builder):
    built = builder(tmp_path / key)
    committed = SITES_DIR / key

    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    assert files(committed) == files(built)
    site = Site(key)
    assert all("hand-built" in e.provenance for e in site.paths.values())


def test_committed_fixtures_parse():
    body, headers = Site("senat_legis").fetch(senatlegis_fixtures.SEANCE_CSV)
    assert headers["Content-Type"] == "text/csv; charset=windows-1252"
    rows = list(parse_amendments_csv(body, TextRef.parse("2025-2026/400")))
    assert len(rows) == 9
    jorf = Site("jorf")
    data, _ = jorf.fetch(f"{jorf_fixtures.BASE}/{jorf_fixtures.A}")
    assert {i.uid for i in parse_archive(data, jorf_fixtures.A, ["ARRETE"]).items} == {
        jorf_fixtures.SECPA_ID
    }
    cut, _ = jorf.fetch(f"{jorf_fixtures.BASE}/{jorf_fixtures.TRUNC}")
    with pytest.raises(ArchiveError):
        parse_archive(cut, jorf_fixtures.TRUNC, ["AVIS"])
