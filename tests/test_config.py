"""config.toml validation: every problem named by its dotted key, with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent
SITE = {"spider": "site", "url": "https://www.fncs.org"}


def base(**sources):
    return {"watch": {"terms": ["SECPA"]}, "sources": sources or {"fncs": dict(SITE)}}


def problems(data) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_config(data)
    return exc.value.problems


def test_shipped_config_is_valid():
    cfg = load_config(ROOT / "config.toml")
    assert set(cfg.sources) >= {"fncs", "avecsante", "assemblee", "senat"}
    assert cfg.sources["assemblee"].open_data_url == "https://data.assemblee-nationale.fr"
    assert cfg.db_path == ROOT / "data" / "vigie.db"
    assert cfg.alerts.email.host is None  # the local .eml sink by default
    assert "veille-secpa@example.org" in cfg.user_agent()


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"schedule": "daily"}, "sources.fncs.schedule", ["'daily'", "5 fields", '"0 7 * * *"']),
        ({"schedule": "0 7 * * 1-5"}, "sources.fncs.schedule", ["day names", "mon-fri"]),
        ({"schedule": "30 2 * * *"}, "sources.fncs.schedule", ["02:00 and 03:00"]),
        ({"schedule": "0 25 * * *"}, "sources.fncs.schedule", ["not a valid cron"]),
        ({"url": "www.fncs.org"}, "sources.fncs.url", ["not an http(s) URL"]),
        ({"stale_after": "two weeks"}, "sources.fncs.stale_after", ["not a duration", '"14d"']),
        ({"feedz": ["/rss.xml"]}, "sources.fncs.feedz", ["unknown key", 'did you mean "feeds"']),
        ({"spider": "wordpress"}, "sources.fncs.spider", ["'wordpress' is not a spider", "'site'"]),
    ],
)
def test_source_problems_name_key_value_and_fix(change, key, words):
    (line,) = problems(base(fncs={**SITE, **change}))
    assert line.startswith(key + ":"), line
    for w in words:
        assert w in line, line


def test_all_problems_are_listed_at_once():
    data = base(fncs={**SITE, "schedule": "daily", "url": "nope"})
    data["alerts"] = {"mode": "sometimes", "email": {"recipients": ["not-an-address"]}}
    data["crawl"] = {"download_delai": 1}
    lines = problems(data)
    keys = sorted(line.split(":")[0] for line in lines)
    assert keys == [
        "alerts.email.recipients",
        "alerts.mode",
        "crawl.download_delai",
        "sources.fncs.schedule",
        "sources.fncs.url",
    ], lines
    assert any('did you mean "download_delay"' in line for line in lines)


def test_missing_sections_and_bad_terms():
    lines = problems({"sources": {}})
    assert any(line.startswith("sources: no source configured") for line in lines)
    assert any(line.startswith("watch: required key is missing") for line in lines)
    lines = problems({"watch": {"terms": ["*"]}, "sources": {"fncs": dict(SITE)}})
    assert lines and lines[0].startswith("watch"), lines


def test_durations_and_defaults():
    cfg = parse_config(base(fncs={**SITE, "stale_after": "14d", "timeout": "45m"}))
    src = cfg.sources["fncs"]
    assert (src.stale_after, src.timeout) == (14 * 86400, 45 * 60)
    assert cfg.run_timeout("fncs") == 2700
    assert cfg.alerts.email.effective_port() == 25
    assert (
        parse_config(
            {**base(), "alerts": {"email": {"security": "ssl"}}}
        ).alerts.email.effective_port()
        == 465
    )


def test_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "vigie.toml"
    path.parent.mkdir()
    path.write_text(
        '[storage]\npath = "db/x.db"\n[watch]\nterms = ["SECPA"]\n'
        '[sources.fncs]\nspider = "site"\nurl = "https://www.fncs.org"\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VIGIE_CONFIG", str(path))
    cfg = load_config()
    assert cfg.db_path == path.parent / "db" / "x.db"


def test_unreadable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[watch\nterms = 1", "utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_source_label_defaults_to_the_key():
    from monitor.config import parse_config, source_label

    cfg = parse_config(
        {
            "watch": {"terms": ["SECPA"]},
            "sources": {
                "avec": {"spider": "site", "url": "https://avecsante.fr", "label": "AVECsanté"},
                "fncs": {"spider": "site", "url": "https://www.fncs.org"},
            },
        }
    )
    assert source_label(cfg, "avec") == "AVECsanté"
    assert source_label(cfg, "fncs") == "fncs"
    assert source_label(cfg, "gone") == "gone" and source_label(None, "an") == "an"


def test_parse_workers_default_follows_the_cores_and_bad_values_name_the_key():
    """Issue 15: one parse worker when a second core is there, 0 = in the crawl process."""
    import os

    from monitor.runs.child import scrapy_settings

    cfg = parse_config(base())
    assert cfg.crawl.parse_workers is None
    assert cfg.crawl.workers() == (1 if (os.cpu_count() or 1) >= 2 else 0)
    off = parse_config({**base(), "crawl": {"parse_workers": 0, "parse_pool_after": 5}})
    settings = scrapy_settings(off, "fncs", None, None, True, "INFO")
    assert (settings["VIGIE_PARSE_WORKERS"], settings["VIGIE_PARSE_POOL_AFTER"]) == (0, 5)
    (problem,) = problems({**base(), "crawl": {"parse_workers": -1}})
    assert "crawl.parse_workers" in problem
    (problem,) = problems({**base(), "crawl": {"parse_pool_after": "many"}})
    assert "crawl.parse_pool_after" in problem
