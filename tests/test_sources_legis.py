"""The senat_legis and jorf families (issue 12): config keys validated with a message that says
the fix, and the spider arguments built from config plus what the store follows."""

from __future__ import annotations

import pytest

from monitor.config import parse_config
from monitor.errors import ConfigError
from monitor.sources.registry import spider_kwargs
from storage.db import open_db
from tests.conftest import TERMS


def cfg(**sources):
    return parse_config({"watch": {"terms": TERMS}, "sources": sources}, base_dir=".")


def test_senat_legis_defaults_and_followed_texts_and_dossiers(tmp_path):
    c = cfg(s={"spider": "senat_legis", "texts": ["2025-2026/123"], "dossiers": ["pjl25-077"]})
    db = open_db(tmp_path / "v.db")
    rows = [
        ("leg/ppl25-400", 1),
        ("dossier-legislatif/ppl25-400", 1),
        ("leg/pjl25-410", 0),
        ("amendements/2025-2026/400/Amdt_1", 1),
    ]
    db["items"].insert_all(
        [
            {
                "id": i,
                "source": "s",
                "kind": "document",
                "followed": f,
                "url": "https://www.senat.fr/" + i,
            }
            for i, f in rows
        ],
        alter=True,
    )
    kw = spider_kwargs(c, "s", db)
    assert kw["url"] == "https://www.senat.fr"
    assert kw["texts"] == ["2025-2026/123", "ppl25-400"]
    assert kw["dossiers"] == ["pjl25-077", "ppl25-400"]
    assert (kw["depots"], kw["depot_dossiers"], kw["seance"], kw["commission"]) == (
        True,
        True,
        True,
        True,
    )
    assert spider_kwargs(c, "s", None)["texts"] == ["2025-2026/123"]


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("texts", ["123"], 'expected e.g. "2025-2026/123"'),
        ("dossiers", ["SECPA"], 'expected e.g. "ppl25-400"'),
    ],
)
def test_senat_legis_bad_references(key, value, says):
    with pytest.raises(ConfigError) as err:
        cfg(s={"spider": "senat_legis", key: value})
    assert f"sources.s.{key}" in str(err.value) and says in str(err.value)


def test_jorf_kwargs():
    c = cfg(jo={"spider": "jorf", "since": "2026-03-01", "natures": ["arrete", "DECRET"]})
    kw = spider_kwargs(c, "jo", None)
    assert kw["url"] == "https://echanges.dila.gouv.fr/OPENDATA/JORF"
    assert (kw["since"], kw["natures"], kw["read"], kw["max_archives"]) == (
        "2026-03-01",
        ["ARRETE", "DECRET"],
        [],
        60,
    )
    with pytest.raises(ConfigError, match="sources.jo.since"):
        cfg(jo={"spider": "jorf", "since": "mars"})


def test_readme_examples_of_both_families_are_valid():
    import re
    import tomllib

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Sénat texts and the Journal officiel", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    sources = {}
    for block in blocks:
        sources.update(tomllib.loads(block)["sources"])
    c = cfg(**sources)
    assert {n: s.spider for n, s in c.sources.items()} == {
        "senat_legis": "senat_legis",
        "jo": "jorf",
    }
