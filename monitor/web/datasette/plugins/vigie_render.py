"""Datasette hooks for the Vigie archive: readable text, safe links, no writes, empty feeds.

Loaded from ``monitor/web/datasette/plugins/`` by ``monitor/web/serve.py`` (Datasette 0.65 plugin hooks).

- ``render_cell``: ``body`` and ``answer_text`` become paragraphs (``monitor.web.highlight``), every
  piece of text escaped by markupsafe first, so stored HTML-looking text shows as text; ``url``
  becomes a link only for http(s) URLs.
- ``prepare_connection``: ``PRAGMA query_only`` on every connection to the archive: the
  daemon writes, Datasette never can.
- ``asgi_wrapper``: any method but GET/HEAD/OPTIONS gets 405 (Datasette 0.65.5 answers a POST
  to a read-only canned query with a 500; nothing here needs a POST).
- ``register_output_renderer``: datasette-atom 0.9 fails with a 500 on a query returning no row
  (``max()`` of nothing); an empty saved search is a valid, empty feed, so the ``.atom``
  renderer is wrapped to answer one. Registered ``trylast`` so it replaces the plugin's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from datasette import hookimpl
from markupsafe import Markup

from monitor.web.highlight import paragraphs

ARCHIVE = "vigie"
TEXT_COLUMNS = frozenset({"body", "answer_text"})


def link(url: str) -> Markup | None:
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https") or any(c.isspace() for c in url):
        return None
    return Markup('<a href="{0}" rel="noopener noreferrer nofollow">{0}</a>').format(url)


@hookimpl
def render_cell(value, column, table, database):
    if database != ARCHIVE or not isinstance(value, str) or not value.strip():
        return None
    if column in TEXT_COLUMNS:
        return paragraphs(value)
    if column in ("url", "atom_link"):
        return link(value)
    return None


@hookimpl
def prepare_connection(conn, database):
    if database == ARCHIVE:
        conn.execute("PRAGMA query_only = 1")


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in READ_METHODS:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"allow", b"GET, HEAD"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b"This archive is read-only.\n"})
                return
            await app(scope, receive, send)

        return read_only

    return wrap


@hookimpl(trylast=True)
def register_output_renderer(datasette):
    try:
        import datasette_atom
    except ImportError:  # the feed plugin is a declared dependency; stay quiet without it
        return None

    def render(
        datasette, request, sql, columns, rows, database, table, query_name, view_name, data
    ):
        if rows:
            return datasette_atom.render_atom(
                datasette, request, sql, columns, rows, database, table, query_name, view_name, data
            )
        return _empty_feed(datasette, request, sql, database, query_name)

    return {"extension": "atom", "render": render, "can_render": datasette_atom.can_render_atom}


def _empty_feed(datasette, request, sql, database, query_name):
    from datasette.utils.asgi import Response
    from feedgen.feed import FeedGenerator

    title = sql
    if query_name:
        queries = (datasette.metadata(database=database) or {}).get("queries") or {}
        title = (queries.get(query_name) or {}).get("title") or query_name
    fg = FeedGenerator()
    fg.id(request.url)
    fg.link(href=request.url, rel="self")
    fg.title(title)
    fg.updated(datetime.now(UTC))
    return Response(
        fg.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200
    )
