"""The archive's front page and item pages over HTTP, on a real crawl's archive (issue 17).

Same archive and server as test_datasette.py (a real `vigie crawl` of two fixture sites plus
three seeded AN questions, `vigie serve` in a child process); this module gets its own copy,
so the changes it makes at the end (a second crawl, a `links` table) touch no other test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import lxml.html
import pytest
from datasette.utils import tilde_encode

from monitor.alerts.compose import french_date
from tests.conftest import vigie
from tests.support.served import AN_ANSWERED, AN_OLD_ANSWER, AN_PENDING, Served, db

pytestmark = pytest.mark.e2e


def page(server: Served, path: str) -> lxml.html.HtmlElement:
    status, body, headers = server.get(path)
    assert status == 200, (path, status, body[:500])
    assert headers["Content-Type"].startswith("text/html")
    return lxml.html.fromstring(body)


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def item_path(item_id: str) -> str:
    return "/vigie/items/" + tilde_encode(item_id)


# -- front page --------------------------------------------------------------------------------


def test_front_page_is_french_and_script_free(server: Served) -> None:
    status, body, _ = server.get("/")
    html = body.decode()
    assert status == 200 and '<html lang="fr">' in html
    assert "<script" not in html  # reading never needs JavaScript
    assert 'name="viewport"' in html  # phone-sized windows
    doc = lxml.html.fromstring(body)
    assert [text(h) for h in doc.cssselect("main h2")] == [
        "Dernières mentions",
        "Mentions par semaine (52 dernières semaines)",
        "Ce qui bouge sur les éléments suivis",
        "Santé des sources",
    ]
    form = doc.cssselect("form.vigie-search")[0]
    assert (form.get("action"), form.get("method")) == ("/recherche", "get")
    assert "_memory" not in html  # the plumbing is out of the way


def test_search_page_in_french_ignores_accents_and_highlights(
    server: Served, archive: dict
) -> None:
    doc = page(server, "/recherche?q=coordonne")
    assert doc.get("lang") == "fr" and text(doc.cssselect("h1")[0]) == "Recherche dans l'archive"
    links = [a.get("href") for a in doc.cssselect("ol.vigie-mentions a.vigie-item-link")]
    expected = {archive["secpa"], archive["struct"], archive["fin"], AN_PENDING}
    assert set(links) == {item_path(i) for i in expected}  # same set as the FTS table search
    assert doc.cssselect("ol.vigie-mentions mark")  # the matched words highlighted
    bad = page(server, "/recherche?q=%22secpa")  # an unclosed quote: told, not a 500
    assert "Recherche non comprise" in text(bad)
    assert "Aucun résultat" in text(page(server, "/recherche?q=zzzyyyxxx"))


def test_latest_mentions_newest_first_with_highlight(server: Served, archive: dict) -> None:
    doc = page(server, "/")
    entries = doc.cssselect("ol.vigie-mentions > li")
    expected = [
        r["id"]
        for r in db(archive).query(
            "select id from items where matched = 1 "
            "order by coalesce(published, first_seen) desc, first_seen desc limit 15"
        )
    ]
    links = [li.cssselect("a.vigie-item-link")[0].get("href") for li in entries]
    assert links == [item_path(i) for i in expected]
    assert expected[0] == AN_PENDING  # 40 days ago: the newest mention
    first = entries[0]
    assert "Avenir des structures" in text(first)
    assert [m.text_content() for m in first.cssselect(".vigie-snippet mark")][0] in (
        "SECPa",
        "structures d'exercice coordonné participatives",
    )
    secpa = entries[expected.index(archive["secpa"])]
    meta = [text(s) for s in secpa.cssselect(".vigie-meta")[0].cssselect("span")]
    assert meta == ["AVECsanté", "Article", "10 février 2026 à 09:12"]  # label, kind, Paris time
    assert "SECPa" in [m.text_content() for m in secpa.cssselect(".vigie-snippet mark")]
    assert "Pourquoi : « SECPA » dans : titre, texte" in text(secpa)
    assert archive["secpa"] in [a.get("href") for a in secpa.cssselect("a")]  # the original
    assert AN_OLD_ANSWER not in " ".join(links)  # not matched


def test_moves_on_followed_items(server: Served) -> None:
    doc = page(server, "/")
    moves = [text(li) for li in doc.cssselect("ol.vigie-moves > li")]
    assert moves[0].startswith(f"Réponse publiée le {french_date(date.today().isoformat())} — ")
    assert "Financement des centres de santé participatifs" in moves[0]
    assert sum(m.startswith("Nouveau document — ") for m in moves) == 3  # followed questions


def test_source_health_lines(server: Served) -> None:
    doc = page(server, "/")
    lines = doc.cssselect("ul.vigie-health > li")
    assert [li.get("class") for li in lines] == ["state-ok", "state-ok"]
    assert [text(li.cssselect(".vigie-source")[0]) for li in lines] == ["AVECsanté", "fncs"]
    first = text(lines[0])
    assert first.startswith("fonctionne AVECsanté dernier succès : ")
    assert "prochaine collecte : " in first and "à 07:00" in first  # the default schedule
    assert "échecs consécutifs : 0" in first


def test_weekly_chart_is_inline_svg(server: Served, archive: dict) -> None:
    doc = page(server, "/")
    svgs = doc.cssselect("#graphique svg")
    assert len(svgs) == 2  # by source, by kind
    since = datetime.now(UTC).date() - timedelta(weeks=51)
    since -= timedelta(days=since.weekday())
    matched = [
        r["d"][:10]
        for r in db(archive).query(
            "select coalesce(published, first_seen) as d from items where matched = 1"
        )
    ]
    in_year = sum(d >= since.isoformat() for d in matched)
    assert in_year >= 6
    for svg in svgs:
        bars = [t.text_content() for t in svg.iter("{*}title", "title")][1:]
        assert sum(int(t.rsplit(", ", 1)[1]) for t in bars) == in_year
    legend = [text(li) for li in doc.cssselect("#graphique figure")[0].cssselect("li")]
    assert "AVECsanté (2)" in legend and "an (2)" in legend
    html = server.get("/")[1].decode()
    assert "http://www.w3.org/2000/svg" in html and "cdn" not in html.lower()


def test_technical_tables_hidden_but_reachable(server: Served) -> None:
    tables = {t["name"]: t["hidden"] for t in server.json("/vigie.json")["tables"]}  # type: ignore[index]
    for name in ("http_validators", "runs", "daemon", "source_health"):
        assert tables[name] is True, name
    assert "alerts" not in tables and "deliveries" not in tables  # private without SQL
    assert tables["items"] is False and tables["item_versions"] is False
    assert server.get("/vigie/runs.json")[0] == 200
    assert server.get("/_memory")[0] == 200  # out of the way, still there


# -- item pages --------------------------------------------------------------------------------


def test_item_page_reads_like_the_document(server: Served) -> None:
    doc = page(server, item_path(AN_PENDING))
    title = doc.cssselect("h1.vigie-title")[0]
    assert [m.text_content() for m in title.cssselect("mark")] == [
        "structures d'exercice coordonné participatives",
        "SECPa",
    ]
    meta = [text(s) for s in doc.cssselect(".vigie-meta")[0].cssselect("span")]
    assert meta[:2] == ["an", "Question écrite"] and meta[3] == "Mme Annie Vidal"
    assert text(doc.cssselect(".vigie-why")[0]) == (
        "Pourquoi cet élément : « SECPA » ; élément suivi (liste follow)"
    )
    body = doc.cssselect(".vigie-body")[0]
    assert "SECPa" in [m.text_content() for m in body.cssselect("mark")]
    history = [text(li) for li in doc.cssselect(".vigie-history > ol > li")]
    assert len(history) == 1 and history[0].startswith("Première collecte")
    assert not doc.cssselect(".vigie-related")  # no links table yet


def test_item_page_answer_history(server: Served) -> None:
    doc = page(server, item_path(AN_ANSWERED))
    assert text(doc.cssselect(".vigie-answer h2")[0]).startswith("Réponse du ")
    history = doc.cssselect(".vigie-history > ol > li")
    assert text(history[0]).startswith("Réponse publiée")
    changes = {text(li.cssselect("em")[0]): li for li in history[0].cssselect("li.vigie-change")}
    status = changes["Statut"]
    assert (status.cssselect("del")[0].text, status.cssselect("ins")[0].text) == (
        "en attente de réponse",
        "répondue",
    )
    assert changes["Réponse"].cssselect("ins")[0].text.startswith("Le Gouvernement prolonge")
    assert text(history[-1]).startswith("Première collecte")


def test_missing_item_is_a_french_404(server: Served) -> None:
    status, body, _ = server.get(item_path("nothing:here"))
    assert status == 404 and "Élément introuvable" in body.decode()


# -- after a change and with the legislative watch's links (keep last: changes the archive) ----


def test_item_page_shows_what_changed_in_the_text(server: Served, archive: dict) -> None:
    archive["wp"].set_state("v2")
    res = vigie("crawl", "avec", config=archive["config"])
    assert res.returncode == 0, res.stderr[-3000:]
    doc = page(server, item_path(archive["secpa"]))
    history = doc.cssselect(".vigie-history > ol > li")
    assert text(history[0]).startswith("Texte modifié")
    inserted = " ".join(i.text_content() for i in history[0].cssselect(".vigie-diff ins"))
    assert "prolongation de l'expérimentation SECPa jusqu'au 31 mars 2027" in inserted
    assert not history[0].cssselect(".vigie-diff del")  # a paragraph added, nothing removed
    moves = [text(li) for li in page(server, "/").cssselect("ol.vigie-moves > li")]
    # the seeded answer is dated a minute ahead; the text change comes right after it
    assert moves[0].startswith("Réponse publiée")
    assert moves[1].startswith("Texte modifié (texte") and "Rencontres AVECsanté" in moves[1]


def test_related_items_from_links_table(server: Served, archive: dict) -> None:
    writer = db(archive)
    writer["links"].insert_all(
        [{"from_id": AN_PENDING, "to_id": AN_ANSWERED, "relation": "même sujet"}]
    )
    writer.conn.close()
    doc = page(server, item_path(AN_ANSWERED))
    related = [text(li) for li in doc.cssselect(".vigie-related li")]
    assert related == [
        "même sujet : Avenir des structures d'exercice coordonné participatives (SECPa) "
        "an · Question écrite"
    ]


def test_agenda_dates_coming(server: Served, archive: dict) -> None:
    """Agenda points of the legislative watch (kind 'agenda'): coming ones, soonest first."""
    today = datetime.now(UTC).date()
    base = {"source": "an_legis", "kind": "agenda", "followed": 1, "matched": 0}
    writer = db(archive)
    writer["items"].insert_all(
        [
            dict(
                base,
                id=f"RUANR5L17S{n}",
                url=f"https://www.assemblee-nationale.fr/agenda/{n}",
                title=title,
                published=(today + timedelta(days=days)).isoformat() + "T09:30:00+01:00",
            )
            for n, title, days in (
                (1, "Examen du PLFSS, article 51", 9),
                (2, "Audition de la ministre de la santé", 2),
                (3, "Réunion passée", -3),
            )
        ]
    )
    writer.conn.close()
    doc = page(server, "/")
    agenda = [text(li) for li in doc.cssselect("ol.vigie-agenda > li")]
    assert [a.split(" — ")[1].split(" an_legis")[0] for a in agenda] == [
        "Audition de la ministre de la santé",
        "Examen du PLFSS, article 51",
    ]
    assert agenda[0].startswith(french_date((today + timedelta(days=2)).isoformat()) + " à ")
    assert agenda[0].endswith(" an_legis · Point à l'ordre du jour")
