"""A missed window becomes one health alert that the composer can render and the sender delivers."""

from __future__ import annotations

import email
import email.policy

from monitor.alerts.deliver import deliver_pending
from monitor.config import load_config
from monitor.daemon.service import Daemon
from storage.db import open_db
from tests.conftest import write_config


def test_missed_window_alert_is_enqueued_once_and_delivered(tmp_path):
    path = write_config(tmp_path, {"fncs": {"spider": "site", "url": "http://127.0.0.1:9"}})
    cfg = load_config(path)
    daemon = Daemon(cfg, str(path), schedule_seconds=None)
    daemon.missed_window("fncs", "run due 07:15 skipped: the previous run was still going")
    daemon.missed_window("fncs", "run due 13:15 skipped: the previous run was still going")
    db = open_db(cfg.db_path)
    rows = list(db.query("select * from alerts where event = 'health_missed'"))
    assert len(rows) == 1 and rows[0]["source"] == "fncs"
    report = deliver_pending(db, cfg)
    assert report.sent == 1
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Exécution manquée — fncs"
    assert "run due 07:15 skipped" in msg.get_body(("plain",)).get_content()
