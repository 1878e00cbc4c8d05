"""The items table's own search (``/vigie/items?_search=…``) kept fast on a large archive.

Datasette 0.65 turns ``?_search=`` into ``rowid in (select rowid from items_fts where items_fts
match …)`` and then, with that clause, sorts the page (``sort_desc: published``), counts the
matches and computes each default facet. For a word found in 90 % of a million items that is
a dozen passes over 900,000 rows: HTTP 400 after the 3 s time limit (bench/million.py, issue 15).

This wraps the ``filters_from_request`` hook and replaces Datasette's own search clause (the
``search_filters`` default plugin) by the window of the most recently collected matches
(``storage.web_queries.newest_matches_clause``, read from the end of the FTS index): the sort,
the count and the facets then work on at most ``SEARCH_WINDOW`` rows, in milliseconds. A word
with fewer matches gets all of them, as before; a word with more says so in the page's
description (the count shown is then the window's). Same search syntax as Datasette's
(``searchmode`` / ``_searchmode``), same search box, same JSON; column searches
(``_search_title=``) and tables without full-text search keep Datasette's clause. An empty
``_search=`` (the table form's search box left blank while applying a filter) searches nothing
instead of Datasette's HTTP 400 (FTS5 syntax error).

Why a hook wrapper and not configuration: no Datasette 0.65 setting bounds the count or the
facets of a table search (``sql_time_limit_ms`` would also cut the canned queries), and the
default plugin's clause cannot be turned off, only replaced in the hook's results.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import await_me_maybe, escape_fts

from storage import web_queries as q
from storage.db import DatabaseError

ARCHIVE = "vigie"


def is_datasette_search(result) -> bool:
    """The callable Datasette's default ``search_filters`` hook returned (pinned 0.65.5)."""
    return getattr(result, "__module__", None) == "datasette.filters" and getattr(
        result, "__qualname__", ""
    ).startswith("search_filters.")


def windowed_search(request, database, table, datasette, default):
    async def inner():
        meta = datasette.table_metadata(database, table)
        db = datasette.get_database(database)
        fts_table = (
            request.args.get("_fts_table") or meta.get("fts_table") or await db.fts_table(table)
        )
        fts_pk = request.args.get("_fts_pk", meta.get("fts_pk", "rowid"))
        if not fts_table or fts_pk != "rowid":
            return await await_me_maybe(default)
        search = request.args["_search"]
        if not search.strip():  # the table form's empty box, sent with a filter: no search
            return FilterArguments([], {}, [], {"supports_search": True, "search": ""})
        raw = request.args.get("_searchmode", meta.get("searchmode")) == "raw"
        match = search if raw else escape_fts(search)
        try:
            beyond = await db.execute_fn(
                lambda conn: q.matches_beyond_window(conn, fts_table, match)
            )
        except DatabaseError:  # an FTS5 syntax error: the page's own query reports it
            beyond = False
        description = f'search matches "{search}"'
        if beyond:
            description += f" (its {q.SEARCH_WINDOW:,} most recently collected matches; more exist)"
        return FilterArguments(
            [q.newest_matches_clause(fts_table, "search")],
            {"search": match},
            [description],
            {"supports_search": True, "search": search, "search_window_full": beyond},
        )

    return inner


@hookimpl(wrapper=True)
def filters_from_request(request, database, table, datasette):
    results = yield
    if database != ARCHIVE or "_search" not in request.args:
        return results
    return [
        windowed_search(request, database, table, datasette, r) if is_datasette_search(r) else r
        for r in results
    ]
