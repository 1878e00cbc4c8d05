"""bench/jorf_archive.py generates archives the spider's parser reads whole, in name order."""

from __future__ import annotations

from bench.jorf_archive import archive_names, baseline, generate
from spiders.parse.jorf import archive_names as listed
from spiders.parse.jorf import parse_archive


def test_generated_month_is_readable_and_ordered(tmp_path):
    paths = generate(tmp_path, 4, 12)
    names = [p.name for p in paths]
    assert names == archive_names(4) == sorted(names)
    assert listed(" ".join(names).encode()) == names
    data = paths[0].read_bytes()
    assert baseline(data) == 12 * 5
    read = parse_archive(data, names[0], ["ARRETE", "DECRET", "AVIS", "DECISION"])
    assert len(read.items) == 12 and read.problems == []
    assert all(len(i.fields["articles"]) == 4 for i in read.items)
