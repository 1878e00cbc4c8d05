"""SMTP down for the whole run: alerts wait in the outbox with their error, then go out once."""

from __future__ import annotations

import pytest

from tests.conftest import db_of, vigie
from tests.faults.conftest import alerts, crawl, items, output, press_config
from tests.support.smtpserver import SMTPServer, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


def make_due(cfg) -> None:
    """Let the clock pass the retry backoff (minutes) without sleeping through it."""
    with db_of(cfg).conn as conn:
        conn.execute(
            "UPDATE alerts SET next_attempt = '2000-01-01T00:00:00+00:00' WHERE status = 'pending'"
        )


def test_alerts_survive_an_smtp_outage_and_are_delivered_exactly_once(tmp_path, press_site):
    srv = press_site()
    smtp = SMTPServer(port=free_port())  # not started: nothing listens on the port
    email = {
        "host": "127.0.0.1",
        "port": smtp.port,
        "timeout": 2,
        "recipients": ["veille@example.org"],
    }
    cfg = press_config(tmp_path, srv, alerts={"email": email})

    res = crawl(cfg)  # the crawl itself succeeds; delivery at its end fails
    assert len(items(cfg)) == 4
    assert "alerts: 0 sent, 2 failed, 2 pending" in res.stdout, output(res)[-3000:]
    pending = alerts(cfg)
    assert [a["event"] for a in pending] == ["new_match", "new_match"]
    assert all(a["status"] == "pending" and a["attempts"] == 1 and a["last_error"] for a in pending)
    assert all(
        "refused" in a["last_error"].lower() or "connect" in a["last_error"].lower()
        for a in pending
    )

    make_due(cfg)
    res = vigie("alerts", "send", config=cfg)  # still down: still pending, and the user is told
    assert res.returncode != 0
    assert "stay pending and will be retried" in res.stderr
    assert {(a["status"], a["attempts"]) for a in alerts(cfg)} == {("pending", 2)}

    smtp.start()
    try:
        make_due(cfg)
        res = vigie("alerts", "send", config=cfg)
        assert res.returncode == 0, output(res)[-3000:]
        assert "alerts: 2 sent" in res.stdout
        got = smtp.wait_for(2)
        assert len(got) == 2
        assert sorted(m.message["X-Vigie-Alert"] for m in got) == sorted(
            str(a["id"]) for a in alerts(cfg)
        )
        assert {a["status"] for a in alerts(cfg)} == {"sent"}

        make_due(cfg)
        assert vigie("alerts", "send", config=cfg).returncode == 0
        res = crawl(cfg)  # unchanged site: no new alert, nothing sent again
        assert res.returncode == 0, output(res)[-3000:]
        assert len(alerts(cfg)) == 2
        assert len(smtp.messages) == 2
        deliveries = list(db_of(cfg).query("select alert_id, state from deliveries"))
        assert sorted(d["state"] for d in deliveries) == ["accepted", "accepted"]
    finally:
        smtp.stop()
