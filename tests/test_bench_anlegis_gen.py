"""bench/anlegis_gen.py writes amendments every one of which the real parser reads (no timing here)."""

from __future__ import annotations

from collections import Counter

from bench.anlegis_gen import write_amendments_zip
from spiders.parse.an_amendment import parse_amendment
from spiders.parse.an_dump import iter_dump


def test_generated_dump_parses_whole(tmp_path):
    path = write_amendments_zip(tmp_path / "Amendements.json.zip", 140, texts=7, secpa_every=20)
    items = [parse_amendment(m.data, member=m.name) for m in iter_dump(path)]
    assert len(items) == 140 and len({i.uid for i in items}) == 140
    statuses = Counter(i.status for i in items)
    assert set(statuses) == {
        "pending",
        "adopted",
        "rejected",
        "withdrawn",
        "fallen",
        "not_moved",
        "inadmissible",
    }
    assert sum("SECPA" in (i.text or "") for i in items) == 7
    assert all(i.fields["dossier_uid"] and i.parents[0].startswith("PIONANR5L17B") for i in items)
    assert not any("&" in (i.text or "") or "<" in (i.text or "") for i in items)
