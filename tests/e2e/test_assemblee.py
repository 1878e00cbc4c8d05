"""Real crawls of the Assemblée nationale source: dumps built in the real schema (the real QG sample
among them), served over HTTP on 127.0.0.1 with ETags, the real `vigie crawl` child process and a
real SQLite file. Each "night" is a manifest state of a temporary site folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import db_of, vigie, write_config
from tests.support.anfixtures import (
    make_an_record,
    make_deputy,
    make_organe,
    write_an_zip,
    write_deputies_zip,
)
from tests.support.siteserver import SITES_DIR, SiteServer

pytestmark = pytest.mark.e2e

REPO = "/static/openData/repository/17"
QE = f"{REPO}/questions/questions_ecrites/Questions_ecrites.json.zip"
QG = f"{REPO}/questions/questions_gouvernement/Questions_gouvernement.json.zip"
AMO10 = (
    f"{REPO}/amo/deputes_actifs_mandats_actifs_organes/"
    "AMO10_deputes_actifs_mandats_actifs_organes.json.zip"
)
QG_SAMPLE = json.loads((SITES_DIR / "an" / "QANR5L17QG1.trimmed.json").read_text("utf-8"))
LEGACY = "/q14/14-47351QE.htm"
UNRELATED = {  # a question with none of the watch terms anywhere
    "text": "M. Dupont interroge M. le ministre sur l'entretien des routes départementales.",
    "rubrique": "voirie",
    "tete_analyse": "Routes départementales",
    "analyse": "Entretien",
    "author_ref": "PA720000",
}


def uid(n: int) -> str:
    return f"QANR5L17QE{n}"


def night1(departed: bool = True) -> list[dict]:
    """``departed``: QE 13032, whose author left (not in AMO10), named from its page once followed."""
    records = [
        make_an_record(13024),  # matches (SECPa in the text, SECPA in the title)
        make_an_record(13025, **UNRELATED),
        make_an_record(13026, list_nodes=True, old_dates=True, answered=True),
        make_an_record(13028, **UNRELATED, signalee=True),
        make_an_record(13031, **UNRELATED),  # followed by uid, no term
    ]
    if departed:
        records.append(make_an_record(13032, author_ref="PA999999"))
    return records


def malformed_members(path: Path) -> None:
    """Add the malformed record QE 13030 (no uid) to a dump written by write_an_zip."""
    import zipfile

    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(
            f"json/{uid(13030)}.json", json.dumps({"question": {"uid": None, "type": "QE"}})
        )


def build_site(folder: Path, nights: dict[str, list[dict]], *, corrupt: str | None = None) -> Path:
    """A site folder: per night (manifest state) a QE dump; QG sample dump, AMO10, pages."""
    folder.mkdir()
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
        make_deputy("PA720000", "M.", "Jean", "Dupont", "Ain", "01", "1"),
        make_deputy("PA842279", "Mme", "Estelle", "Youssouffa", "Mayotte", "976", "1"),
    ]
    organes = [
        make_organe("PO845413", "GP", "La France insoumise - Nouveau Front Populaire", "LFI-NFP")
    ]
    write_deputies_zip(folder / "amo10.zip", deputies, organes)
    write_an_zip(folder / "qg.zip", [QG_SAMPLE])
    paths: dict[str, dict] = {
        AMO10: _zip_entry(folder / "amo10.zip"),
        QG: _zip_entry(folder / "qg.zip"),
    }
    for name in ("dyn_17_QE13024.html", "q14_14-47351QE.htm", "anpy_q14_14-47351QE.xml"):
        shutil.copy(SITES_DIR / "an" / name, folder / name)
    page = (SITES_DIR / "an" / "dyn_17_QE13024.html").read_text("utf-8").replace("13024", "13032")
    (folder / "dyn_17_QE13032.html").write_text(page, "utf-8")
    html = {"Content-Type": "text/html; charset=utf-8"}
    paths[f"/dyn/17/questions/{uid(13032)}"] = {"file": "dyn_17_QE13032.html", "headers": html}
    paths[f"/dyn/17/questions/{uid(13099)}"] = {"file": "dyn_17_QE13024.html", "headers": html}
    paths[LEGACY] = {
        "file": "q14_14-47351QE.htm",
        "headers": {"Content-Type": "text/html; charset=windows-1252"},
    }
    states: dict[str, dict] = {}
    for i, (night, records) in enumerate(nights.items()):
        path = folder / f"qe_{night}.zip"
        if corrupt:
            records = [*records, make_an_record(13029)]
        write_an_zip(path, records, corrupt_member=f"json/{uid(13029)}.json" if corrupt else None)
        if corrupt == "member":
            malformed_members(path)
        elif corrupt == "archive":
            path.write_bytes(path.read_bytes()[:200])  # truncated: no central directory
        entry = _zip_entry(path)
        if i == 0:
            paths[QE] = entry
        else:
            states[night] = {"paths": {QE: entry}}
    write_manifest(
        folder, paths, states, "AN open data and pages, built by tests/e2e/test_assemblee.py"
    )
    return folder


def write_manifest(
    folder: Path, paths: dict[str, dict], states: dict[str, dict], what: str
) -> None:
    """MANIFEST.toml for tests/support/siteserver.py (keys are URL paths: quoted)."""

    def table(name: str, entry: dict) -> list[str]:
        headers = ", ".join(
            f"{json.dumps(k)} = {json.dumps(v)}" for k, v in entry["headers"].items()
        )
        return [
            f"[{name}]",
            f"file = {json.dumps(entry['file'])}",
            f"headers = {{ {headers} }}",
            "",
        ]

    lines = ["[site]", f"description = {json.dumps(what)}", f"provenance = {json.dumps(what)}", ""]
    for path, entry in paths.items():
        lines += table(f"paths.{json.dumps(path)}", entry)
    for state, table_ in states.items():
        for path, entry in table_["paths"].items():
            lines += table(f"states.{state}.paths.{json.dumps(path)}", entry)
    (folder / "MANIFEST.toml").write_text("\n".join(lines), "utf-8")


def _zip_entry(path: Path) -> dict:
    etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:16] + '"'
    return {"file": path.name, "headers": {"Content-Type": "application/zip", "ETag": etag}}


@pytest.fixture
def an_site(tmp_path):
    servers: list[SiteServer] = []

    def start(
        nights: dict[str, list[dict]], follow: list[str] = (), **kw
    ) -> tuple[SiteServer, Path]:
        srv = SiteServer(build_site(tmp_path / "site", nights, **kw)).start()
        servers.append(srv)
        cfg = write_config(
            tmp_path,
            {
                "assemblee": {
                    "spider": "assemblee",
                    "url": srv.base_url,
                    "open_data_url": srv.base_url,
                    "legislature": 17,
                    "kinds": ["QE", "QG"],
                    "follow": list(follow),
                }
            },
        )
        return srv, cfg

    yield start
    for s in servers:
        s.stop()


def items(cfg: Path) -> dict[str, dict]:
    return {r["id"]: r for r in db_of(cfg).query("select * from items")}


def alerts_for(cfg: Path, item_id: str) -> list[dict]:
    return list(db_of(cfg).query("select * from alerts where item_id = ? order by id", [item_id]))


def runs(cfg: Path) -> list[dict]:
    return list(db_of(cfg).query("select * from runs order by id"))


def crawl(cfg: Path, ok: bool = True):
    res = vigie("crawl", "--no-send", config=cfg)
    if ok:
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    return res


def test_first_night_every_field_follow_pages_and_gaps(an_site):
    follow = [uid(13031), uid(13032), uid(13099), "{base}" + LEGACY]
    srv, cfg = an_site({"n1": night1()}, follow=follow)
    cfg.write_text(cfg.read_text().replace("{base}", srv.base_url))
    crawl(cfg)
    got = items(cfg)
    q = got[uid(13024)]
    assert q["url"] == f"{srv.base_url}/dyn/17/questions/{uid(13024)}"
    assert (q["source"], q["kind"], q["chamber"]) == ("assemblee", "question", "AN")
    assert (q["legislature"], q["qtype"], q["number"]) == (17, "QE", 13024)
    assert q["title"] == "Pérennisation de l'expérimentation SECPA"
    assert q["rubrique"] == "santé"
    assert q["analysis"] == "Structures d'exercice coordonné participatif"
    assert q["author"] == "Mme Ségolène Amiot"  # from the deputies dump, not the record
    assert q["circonscription"] == "Loire-Atlantique (3e circonscription)"
    assert q["group_name"] == "La France insoumise - Nouveau Front Populaire"
    assert (
        q["ministry_asked"]
        == q["ministry_answering"]
        == "Santé, familles, autonomie et personnes handicapées"
    )
    assert q["published"].startswith("2026-02-17") and q["question_jo_page"] == "1349"
    assert (
        "urgence de pérenniser" in q["body"]
        and "&#8217;" not in q["body"]
        and "<i>" not in q["body"]
    )
    assert (q["status"], q["closed_reason"], q["answered_on"], q["answer_text"]) == (
        "pending",
        None,
        None,
        None,
    )
    assert (q["matched"], q["followed"]) == (1, 1)
    assert [a["event"] for a in alerts_for(cfg, uid(13024))] == ["new_match"]

    other = got[uid(13025)]
    assert (other["matched"], other["followed"], other["status"]) == (0, 0, "pending")
    assert other["author"] == "M. Jean Dupont"
    assert alerts_for(cfg, uid(13025)) == []
    assert got[uid(13028)]["status"] == "signalee"

    # list nodes (last element wins) and DD/MM/YYYY dates
    old = got[uid(13026)]
    assert old["status"] == "answered" and old["answered_on"].startswith("2026-04-14")
    assert old["published"].startswith("2026-02-17") and old["published_raw"] == "17/02/2026"
    assert old["analysis"] == "Structures d'exercice coordonné participatif"
    assert old["answer_jo_page"] == "3012" and "prolonger le financement" in old["answer_text"]
    assert "superseded" not in (old["body"] + old["answer_text"])

    # the real QG sample: published on the sitting day, transcript as the answer
    qg = got["QANR5L17QG1"]
    assert (qg["qtype"], qg["status"], qg["author"]) == ("QG", "answered", "Mme Estelle Youssouffa")
    assert qg["published"].startswith("2024-10-03") and qg["body"] is None
    assert qg["group_name"] == "Rassemblement National"

    # follow: no term, tracked anyway; author outside AMO10 named from its page (dump wins)
    assert (got[uid(13031)]["matched"], got[uid(13031)]["followed"]) == (0, 1)
    merged = got[uid(13032)]
    assert merged["author"] == "Mme Ségolène Amiot" and merged["followed"] == 1
    assert merged["url"] == f"{srv.base_url}/dyn/17/questions/{uid(13032)}"
    assert merged["rubrique"] == "santé"  # the record's, not the page's "Santé"
    # a uid absent from the dump and a legacy page URL: from their pages
    assert got[uid(13099)]["followed"] == 1 and got[uid(13099)]["author"] == "Mme Ségolène Amiot"
    legacy = got["QANR5L14QE47351"]
    assert legacy["followed"] == 1 and legacy["status"] == "answered"
    assert legacy["url"] == srv.base_url + LEGACY

    # gaps: 13027 never published, 13029-13030 missing from this dump
    (run,) = runs(cfg)
    assert run["outcome"] == "ok" and run["gaps"] == 69, run  # 13027, 13029-13030, 13033-13098
    res = vigie("gaps", config=cfg)
    assert res.returncode == 0, res.stderr
    assert "legislature 17: QE 13024-13099" in res.stdout
    assert "13027, 13029-13030, 13033-13098" in res.stdout


def test_next_night_answer_is_one_change_then_unchanged_dump_is_304(an_site):
    answered = night1(departed=False)
    answered[0] = make_an_record(13024, answered=True)
    srv, cfg = an_site({"n1": night1(departed=False), "n2": answered})
    crawl(cfg)
    before = items(cfg)[uid(13024)]
    srv.set_state("n2")
    crawl(cfg)
    r2 = runs(cfg)[-1]
    assert (r2["items_new"], r2["items_changed"]) == (0, 1), r2
    # the four other records are byte-identical: recognised by checksum, not reparsed
    assert r2["items_unchanged"] == 4, r2
    assert before["fingerprint"].startswith("1:")
    assert items(cfg)[uid(13025)]["last_seen"] >= before["last_seen"]
    (version,) = db_of(cfg).query("select * from item_versions")
    assert version["item_id"] == uid(13024) and version["event"] == "answered"
    assert "answer_text" in json.loads(version["changed_fields"])
    q = items(cfg)[uid(13024)]
    assert (q["status"], q["followed"], q["matched"]) == ("answered", 1, 1)
    assert q["answered_on"].startswith("2026-04-14") and q["answer_jo_page"] == "3012"
    assert (
        q["answer_text"]
        == "Le Gouvernement a décidé de prolonger le financement des SECPA en 2026."
    )
    assert q["first_seen"] == before["first_seen"]
    assert [a["event"] for a in alerts_for(cfg, uid(13024))] == ["new_match", "item_changed"]
    assert json.loads(alerts_for(cfg, uid(13024))[-1]["payload"])["kind"] == "answered"

    # third run, same dump: conditional requests answered 304, nothing parsed, nothing written
    srv.reset_counts()
    crawl(cfg)
    r3 = runs(cfg)[-1]
    assert r3["outcome"] == "ok", r3
    assert (r3["items_new"], r3["items_changed"], r3["items_seen"]) == (0, 0, 0)
    assert srv.count(QE, 304) == 1 and srv.count(QG, 304) == 1
    assert srv.count(AMO10) == 0  # names are needed only when a question dump changed
    assert db_of(cfg)["item_versions"].count == 1
    assert r3["not_modified"] == 2


def test_followed_question_without_term_alerts_on_its_change(an_site):
    changed = night1()
    changed[4] = make_an_record(
        13031, **UNRELATED, answered=True, answer_text="<p>Les routes sont entretenues.</p>"
    )
    srv, cfg = an_site({"n1": night1(), "n2": changed}, follow=[uid(13031)])
    crawl(cfg)
    assert alerts_for(cfg, uid(13031))[0]["event"] == "new_match"  # followed: told at once
    srv.set_state("n2")
    crawl(cfg)
    q = items(cfg)[uid(13031)]
    assert (q["matched"], q["followed"], q["status"]) == (0, 1, "answered")
    events = [a["event"] for a in alerts_for(cfg, uid(13031))]
    assert events == ["new_match", "item_changed"]
    assert alerts_for(cfg, uid(13025)) == []  # the unrelated one never alerts


def test_corrupt_member_and_malformed_record_logged_rest_ingested(an_site):
    srv, cfg = an_site({"n1": night1()}, corrupt="member")
    res = crawl(cfg)
    assert uid(13029) in res.stderr and f"json/{uid(13029)}.json" in res.stderr
    assert "corrupt" in res.stderr
    assert uid(13030) in res.stderr and "no uid" in res.stderr
    got = items(cfg)
    assert uid(13029) not in got and uid(13030) not in got
    assert {uid(13024), uid(13025), uid(13026), uid(13028), "QANR5L17QG1"} <= set(got)
    run = runs(cfg)[-1]
    assert run["outcome"] == "ok" and run["errors"] == 2


def test_corrupt_archive_fails_the_run_with_its_reason(an_site):
    srv, cfg = an_site({"n1": night1()}, corrupt="archive")
    res = crawl(cfg, ok=False)
    assert res.returncode != 0
    run = runs(cfg)[-1]
    assert run["outcome"] == "failed"
    assert "unreadable dump" in run["reason"] and "Questions_ecrites.json.zip" in run["reason"]
    assert "Questions_ecrites.json.zip" in res.stderr
    assert "QANR5L17QG1" in items(cfg)  # the other dump is still ingested
    # the broken dump's validator is not kept: the next run downloads it in full again
    assert not list(db_of(cfg).query("select * from http_validators where url like '%ecrites%'"))
