"""Real crawls of the Sénat source: the questions CSV (cp1252 and UTF-8) built by the test and the
hand-built question pages of tests/sites/senat, served over HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import db_of, vigie, write_config
from tests.e2e.test_assemblee import write_manifest
from tests.support.anfixtures import make_senat_row, write_senat_csv
from tests.support.siteserver import SITES_DIR, SiteServer

pytestmark = pytest.mark.e2e

CSV = "/data/questions/questions-depuis-un-an.csv"
OLD_PAGE = "/questions/base/2020/qSEQ200314872.html"
UNRELATED = {
    "Titre": "Entretien des routes départementales",
    "Texte": "M. Dupont attire l'attention du ministre sur l'état des routes de l'Ain.",
    "Rubrique": "Transports",
    "Civilité": "M.",
    "Prénom": "Jean",
    "Nom": "Dupont",
    "Circonscription": "Ain",
    "Groupe": "LR",
}


def rows() -> list[dict[str, str]]:
    return [
        # Référence in another form than the URL code: the id follows the URL
        make_senat_row(1, Référence="26-00001"),
        make_senat_row(2, **UNRELATED),
        make_senat_row(
            3,
            Sort="Répondu",
            Réponse="Le Gouvernement soutient les centres de santé participatifs.",
            **{"Date de publication JO réponse": "2026-03-12"},
        ),
    ]


def build_site(folder: Path, encoding: str) -> Path:
    folder.mkdir()
    write_senat_csv(folder / "questions.csv", rows(), encoding, bom=encoding == "utf-8")
    shutil.copy(SITES_DIR / "senat" / "qSEQ200314872.html", folder / "old.html")
    etag = '"' + hashlib.sha256((folder / "questions.csv").read_bytes()).hexdigest()[:16] + '"'
    charset = "windows-1252" if encoding == "cp1252" else "utf-8"
    paths = {
        CSV: {
            "file": "questions.csv",
            "headers": {"Content-Type": f"text/csv; charset={charset}", "ETag": etag},
        },
        OLD_PAGE: {
            "file": "old.html",
            "headers": {"Content-Type": "text/html; charset=iso-8859-1"},
        },
    }
    write_manifest(folder, paths, {}, "Sénat CSV built by tests/e2e/test_senat.py; page copied")
    return folder


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_senat_csv_end_to_end(tmp_path, encoding):
    srv = SiteServer(build_site(tmp_path / "site", encoding)).start()
    try:
        cfg = write_config(
            tmp_path,
            {
                "senat": {
                    "spider": "senat",
                    "url": srv.base_url,
                    "open_data_url": srv.base_url,
                    "follow": [srv.base_url + OLD_PAGE],
                }
            },
        )
        res = vigie("crawl", "--no-send", config=cfg)
        assert res.returncode == 0, res.stdout + res.stderr[-3000:]
        got = {r["id"]: r for r in db_of(cfg).query("select * from items")}
        q = got["SEQ260200001"]  # from the URL code, not the Référence "26-00001"
        assert q["url"] == "https://www.senat.fr/questions/base/2026/qSEQ260200001.html"
        assert (q["chamber"], q["qtype"], q["number"]) == ("Sénat", "QE", 1)
        assert q["title"] == "Avenir des structures d'exercice coordonné participatives"
        assert q["author"] == "Mme Anne Souyris"  # accents decoded in both encodings
        assert (q["circonscription"], q["group_name"], q["rubrique"]) == (
            "Paris",
            "GEST",
            "Sécurité sociale",
        )
        assert q["ministry_asked"].startswith("Ministère de la santé")
        assert q["published"].startswith("2026-02-05")
        assert (q["status"], q["matched"], q["followed"]) == ("pending", 1, 1)
        other = got["SEQ260200002"]
        assert (other["matched"], other["followed"]) == (0, 0)
        assert not list(db_of(cfg).query("select * from alerts where item_id = 'SEQ260200002'"))
        answered = got["SEQ260200003"]
        assert answered["status"] == "answered" and answered["answered_on"].startswith("2026-03-12")
        assert "centres de santé participatifs" in answered["answer_text"]
        old = got["SEQ200314872"]  # followed page, not in the CSV
        assert old["followed"] == 1 and old["url"] == srv.base_url + OLD_PAGE
        assert old["status"] == "answered"
        (run,) = db_of(cfg).query("select * from runs")
        assert run["outcome"] == "ok" and run["items_new"] == 4 and run["errors"] == 0

        if encoding == "utf-8":  # the unchanged CSV costs a 304; the stored page is not refetched
            srv.reset_counts()
            res = vigie("crawl", "--no-send", config=cfg)
            assert res.returncode == 0, res.stderr[-3000:]
            assert srv.count(CSV, 304) == 1 and srv.count(OLD_PAGE) == 0
            last = list(db_of(cfg).query("select * from runs order by id"))[-1]
            assert (last["outcome"], last["items_new"], last["items_changed"]) == ("ok", 0, 0)
    finally:
        srv.stop()
