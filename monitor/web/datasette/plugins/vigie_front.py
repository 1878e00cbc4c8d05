"""The archive's French front page (``/``) and item pages (``/vigie/items/<id>``).

Datasette 0.65 checks plugin routes before its own, so ``/`` replaces the database index
(the ``_memory`` database and the table list stay reachable at ``/_memory`` and ``/vigie``) and
``/vigie/items/<id>`` replaces the raw row page. Row ids are tilde-encoded in Datasette's URLs
and a ``.`` is always encoded (``~2E``), so the JSON of a row (``/vigie/items/<id>.json``)
still goes to Datasette. All SQL is in ``storage/web_queries.py``; the data shaping in
``monitor/web/front.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response

from monitor.web import front
from storage import web_queries as q

ARCHIVE = "vigie"


def _settings(datasette) -> front.Settings:
    return front.Settings(datasette.plugin_config("vigie"))


async def front_page(datasette, request):
    db = datasette.get_database(ARCHIVE)
    settings = _settings(datasette)
    now = datetime.now(UTC)
    since = (now.date() - timedelta(weeks=51)).isoformat()

    def load(conn):
        return (
            q.latest_mentions(conn),
            q.followed_moves(conn),
            q.agenda_ahead(conn, now.astimezone(front.PARIS).date().isoformat()),
            q.source_health(conn),
            q.weekly_mentions(conn, since),
        )

    mentions, moves, agenda, health, weekly = await db.execute_fn(load)
    context = {
        "mentions": front.mention_rows(mentions, settings),
        "moves": front.move_rows(moves, settings),
        "agenda": front.agenda_rows(agenda, settings),
        "health": front.health_rows(health, settings, now),
        "charts": front.charts(weekly, settings, now.date()),
        "item_url": item_url,
    }
    html = await datasette.render_template("vigie_front.html", context, request=request)
    return Response.html(html)


async def search_page(datasette, request):
    """``/recherche?q=…``: the archive searched, in French, results shaped like the front
    page's mentions (matched words highlighted by the alerts' matcher)."""
    query = (request.args.get("q") or "").strip()
    db = datasette.get_database(ARCHIVE)
    rows, problem = [], None
    if query:
        try:
            rows = await db.execute_fn(lambda conn: q.search(conn, query))
        except Exception as exc:  # an FTS5 syntax error is the reader's typo, not a crash
            message = str(exc).lower()
            if not any(w in message for w in ("fts5", "syntax", "unterminated", "no such column")):
                raise
            problem = (
                "Recherche non comprise : mettez une expression entre guillemets droits "
                '("exercice coordonné"), un préfixe avec * (secp*), ou OR entre deux mots.'
            )
    context = {
        "q": query,
        "results": front.mention_rows(rows, _settings(datasette)),
        "problem": problem,
        "item_url": item_url,
    }
    html = await datasette.render_template("vigie_search.html", context, request=request)
    return Response.html(html)


def item_url(item_id: str) -> str:
    return f"/{ARCHIVE}/items/{tilde_encode(item_id)}"


async def item_page(datasette, request):
    item_id = tilde_decode(request.url_vars["pk"])
    db = datasette.get_database(ARCHIVE)

    def load(conn):
        row = q.item(conn, item_id)
        if row is None:
            return None
        return row, q.item_versions(conn, item_id), q.related_items(conn, item_id)

    found = await db.execute_fn(load)
    if found is None:
        html = await datasette.render_template(
            "vigie_missing.html", {"item_id": item_id}, request=request
        )
        return Response.html(html, status=404)
    context = front.item_context(*found, _settings(datasette))
    context.update(item_url=item_url, json_url=item_url(item_id) + ".json")
    html = await datasette.render_template("vigie_item.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [
        (r"^/$", front_page),
        (r"^/recherche$", search_page),
        (rf"^/{ARCHIVE}/items/(?P<pk>[^/.]+)$", item_page),
    ]
