"""Channels and profiles (issue 14): config rules, secrets masked, chat bodies, and the outbox
guarantees per channel (a real Apprise JSON webhook posting to a local HTTP receiver, real
SQLite files)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.chat import archive_link, chat_alert, cut
from monitor.alerts.deliver import deliver_pending, resend, send_digest
from monitor.config import load_config, parse_config, redacted
from monitor.errors import ConfigError
from monitor.ingest.rematch import rematch_all
from monitor.logs import RedactSecrets, secrets_of
from storage import outbox
from storage.db import open_db, write_tx
from tests.support.configs import write_config
from tests.support.webhook import WebhookReceiver

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
BASE = {
    "watch": {"terms": ["SECPA"]},
    "sources": {"fncs": {"spider": "site", "url": "https://fncs.org"}},
}


def problems(**extra) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config({**BASE, **extra})
    return err.value.problems


@pytest.fixture
def receiver():
    r = WebhookReceiver().start()
    yield r
    r.stop()


def setup(tmp_path, channels: dict, profiles: dict | None = None, **sections):
    path = write_config(
        tmp_path,
        {"fncs": {"spider": "site", "url": "https://fncs.example.org"}},
        channels=channels,
        **({"profiles": profiles} if profiles else {}),
        **sections,
    )
    cfg = load_config(path)
    return cfg, open_db(cfg.db_path)


def add_item(db, n=1, snippet="Le SECPA prolongé", body="…"):
    item_id = f"https://fncs.example.org/{n}"
    db["items"].insert(
        {
            "id": item_id,
            "source": "fncs",
            "kind": "article",
            "url": item_id,
            "title": f"Article {n} sur le SECPA",
            "body": body,
            "matched": 1,
            "matched_terms": '["SECPA"]',
            "match_fields": '{"SECPA": ["title"]}',
            "snippet": snippet,
        }
    )
    return item_id


def enqueue(db, item_id, *, channels, recipients=(), profile="default", mode="immediate"):
    with write_tx(db):
        return outbox.enqueue(
            db,
            event="new_match",
            item_id=item_id,
            source="fncs",
            run_id=1,
            recipients=list(recipients),
            mode=mode,
            payload={"kind": "new", "matched_terms": ["SECPA"]},
            now=T0,
            profile=profile,
            channels=channels,
        )


# -- configuration --------------------------------------------------------------------------


def test_a_profile_naming_an_unknown_channel_is_refused_with_the_key():
    found = problems(
        channels={"slack": {"url": "json://hooks.example.org/x"}},
        profiles={"presse": {"channels": ["slak"]}},
    )
    assert len(found) == 1
    assert found[0].startswith("profiles.presse.channels: unknown channel 'slak'")
    assert 'did you mean "slack"' in found[0] and "[channels.slak]" in found[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"channels": {"email": {"url": "json://x.org/a"}}}, "channels.email: 'email' is reserved"),
        ({"channels": {"chat": {}}}, "channels.chat: set exactly one of url"),
        (
            {"channels": {"chat": {"url": "json://x.org/a", "url_env": "VIGIE_X"}}},
            "channels.chat: set exactly one of url",
        ),
        ({"channels": {"chat": {"url": "hooks.example.org"}}}, "channels.chat.url: 'hooks"),
        (
            {"profiles": {"p": {"recipients": ["a@x.org"], "sources": ["fnsc"]}}},
            "profiles.p.sources: unknown source 'fnsc' (did you mean \"fncs\"?)",
        ),
        ({"profiles": {"p": {"terms": ["SECPA"]}}}, "profiles.p: delivers nowhere"),
        ({"profiles": {"p": {"recipients": ["a@x.org"], "terms": ["*"]}}}, "profiles.p.terms:"),
        ({"profiles": {"p": {"channels": ["email"]}}}, "(e-mail goes to recipients)"),
        ({"profiles": {"p": {"recipients": ["a@x.org"], "mode": "weekly"}}}, "profiles.p.mode"),
    ],
)
def test_channel_and_profile_rules_name_the_key(extra, expected):
    assert any(expected in p for p in problems(**extra)), problems(**extra)


def test_without_profiles_the_implicit_default_profile_is_todays_config():
    from monitor.ingest.profiles import profiles_of

    cfg = parse_config(
        {
            **BASE,
            "alerts": {"mode": "digest", "email": {"recipients": ["a@x.org"]}},
            "channels": {"chat": {"url": "json://x.org/a"}},
        }
    )
    (p,) = profiles_of(cfg)
    assert (p.name, p.terms, p.mode, p.recipients, p.channels, p.implicit) == (
        "default",
        ("SECPA",),
        "digest",
        ("a@x.org",),
        ("chat",),
        True,
    )
    assert p.covers("fncs", "article") and p.covers("senat", "question")


# -- secrets --------------------------------------------------------------------------------


def test_channel_secrets_never_shown_nor_logged(monkeypatch, tmp_path, receiver):
    monkeypatch.setenv("VIGIE_HOOK_TOKEN", "s3cr3t-hook-token")
    monkeypatch.setenv("VIGIE_SLACK_URL", "slack://T000/B000/xoxb-very-secret-url")
    cfg = parse_config(
        {
            **BASE,
            "channels": {
                "hook": {"url": "json://127.0.0.1:9/{VIGIE_HOOK_TOKEN}"},
                "slack": {"url_env": "VIGIE_SLACK_URL"},
            },
        }
    )
    shown = json.dumps(redacted(cfg))
    assert "s3cr3t" not in shown and "very-secret" not in shown
    assert '"url": "json://127.0.0.1:9/{VIGIE_HOOK_TOKEN}"' in shown
    assert redacted(cfg)["channels"]["slack"]["secrets"] == {"VIGIE_SLACK_URL": "(set)"}
    scrub = RedactSecrets(secrets_of(cfg))
    assert scrub.redact("POST json://127.0.0.1:9/s3cr3t-hook-token failed") == (
        "POST json://127.0.0.1:9/*** failed"
    )
    assert "very-secret" not in scrub.redact("bad url slack://T000/B000/xoxb-very-secret-url")
    # the transport's own error text (Apprise quotes the URL path) is masked too
    from monitor.alerts.channels import ChannelTransport
    from monitor.errors import DeliveryError

    with pytest.raises(DeliveryError) as err:
        ChannelTransport("hook", cfg.channels["hook"]).send("t", "b")
    assert "s3cr3t" not in str(err.value) and "***" in str(err.value)


def test_a_missing_secret_variable_is_named_and_the_alert_waits(tmp_path, receiver):
    cfg, db = setup(tmp_path, {"chat": {"url_env": "VIGIE_UNSET_URL_FOR_TEST"}})
    aid = enqueue(db, add_item(db), channels=["chat"])
    report = deliver_pending(db, cfg, T0)
    assert report.failed == 1
    assert "VIGIE_UNSET_URL_FOR_TEST (url_env) is not set" in outbox.get(db, aid)["last_error"]
    assert outbox.get(db, aid)["status"] == "pending"


# -- bodies ---------------------------------------------------------------------------------


def test_long_chat_text_is_cut_on_a_word_with_the_archive_link():
    words = " ".join(f"mot{i}" for i in range(600))
    alert = {
        "id": 7,
        "event": "new_match",
        "item_id": "https://x.org/a b",
        "source": "fncs",
        "payload": json.dumps({"kind": "new", "matched_terms": ["SECPA"]}),
    }
    item = {
        "title": "Le SECPA",
        "kind": "article",
        "url": "https://x.org/a b",
        "snippet": "Le SECPA " + words,
    }
    title, body = chat_alert(
        alert, item, archive="https://veille.example.org/", max_chars=400, terms=["SECPA"]
    )
    assert title == "Nouvelle mention — FNCS — SECPA"
    assert len(body) <= 400
    link = "https://veille.example.org/vigie/items/https~3A~2F~2Fx~2Eorg~2Fa+b"
    assert archive_link("https://veille.example.org/", "https://x.org/a b") == link
    assert body.endswith(f"Archive : {link}")
    last_text = body.rsplit(" …\n", 1)[0]
    assert last_text.split()[-1].startswith("mot") and last_text.split()[-1][3:].isdigit()
    assert words.startswith(last_text.split("« Le **SECPA** ", 1)[1])  # whole words only
    assert "**SECPA**" in body


def test_cut_keeps_short_texts_and_never_cuts_mid_word():
    assert cut("court", 50, "tail") == "court"
    out = cut("un deux trois quatre cinq six sept", 25, "→")
    assert out == "un deux trois …\n→"


# -- delivery and crash semantics per channel --------------------------------------------------


def test_a_post_left_sending_by_a_dead_sender_is_never_resent(tmp_path, receiver):
    cfg, db = setup(tmp_path, {"chat": {"url": receiver.url("/chat")}})
    aid = enqueue(db, add_item(db), channels=["chat"])
    outbox.mark_sending(db, aid, "chat", "<m>", T0, channel="chat")  # died right after this
    report = deliver_pending(db, cfg, T0)
    assert report.unconfirmed == 1 and receiver.received() == []
    assert outbox.get(db, aid)["status"] == "unconfirmed"
    assert outbox.deliveries(db, aid)["chat"]["state"] == "unconfirmed"
    resend(db, cfg, aid, T0 + timedelta(minutes=5))  # operator checked: not there, send it
    assert len(receiver.received("/chat")) == 1
    assert outbox.get(db, aid)["status"] == "sent"


def test_a_lost_answer_is_unconfirmed_and_not_posted_twice(tmp_path, receiver):
    receiver.delay = 2.5  # the service takes the post but answers after the client gave up
    cfg, db = setup(tmp_path, {"chat": {"url": receiver.url("/chat"), "timeout": 1}})
    aid = enqueue(db, add_item(db), channels=["chat"])
    report = deliver_pending(db, cfg, T0)
    assert report.unconfirmed == 1 and len(receiver.received()) == 1
    receiver.delay = 0
    deliver_pending(db, cfg, T0 + timedelta(hours=2))
    assert len(receiver.received()) == 1
    assert "may have been posted" in outbox.get(db, aid)["last_error"]


def test_a_refusing_service_keeps_the_alert_pending_then_delivers_once(tmp_path, receiver):
    receiver.status = 503
    cfg, db = setup(
        tmp_path,
        {"chat": {"url": receiver.url("/chat")}, "other": {"url": receiver.url("/other")}},
    )
    aid = enqueue(db, add_item(db), channels=["chat", "other"])
    receiver.status = 200
    deliver_pending(db, cfg, T0)  # both fine: baseline
    assert len(receiver.received()) == 2
    bid = enqueue(db, add_item(db, 2), channels=["chat", "other"])
    receiver.status = 503
    report = deliver_pending(db, cfg, T0)
    assert report.failed == 1 and "503" in outbox.get(db, bid)["last_error"]
    assert (
        outbox.get(db, bid)["attempts"] == 1
        and outbox.get(db, bid)["next_attempt"] > T0.isoformat()
    )
    receiver.status = 200
    deliver_pending(db, cfg, T0 + timedelta(hours=2))
    refused = [p.path for p in receiver.received() if p.status == 503]
    assert sorted(refused) == ["/chat", "/other"]  # each channel tried once in the failed pass
    posts = [p.path for p in receiver.received(accepted_only=True) if "Article 2" in p.message]
    assert sorted(posts) == ["/chat", "/other"]  # taken once each, after the service came back
    assert outbox.get(db, bid)["status"] == "sent" and outbox.get(db, aid)["status"] == "sent"


def test_profile_digest_groups_by_source_and_kind_with_archive_links(tmp_path, receiver):
    cfg, db = setup(
        tmp_path,
        {"chat": {"url": receiver.url("/chat")}},
        profiles={
            "veille": {"channels": ["chat"], "mode": "digest"},
            "autre": {"channels": ["chat"], "mode": "digest"},
        },
        serve={"public_url": "https://veille.example.org"},
    )
    for n in (1, 2):
        enqueue(db, add_item(db, n), channels=["chat"], profile="veille", mode="digest")
    enqueue(db, add_item(db, 3), channels=["chat"], profile="autre", mode="digest")
    report = send_digest(db, cfg, T0, profile="veille")
    assert report.sent == 1
    (post,) = receiver.received()
    assert post.title == "Vigie — résumé du 1 mars 2026 — 2 alertes"
    assert "■ **FNCS — Nouvelle mention** (2)" in post.message
    assert "« Le **SECPA** prolongé »" in post.message
    assert (
        "https://veille.example.org/vigie/items/https~3A~2F~2Ffncs~2Eexample~2Eorg~2F1"
        in post.message
    )
    assert "Article 3" not in post.message  # the other profile's digest is its own
    assert send_digest(db, cfg, T0).sent == 1 and len(receiver.received()) == 2


def test_rematch_fills_item_profiles_and_sends_nothing(tmp_path, receiver):
    cfg, db = setup(
        tmp_path,
        {"chat": {"url": receiver.url("/chat")}},
        profiles={
            "a": {"channels": ["chat"], "terms": ["SECPA"]},
            "b": {"channels": ["chat"], "terms": ["prolongé"], "kinds": ["question"]},
        },
    )
    add_item(db, 1)
    add_item(db, 2, snippet="rien", body="rien")
    db["items"].update("https://fncs.example.org/2", {"title": "rien"})
    total, _ = rematch_all(db, cfg)
    assert total == 2
    rows = {
        (r["item_id"], r["profile"], r["matched"]) for r in db.query("select * from item_profiles")
    }
    assert rows == {("https://fncs.example.org/1", "a", 1)}  # b: articles out of its scope
    assert db["items"].get("https://fncs.example.org/2")["matched"] == 0
    assert list(db.query("select * from alerts")) == [] and receiver.received() == []


def test_logging_filter_sees_channel_secret_values(monkeypatch):
    monkeypatch.setenv("VIGIE_T", "abc-secret-123")
    cfg = parse_config({**BASE, "channels": {"c": {"url": "json://h.org/{VIGIE_T}"}}})
    handler_filter = RedactSecrets(secrets_of(cfg))
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "url %s", ("json://h.org/abc-secret-123",), None
    )
    handler_filter.filter(record)
    assert record.getMessage() == "url json://h.org/***"


# -- routing: once per profile and event ------------------------------------------------------


def test_each_profile_concerned_gets_one_alert_per_event(tmp_path):
    from monitor.ingest.profiles import ProfileRouter

    cfg, db = setup(
        tmp_path,
        {"chat": {"url": "json://127.0.0.1:9/chat"}, "ops": {"url": "json://127.0.0.1:9/ops"}},
        profiles={
            "questions": {
                "kinds": ["question"],
                "terms": ["SECPA"],
                "channels": ["chat", "ops"],
                "recipients": ["a@x.org", "b@x.org"],
            },
            "articles": {"kinds": ["article"], "terms": ["SECPA"], "channels": ["chat"]},
            "large": {"terms": ["santé"], "channels": ["ops"]},
        },
    )
    router = ProfileRouter(cfg, "fncs")
    fields = {"title": "Le SECPA et la santé", "body": ""}
    union = router.match("q1", "question", fields)
    assert union.matched and union.terms == ["SECPA", "santé"]
    row = {"id": "q1", "kind": "question", "followed": 1}
    event = {"event": "new_match", "payload": {"kind": "new", "matched_terms": union.terms}}
    with write_tx(db):
        ids = router.enqueue(db, row, None, event, run_id=1, now="2026-03-01T07:00:00+00:00")
    made = {a["profile"]: a for a in db.query("select * from alerts")}
    assert len(ids) == 2 and set(made) == {"questions", "large"}  # "articles": out of scope
    assert json.loads(made["questions"]["channels"]) == ["chat", "ops"]
    assert json.loads(made["questions"]["recipients"]) == ["a@x.org", "b@x.org"]
    assert json.loads(made["questions"]["payload"])["matched_terms"] == ["SECPA"]
    # later the question is answered and no longer says "santé": "large" followed it (it
    # matched once), so the answer reaches both profiles, once each
    router.match("q1", "question", {"title": "Le SECPA", "body": ""})
    previous = {"id": "q1", "matched": 1, "followed": 1}
    changed = {"event": "item_changed", "payload": {"kind": "answered"}}
    with write_tx(db):
        router.enqueue(db, row, previous, changed, run_id=2, now="2026-03-02T07:00:00+00:00")
    events = sorted(
        (a["profile"], a["event"]) for a in db.query("select * from alerts where run_id = 2")
    )
    assert events == [("large", "item_changed"), ("questions", "item_changed")]
    states = {(r["profile"], r["matched"]) for r in db.query("select * from item_profiles")}
    assert states == {("questions", 1), ("large", 0)}


def test_apprise_lines_never_reach_our_logs(monkeypatch, caplog):
    """Apprise logs the URL (with its token) and the payload: those lines stay captured."""
    from monitor.alerts.channels import ChannelTransport
    from monitor.errors import DeliveryError

    monkeypatch.setenv("VIGIE_T", "tok-987654")
    cfg = parse_config({**BASE, "channels": {"c": {"url": "json://127.0.0.1:9/{VIGIE_T}"}}})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError):
        ChannelTransport("c", cfg.channels["c"]).send("titre", "corps")
    assert "tok-987654" not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("apprise")]


def test_a_lone_channel_down_is_shown_but_raises_no_undeliverable_alert(tmp_path):
    from storage import channel_health

    cfg, db = setup(
        tmp_path,
        {"chat": {"url": "json://127.0.0.1:9/chat", "timeout": 1}},
        alerts={"channel_failures_before_alert": 1, "email": {"recipients": []}},
    )
    aid = enqueue(db, add_item(db), channels=["chat"])
    deliver_pending(db, cfg, T0)
    assert channel_health.states(db)["chat"]["state"] == "down"
    assert [a["id"] for a in db.query("select id from alerts")] == [aid]  # no health alert
    assert outbox.get(db, aid)["status"] == "pending"
