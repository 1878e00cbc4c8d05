"""`vigie serve` in a child process, and an archive to serve: shared by the Datasette tests.

`start_serve` runs the real CLI on 127.0.0.1 with a free port and a readiness poll;
`seed_questions` writes three AN questions in the shape the store uses (the archive fixtures
in tests/e2e/conftest.py add them to a real crawl).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from pathlib import Path

import sqlite_utils

from storage.db import open_db
from tests.conftest import ROOT

AN_PENDING = "QANR5L17QE9001"
AN_ANSWERED = "QANR5L17QE9002"
AN_OLD_ANSWER = "QANR5L17QE9003"


# -- parts -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    proc: subprocess.Popen
    base: str
    log: Path

    def get(self, path: str, *, data: bytes | None = None) -> tuple[int, bytes, Message]:
        req = urllib.request.Request(self.base + path, data=data)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def json(self, path: str) -> object:
        status, body, _ = self.get(path)
        assert status == 200, (path, status, body[:500])
        return json.loads(body)

    def rows(self, path: str) -> list[dict]:
        sep = "&" if "?" in path else "?"
        return self.json(f"{path}{sep}_shape=array")  # type: ignore[return-value]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_serve(config: Path, *args: str, timeout: float = 30) -> Served:
    """`vigie serve` in a child process; returns once /-/versions.json answers."""
    port = free_port()
    log = config.parent / f"serve-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "monitor.cli.main",
        "--config",
        str(config),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    served = Served(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"vigie serve exited {proc.returncode}:\n{log.read_text()}")
        try:
            if served.get("/-/versions.json")[0] == 200:
                return served
        except OSError:
            pass
        time.sleep(0.1)
    served.stop()
    raise AssertionError(f"vigie serve not ready after {timeout}s:\n{log.read_text()}")


def seed_questions(db_path: Path) -> None:
    """Three AN questions as the store writes them (until the assemblee spider lands)."""
    today = date.today()
    base = {
        "source": "an",
        "kind": "question",
        "chamber": "AN",
        "legislature": 17,
        "qtype": "QE",
        "author": "Mme Annie Vidal",
        "group_name": "Ensemble pour la République",
        "circonscription": "Seine-Maritime (2e)",
        "rubrique": "santé",
        "ministry_asked": "Santé et accès aux soins",
        "ministry_answering": "Santé et accès aux soins",
        "matched": 1,
        "matched_terms": '["SECPA"]',
        "followed": 1,
        "first_seen": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    body = (
        "Mme Annie Vidal attire l'attention de Mme la ministre sur l'expérimentation SECPa.\n\n"
        "Les structures d'exercice coordonné participatives <b>attendent</b> une réponse."
    )
    rows = [
        dict(
            base,
            id=AN_PENDING,
            number=9001,
            status="pending",
            url="https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE9001",
            title="Avenir des structures d'exercice coordonné participatives (SECPa)",
            published=(datetime.now(UTC).date() - timedelta(days=40)).isoformat(),
            body=body,
        ),
        dict(
            base,
            id=AN_ANSWERED,
            number=9002,
            status="answered",
            url="https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE9002",
            title="Financement des centres de santé participatifs",
            published=(today - timedelta(days=60)).isoformat(),
            body="Question sur les centres.",
            answered_on=today.isoformat(),
            answer_jo_page="1234",
            answer_text="Le Gouvernement prolonge l'expérimentation.\n\nUn bilan sera publié.",
        ),
        dict(
            base,
            id=AN_OLD_ANSWER,
            number=9003,
            status="answered",
            author="M. Paul Durand",
            url="https://www.assemblee-nationale.fr/dyn/17/questions/QANR5L17QE9003",
            title="Maisons de santé en zone rurale",
            published=(today - timedelta(days=120)).isoformat(),
            body="Question ancienne.",
            answered_on=(today - timedelta(days=30)).isoformat(),
            answer_text="Réponse ancienne.",
            matched=0,
            matched_terms="[]",
        ),
    ]
    db = open_db(db_path)
    db["items"].insert_all(rows)
    # the answer arrived after the first collection: one version row, as the store writes it
    db["item_versions"].insert(
        {
            "item_id": AN_ANSWERED,
            "changed_at": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(timespec="seconds"),
            "event": "answered",
            "changed_fields": '["status", "answered_on", "answer_text"]',
            "previous": '{"status": "pending", "answered_on": null, "answer_text": null}',
        }
    )
    db.conn.close()


def db(archive: dict) -> sqlite_utils.Database:
    return sqlite_utils.Database(archive["db"])


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]
