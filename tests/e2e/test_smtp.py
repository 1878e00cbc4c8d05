"""Alert delivery over a real SMTP server on loopback (aiosmtpd), into real SQLite files.

Covers the guarantees of issue 4: messages parsed back (headers, both parts, highlight),
STARTTLS and SSL with certificate verification, auth, server down → pending with backoff then
delivered once, accept-then-drop → no duplicate, a sender SIGKILLed inside DATA → at most one
copy per recipient and the alert flagged unconfirmed, per-recipient refusals, the digest, and
the .eml file transport.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

from monitor.alerts.deliver import deliver_pending, resend, send_digest, send_test
from monitor.config import load_config
from monitor.errors import DeliveryError
from storage import outbox
from storage.db import open_db, write_tx
from tests.support.smtpserver import SMTPServer, write_config

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
RECIPIENTS = ["alice@example.org", "bob@example.org"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),  # implicit TLS
]


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


@pytest.fixture
def servers():
    started: list[SMTPServer] = []

    def start(**kwargs) -> SMTPServer:
        srv = SMTPServer(**kwargs)
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.stop()


def setup(
    tmp_path,
    srv: SMTPServer | None,
    *,
    recipients=RECIPIENTS,
    alerts=None,
    email=None,
    sources=None,
):
    mail = {"recipients": recipients, **(email or {})}
    if srv is not None:
        mail.update(host="127.0.0.1", port=srv.port, security=srv.security, timeout=5)
    path = write_config(
        tmp_path, email=mail, alerts={"outbox_dir": "outbox", **(alerts or {})}, sources=sources
    )
    cfg = load_config(path)
    return path, cfg, open_db(cfg.db_path)


def add_item(db, n=1, source="fncs", title="Fin de l'expérimentation SECPA", **extra):
    item_id = f"{source}:https://{source}.example.org/{n}"
    db["items"].insert(
        {
            "id": item_id,
            "source": source,
            "kind": "article",
            "url": f"https://{source}.example.org/{n}",
            "title": title,
            "body": "…",
            "matched": 1,
            "matched_terms": '["SECPA"]',
            "match_fields": '{"SECPA": ["title"]}',
            "snippet": f"Le SECPA numéro {n}",
            **extra,
        }
    )
    return item_id


def enqueue(
    db, item_id, *, source="fncs", recipients=RECIPIENTS, mode="immediate", kind="new", now=T0
):
    with write_tx(db):
        return outbox.enqueue(
            db,
            event="new_match",
            item_id=item_id,
            source=source,
            run_id=1,
            recipients=recipients,
            mode=mode,
            payload={"kind": kind, "matched_terms": ["SECPA"]},
            now=now,
        )


def copies(srv: SMTPServer) -> dict[tuple[str, str], int]:
    """(X-Vigie-Alert, recipient) → how many copies the server received."""
    out: dict[tuple[str, str], int] = {}
    for got in srv.messages:
        key = (got.message["X-Vigie-Alert"], got.message["To"])
        out[key] = out.get(key, 0) + 1
    return out


def test_messages_received_and_parsed_back(tmp_path, servers):
    srv = servers()
    _, cfg, db = setup(tmp_path, srv)
    aid = enqueue(db, add_item(db, published="2026-02-28T17:00:00+01:00"))
    report = deliver_pending(db, cfg, T0)
    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    got = srv.messages
    assert sorted(g.rcpt_tos[0] for g in got) == RECIPIENTS
    for g in got:
        msg = g.message
        assert g.mail_from == "vigie@vigie.test"
        assert msg["Subject"] == "Nouvelle mention — FNCS — SECPA"
        assert msg["To"] == g.rcpt_tos[0] and msg["X-Vigie-Alert"] == str(aid)
        assert msg["Message-ID"] == outbox.message_id(aid, g.rcpt_tos[0], cfg.alerts.email.sender)
        assert "28 février 2026" in msg.get_body(("plain",)).get_content()
        assert "<mark>SECPA</mark>" in msg.get_body(("html",)).get_content()
    assert len({g.message["Message-ID"] for g in got}) == 2  # one Message-ID per recipient
    row = outbox.get(db, aid)
    assert row["status"] == "sent" and row["sent"] == "2026-03-01T07:00:00+00:00"
    assert {d["state"] for d in outbox.deliveries(db, aid).values()} == {"accepted"}
    assert deliver_pending(db, cfg, T0 + timedelta(hours=1)).sent == 0  # nothing twice


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_verified_certificate_and_auth(tmp_path, servers, ca, monkeypatch, security):
    authority, ca_file = ca
    srv = servers(security=security, ca=authority, auth=("vigie", "s3cret"))
    monkeypatch.setenv("VIGIE_TEST_SMTP_PW", "s3cret")
    email = {"username": "vigie", "password_env": "VIGIE_TEST_SMTP_PW", "ca_file": str(ca_file)}
    _, cfg, db = setup(tmp_path, srv, email=email)
    enqueue(db, add_item(db))
    assert deliver_pending(db, cfg, T0).sent == 1
    assert len(srv.messages) == 2 and all(ok for _, ok in srv.auth_attempts)
    assert "test message sent to alice@example.org, bob@example.org" in send_test(cfg)
    assert srv.wait_for(4)[-1].message["Subject"] == "Vigie — message de test"


def test_unknown_certificate_is_refused_and_alert_kept(tmp_path, servers, ca):
    authority, _ = ca
    srv = servers(security="starttls", ca=authority)
    _, cfg, db = setup(tmp_path, srv)  # no ca_file: the test CA is not trusted
    aid = enqueue(db, add_item(db))
    report = deliver_pending(db, cfg, T0)
    assert (report.sent, report.failed) == (0, 1)
    row = outbox.get(db, aid)
    assert row["status"] == "pending" and "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
    assert srv.messages == []


def test_wrong_password_keeps_the_alert_pending(tmp_path, servers, ca, monkeypatch):
    authority, ca_file = ca
    srv = servers(security="starttls", ca=authority, auth=("vigie", "s3cret"))
    monkeypatch.setenv("VIGIE_TEST_SMTP_PW", "wrong")
    email = {"username": "vigie", "password_env": "VIGIE_TEST_SMTP_PW", "ca_file": str(ca_file)}
    _, cfg, db = setup(tmp_path, srv, email=email)
    aid = enqueue(db, add_item(db))
    deliver_pending(db, cfg, T0)
    row = outbox.get(db, aid)
    assert row["status"] == "pending" and "535" in row["last_error"]
    with pytest.raises(DeliveryError):
        send_test(cfg)


def test_server_down_then_up_delivers_exactly_once(tmp_path):
    srv = SMTPServer()  # port reserved, nothing listening yet
    _, cfg, db = setup(tmp_path, srv, alerts={"retry_max_backoff": "10m"})
    ids = [enqueue(db, add_item(db, n)) for n in (1, 2, 3)]
    now = T0
    for attempt in range(1, 7):  # down for a while: backoff grows, capped at 10 minutes
        report = deliver_pending(db, cfg, now)
        assert (report.sent, report.failed, report.pending) == (0, 3, 3)
        rows = [outbox.get(db, i) for i in ids]
        assert all(r["status"] == "pending" and r["attempts"] == attempt for r in rows)
        assert (
            "Connection refused" in rows[0]["last_error"]
            or "ConnectionRefused" in rows[0]["last_error"]
        )
        wait = datetime.fromisoformat(rows[0]["next_attempt"]) - now
        assert wait == timedelta(minutes=min(2**attempt, 10))
        assert (
            deliver_pending(db, cfg, now + wait - timedelta(seconds=1)).failed == 0
        )  # not due yet
        now += wait
    srv.start()
    try:
        report = deliver_pending(db, cfg, now)
        assert (report.sent, report.failed, report.pending) == (3, 0, 0)
        assert deliver_pending(db, cfg, now + timedelta(hours=2)).sent == 0
        assert copies(srv) == {(str(i), r): 1 for i in ids for r in RECIPIENTS}
        assert all(outbox.get(db, i)["last_error"] is None for i in ids)
    finally:
        srv.stop()


def test_stop_and_restart_on_the_same_port(tmp_path, servers):
    srv = servers()
    _, cfg, db = setup(tmp_path, srv)
    first = enqueue(db, add_item(db, 1))
    assert deliver_pending(db, cfg, T0).sent == 1
    srv.stop()
    second = enqueue(db, add_item(db, 2), now=T0 + timedelta(minutes=1))
    assert deliver_pending(db, cfg, T0 + timedelta(minutes=1)).failed == 1
    srv.start()
    assert deliver_pending(db, cfg, T0 + timedelta(minutes=5)).sent == 1
    assert copies(srv) == {(str(a), r): 1 for a in (first, second) for r in RECIPIENTS}


def test_accept_then_drop_is_retried_without_duplicate(tmp_path, servers):
    srv = servers()
    srv.handler.mode = "drop_after_accept"  # 250, then the connection closes
    _, cfg, db = setup(tmp_path, srv)
    ids = [enqueue(db, add_item(db, n)) for n in (1, 2)]
    deliver_pending(db, cfg, T0)
    srv.handler.mode = "normal"
    for minutes in (5, 60, 180):
        deliver_pending(db, cfg, T0 + timedelta(minutes=minutes))
    assert copies(srv) == {(str(i), r): 1 for i in ids for r in RECIPIENTS}
    assert all(outbox.get(db, i)["status"] == "sent" for i in ids)


def test_answer_lost_after_data_is_never_resent(tmp_path, servers):
    srv = servers()
    srv.handler.mode = "drop_before_reply"  # message kept, the 250 never arrives
    _, cfg, db = setup(tmp_path, srv, recipients=["alice@example.org"])
    aid = enqueue(db, add_item(db), recipients=["alice@example.org"])
    report = deliver_pending(db, cfg, T0)
    assert report.unconfirmed == 1
    srv.handler.mode = "normal"
    deliver_pending(db, cfg, T0 + timedelta(hours=3))
    assert copies(srv) == {(str(aid), "alice@example.org"): 1}
    assert outbox.get(db, aid)["status"] == "unconfirmed"


def test_refused_recipient_is_final_for_that_recipient_only(tmp_path, servers):
    srv = servers()
    srv.handler.refuse = {"bob@example.org"}
    _, cfg, db = setup(tmp_path, srv)
    aid = enqueue(db, add_item(db))
    deliver_pending(db, cfg, T0)
    row = outbox.get(db, aid)
    assert (
        row["status"] == "sent"
        and "bob@example.org" in row["last_error"]
        and "550" in row["last_error"]
    )
    assert {r: d["state"] for r, d in outbox.deliveries(db, aid).items()} == {
        "alice@example.org": "accepted",
        "bob@example.org": "refused",
    }
    only_bob = enqueue(db, add_item(db, 2), recipients=["bob@example.org"])
    deliver_pending(db, cfg, T0)
    assert outbox.get(db, only_bob)["status"] == "failed"
    srv.handler.refuse = set()
    resend(db, cfg, only_bob, T0 + timedelta(hours=1))  # operator: the mailbox exists now
    assert outbox.get(db, only_bob)["status"] == "sent"
    assert copies(srv) == {
        (str(aid), "alice@example.org"): 1,
        (str(only_bob), "bob@example.org"): 1,
    }


SENDER = """
import sys
from monitor.config import load_config
from monitor.alerts.deliver import deliver_pending
from storage.db import open_db
cfg = load_config(sys.argv[1])
print(deliver_pending(open_db(cfg.db_path), cfg))
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["python -c", "vigie alerts send"])
def test_sender_killed_inside_data_gives_at_most_one_copy(tmp_path, servers, how):
    srv = servers()
    path, cfg, db = setup(tmp_path, srv)
    aid = enqueue(db, add_item(db))
    child: list[subprocess.Popen] = []

    def kill_sender(got):  # the server has the message; the sender dies before the 250
        deadline = time.monotonic() + 10
        while not child and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(child[0].pid, signal.SIGKILL)
        child[0].wait(10)

    srv.handler.on_data = kill_sender
    cmd = [sys.executable, "-c", SENDER, str(path)]
    if how == "vigie alerts send":
        cmd = [sys.executable, "-m", "monitor.cli.main", "--config", str(path), "alerts", "send"]
    child.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    assert child[0].wait(30) == -signal.SIGKILL
    srv.handler.on_data = None
    assert len(srv.messages) == 1
    first = srv.messages[0].message["To"]
    assert outbox.deliveries(db, aid)[first]["state"] == "sending"

    # restart: the next sender (after the claim's lease) must not resend the first copy
    later = datetime.now(UTC) + timedelta(hours=1)
    report = deliver_pending(db, cfg, later)
    assert report.unconfirmed == 1
    deliver_pending(db, cfg, later + timedelta(hours=5))
    assert copies(srv) == {(str(aid), r): 1 for r in RECIPIENTS}  # the other one was sent once
    row = outbox.get(db, aid)
    assert row["status"] == "unconfirmed" and first in row["last_error"]
    states = {r: d["state"] for r, d in outbox.deliveries(db, aid).items()}
    assert states[first] == "unconfirmed" and list(states.values()).count("accepted") == 1

    from monitor.cli.main import cli

    out = CliRunner().invoke(
        cli, ["--config", str(path), "alerts", "list", "--status", "unconfirmed"]
    )
    assert out.exit_code == 0, out.output
    assert f"{aid} " in out.output and "unconfirmed" in out.output and "new_match" in out.output

    out = CliRunner().invoke(cli, ["--config", str(path), "alerts", "resend", str(aid)])
    assert out.exit_code == 0, out.output + str(out.exception)
    assert copies(srv)[(str(aid), first)] == 2  # the operator asked for it
    assert outbox.get(db, aid)["status"] == "sent"


def test_digest_groups_pending_alerts_and_sends_nothing_when_empty(tmp_path, servers):
    srv = servers()
    sources = {"fncs": {}, "avecsante": {"recipients": ["carol@example.org"]}}
    _, cfg, db = setup(
        tmp_path, srv, alerts={"mode": "digest"}, sources=sources, recipients=["alice@example.org"]
    )
    everyone = ["alice@example.org", "carol@example.org"]
    a1 = enqueue(db, add_item(db, 1), mode="digest", recipients=["alice@example.org"])
    a2 = enqueue(
        db, add_item(db, 2, title="Deux SECPA"), mode="digest", recipients=["alice@example.org"]
    )
    a3 = enqueue(
        db,
        add_item(db, 3, source="avecsante", title="Réponse SECPA"),
        source="avecsante",
        mode="digest",
        kind="text",
        recipients=everyone,
    )
    with write_tx(db):
        health = outbox.enqueue(
            db,
            event="health_broken",
            item_id=None,
            source="fncs",
            run_id=3,
            recipients=["alice@example.org"],
            mode="immediate",
            payload={"reason": "HTTP 503", "failures": 3},
            now=T0,
        )
    report = deliver_pending(db, cfg, T0)
    assert report.sent == 1 and [g.message["Subject"] for g in srv.messages] == [
        "Source en panne — fncs"
    ]
    assert [outbox.get(db, i)["status"] for i in (a1, a2, a3)] == ["pending"] * 3

    report = send_digest(db, cfg, T0 + timedelta(hours=1))
    assert report.sent == 1
    digests = {
        g.message["To"]: g.message
        for g in srv.messages
        if g.message["X-Vigie-Alert"] != str(health)
    }
    assert set(digests) == {"alice@example.org", "carol@example.org"}
    alice = digests["alice@example.org"].get_body(("plain",)).get_content()
    assert digests["alice@example.org"]["Subject"] == "Vigie — résumé du 1 mars 2026 — 3 alertes"
    assert alice.index("■ AVECSANTE — Texte modifié (1)") < alice.index(
        "■ FNCS — Nouvelle mention (2)"
    )
    carol = digests["carol@example.org"].get_body(("plain",)).get_content()
    assert "Réponse SECPA" in carol and "Deux SECPA" not in carol  # only her source
    assert digests["carol@example.org"]["Subject"].endswith("— 1 alerte")
    assert [outbox.get(db, i)["status"] for i in (a1, a2, a3)] == ["sent"] * 3

    n = len(srv.messages)
    assert send_digest(db, cfg, T0 + timedelta(days=1)).sent == 0
    assert len(srv.messages) == n


def test_digest_survives_smtp_down(tmp_path):
    srv = SMTPServer()
    _, cfg, db = setup(tmp_path, srv, alerts={"mode": "digest"})
    aid = enqueue(db, add_item(db), mode="digest")
    report = send_digest(db, cfg, T0)
    assert report.failed == 1 and outbox.get(db, aid)["status"] == "grouped"
    srv.start()
    try:
        assert deliver_pending(db, cfg, T0 + timedelta(minutes=3)).sent == 1  # the digest, retried
        assert len(srv.messages) == 2 and outbox.get(db, aid)["status"] == "sent"
    finally:
        srv.stop()


def test_eml_file_transport_and_retry_overwrites(tmp_path):
    path, cfg, db = setup(tmp_path, None)
    aid = enqueue(db, add_item(db, title="SECPA <script>x</script>"))
    assert deliver_pending(db, cfg, T0).sent == 1
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "outbox").glob(".*"))
    import email
    from email import policy

    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["Subject"] == "Nouvelle mention — FNCS — SECPA"
    assert "&lt;script&gt;" in msg.get_body(("html",)).get_content()
    # a crash after writing, before marking accepted: the retry rewrites the same files
    db.conn.execute("UPDATE deliveries SET state = 'sending'")
    db.conn.execute("UPDATE alerts SET status = 'pending', next_attempt = NULL")
    assert deliver_pending(db, cfg, T0 + timedelta(minutes=1)).sent == 1
    assert sorted((tmp_path / "outbox").glob("*.eml")) == files
    assert outbox.get(db, aid)["status"] == "sent"


def test_cli_list_send_and_test(tmp_path):
    from monitor.cli.main import cli

    path, cfg, db = setup(tmp_path, None)
    aid = enqueue(db, add_item(db))
    run = CliRunner().invoke(cli, ["--config", str(path), "alerts", "list"])
    assert (
        run.exit_code == 0
        and "pending" in run.output
        and "fncs:https://fncs.example.org/1" in run.output
    )
    run = CliRunner().invoke(cli, ["--config", str(path), "alerts", "send"])
    assert run.exit_code == 0 and "1 sent" in run.output, run.output
    run = CliRunner().invoke(cli, ["--config", str(path), "alerts", "digest"])
    assert run.exit_code == 0 and "nothing sent" in run.output
    run = CliRunner().invoke(cli, ["--config", str(path), "alerts", "test"])
    assert run.exit_code == 0 and "files in" in run.output
    run = CliRunner().invoke(cli, ["--config", str(path), "alerts", "resend", "999"])
    assert run.exit_code == 1 and "no alert with id 999" in run.output
    assert json.loads(outbox.get(db, aid)["recipients"]) == RECIPIENTS


@pytest.mark.slow
def test_two_senders_at_once_never_double(tmp_path, servers):
    srv = servers()
    srv.handler.on_data = lambda got: time.sleep(0.1)  # slow server: the passes overlap
    path, cfg, db = setup(tmp_path, srv)
    ids = [enqueue(db, add_item(db, n)) for n in range(1, 6)]
    cmd = [sys.executable, "-c", SENDER, str(path)]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    assert copies(srv) == {(str(i), r): 1 for i in ids for r in RECIPIENTS}
    assert {outbox.get(db, i)["status"] for i in ids} == {"sent"}


def test_a_copy_row_is_its_lock(tmp_path):
    _, _, db = setup(tmp_path, None)
    assert outbox.mark_sending(db, 1, "a@x.org", "<m>", T0) is True
    assert outbox.mark_sending(db, 1, "a@x.org", "<m>", T0) is False  # held: never twice
    assert outbox.mark_sending(db, 1, "a@x.org", "<m>", T0, retake=True) is True  # .eml retry
    outbox.mark_accepted(db, 1, "a@x.org", T0)
    assert outbox.mark_sending(db, 1, "a@x.org", "<m>", T0, retake=True) is False  # settled
