"""Channels and profiles end to end (issue 14): a real crawl of a local press site, two watch
profiles, a real SMTP server (aiosmtpd) and two chat channels that are Apprise JSON webhooks
posting to a local HTTP receiver. One channel is down for a whole run; after it comes back every
alert has arrived exactly once per profile and channel: nothing lost, nothing doubled.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import db_of, vigie
from tests.faults.conftest import SOURCE, alerts, crawl, items, output, press_config
from tests.support.smtpserver import SMTPServer
from tests.support.webhook import WebhookReceiver

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PUBLIC = "https://veille.example.org"


def make_due(cfg) -> None:
    """Let the clock pass the retry back-off without sleeping through it."""
    with db_of(cfg).conn as conn:
        conn.execute(
            "UPDATE alerts SET next_attempt = '2000-01-01T00:00:00+00:00' WHERE status = 'pending'"
        )


def item_posts(receiver: WebhookReceiver, path: str) -> Counter:
    """(title, archive link) → how many posts the "chat service" got on ``path`` (item alerts)."""
    out: Counter = Counter()
    for post in receiver.received(path):
        if "Canal d'alerte" in post.title:
            continue
        link = next(line for line in post.message.splitlines() if line.startswith("Archive : "))
        out[(post.title, link)] += 1
    return out


@pytest.fixture
def parts(tmp_path, press_site):
    srv = press_site(n_articles=4)  # a01, a02 mention SECPA; every article says "interprétariat"
    smtp = SMTPServer().start()
    chat = WebhookReceiver().start()
    ops = WebhookReceiver()  # not started: the "ops" service is down
    cfg = press_config(
        tmp_path,
        srv,
        alerts={
            "channel_failures_before_alert": 2,
            "email": {
                "host": "127.0.0.1",
                "port": smtp.port,
                "timeout": 5,
                "recipients": ["veille@example.org"],
            },
        },
        serve={"public_url": PUBLIC},
        channels={
            "team": {"url": chat.url("/team"), "timeout": 3},
            "ops": {"url": ops.url("/ops"), "timeout": 3},
        },
        profiles={
            "presse": {
                "terms": ["SECPA"],
                "recipients": ["presse@example.org"],
                "channels": ["team", "ops"],
            },
            "sante": {"terms": ["interprétariat"], "sources": [SOURCE], "channels": ["ops"]},
        },
    )
    yield cfg, smtp, chat, ops
    for server in (smtp, chat, ops):
        server.stop()


def test_two_profiles_two_channels_one_down_for_a_run(parts):
    cfg, smtp, chat, ops = parts

    res = crawl(cfg)
    assert res.returncode == 0, output(res)[-3000:]
    stored = items(cfg)
    assert len(stored) == 4 and all(i["matched"] == 1 for i in stored.values())  # the union
    matched = {
        (r["item_id"].rsplit("/", 1)[-1], r["profile"])
        for r in db_of(cfg).query("select * from item_profiles where matched = 1")
    }
    assert matched == {("a01", "presse"), ("a02", "presse")} | {
        (f"a0{n}", "sante") for n in range(1, 5)
    }
    # one alert per profile and item, whatever the number of recipients and channels
    by_profile = Counter(a["profile"] for a in alerts(cfg, "new_match"))
    assert by_profile == {"presse": 2, "sante": 4}

    # team and e-mail got theirs at the end of the crawl; ops is down: its copies wait
    assert sum(item_posts(chat, "/team").values()) == 2
    assert sorted(m.rcpt_tos[0] for m in smtp.wait_for(2)) == ["presse@example.org"] * 2
    waiting = [a for a in alerts(cfg, "new_match") if a["status"] == "pending"]
    assert len(waiting) == 6 and all("ops" in a["last_error"] for a in waiting)

    make_due(cfg)
    res = vigie("alerts", "send", config=cfg)  # still down: a second failed pass → health alert
    assert res.returncode != 0 and "stay pending" in res.stderr, output(res)[-2000:]
    listing = vigie("alerts", "list", config=cfg).stdout
    assert "channel ops: down, 2 failed pass(es) in a row" in listing, listing
    assert "team:accepted ops:pending" in listing and "email:accepted" in listing
    down = alerts(cfg, "health_channel_down")
    assert len(down) == 1 and down[0]["source"] == "ops"

    ops.start()
    make_due(cfg)
    res = vigie("alerts", "send", config=cfg)
    assert res.returncode == 0, output(res)[-3000:]
    make_due(cfg)
    assert vigie("alerts", "send", config=cfg).returncode == 0  # the "recovered" notice
    res = crawl(cfg)  # unchanged site: nothing new, nothing sent again
    assert res.returncode == 0, output(res)[-3000:]
    assert vigie("alerts", "send", config=cfg).returncode == 0

    team, ops_posts = item_posts(chat, "/team"), item_posts(ops, "/ops")
    # exactly once per profile and channel: presse → team + ops, sante → ops
    assert set(team.values()) == {1} and len(team) == 2
    assert set(ops_posts.values()) == {1} and len(ops_posts) == 6
    assert sum(1 for title, _ in ops_posts if title.endswith("— SECPA")) == 2
    assert sum(1 for title, _ in ops_posts if title.endswith("— interprétariat")) == 4
    assert all(link.startswith(f"Archive : {PUBLIC}/vigie/items/") for _, link in ops_posts)
    assert {a["status"] for a in alerts(cfg, "new_match")} == {"sent"}
    # e-mail: each presse alert once to presse@; the channel health notices to veille@ only
    mails = Counter((m.message["X-Vigie-Alert"], m.rcpt_tos[0]) for m in smtp.messages)
    assert set(mails.values()) == {1}
    assert sorted(r for (_, r) in mails if r == "presse@example.org") == ["presse@example.org"] * 2
    notices = [p.title for p in chat.received("/team") if "Canal d'alerte" in p.title]
    assert notices == ["Canal d'alerte en panne — ops", "Canal d'alerte rétabli — ops"]
    assert not [p for p in ops.received("/ops") if "Canal d'alerte" in p.title]
    states = {
        (d["channel"], d["state"])
        for d in db_of(cfg).query("select channel, state from deliveries")
    }
    assert states == {("email", "accepted"), ("team", "accepted"), ("ops", "accepted")}


def test_alerts_test_says_which_channel_failed_and_why(parts):
    cfg, smtp, chat, ops = parts
    res = vigie("alerts", "test", config=cfg)
    assert res.returncode == 1
    assert "ok      team: test message posted" in res.stdout
    assert "ok      email: test message sent to" in res.stdout
    assert "FAILED  ops: channel ops:" in res.stdout and "Connection refused" in res.stdout
    assert [p.title for p in chat.received("/team")] == ["Vigie — message de test"]
    assert len(smtp.wait_for(2)) == 2  # veille@ and presse@, one each
    assert not (cfg.parent / "vigie.db").exists()  # a test writes nothing to the outbox
