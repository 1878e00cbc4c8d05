"""The archive's front page and item pages: data from storage/web_queries.py → template context.

Rendered by the ``vigie_front`` plugin (monitor/web/datasette/plugins/) with the templates in
monitor/web/datasette/templates/. What the pages need from the configuration (source labels
and schedules, watch terms) arrives as the ``vigie`` plugin configuration set by
:func:`monitor.web.serve.build_datasette`, so pages work the same under ``vigie serve`` and in
tests; without it, sources show their key and highlights use each item's own matched terms.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from monitor.alerts.compose import FIELD_LABELS, QTYPE_LABELS, french_date
from monitor.ingest.match import Matcher
from monitor.web import chart
from monitor.web.highlight import marked, paragraphs
from monitor.web.history import EVENTS, STATUS, versions

PARIS = ZoneInfo("Europe/Paris")
STATE_ORDER = {"broken": 0, "stale": 1, None: 2, "ok": 3}
STATE_LABELS = {
    "broken": "en panne",
    "stale": "sans nouveauté",
    None: "jamais collectée",
    "ok": "fonctionne",
}


# -- small formatting helpers ------------------------------------------------------------------


def when(value: str | None) -> str:
    """ISO text → "10 février 2026 à 09:12" (Paris time), date only when no time is stored."""
    if not value:
        return ""
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return french_date(value)
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    d = d.astimezone(PARIS)
    return f"{french_date(d.date().isoformat())} à {d.strftime('%H:%M')}"


KIND_LABELS = {
    "article": "Article",
    "amendment": "Amendement",
    "document": "Document",
    "dossier": "Dossier législatif",
    "agenda": "Point à l'ordre du jour",
    "debate": "Débat",
    "jo_text": "Journal officiel",
}


def kind_label(row: Mapping[str, Any]) -> str:
    if row.get("kind") == "question":
        return QTYPE_LABELS.get(row.get("qtype") or "", "Question")
    kind = row.get("kind") or ""
    return KIND_LABELS.get(kind, kind.capitalize())


def _json(raw: Any, default: Any) -> Any:
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def why_matched(row: Mapping[str, Any]) -> str:
    """« SECPA » dans : titre, texte — the line an alert gives, from ``match_fields``."""
    where = _json(row.get("match_fields"), {})
    terms = _json(row.get("matched_terms"), []) or list(where)
    parts = []
    for term in terms:
        fields = ", ".join(FIELD_LABELS.get(f, f).lower() for f in where.get(term, []))
        parts.append(f"« {term} »" + (f" dans : {fields}" if fields else ""))
    if row.get("followed"):
        parts.append("élément suivi (liste follow)")
    return " ; ".join(parts)


# -- configuration seen by the pages -----------------------------------------------------------


class Settings:
    """The ``vigie`` plugin configuration: labels, schedules, enabled flags, watch terms."""

    def __init__(self, raw: Mapping[str, Any] | None):
        raw = raw or {}
        self.labels: dict[str, str] = dict(raw.get("labels") or {})
        self.schedules: dict[str, str] = dict(raw.get("schedules") or {})
        self.enabled: dict[str, bool] = dict(raw.get("enabled") or {})
        self.terms: tuple[str, ...] = tuple(raw.get("terms") or ())
        self.exclude: tuple[str, ...] = tuple(raw.get("exclude") or ())

    def label(self, source: str | None) -> str:
        return self.labels.get(source or "") or (source or "")

    def matcher(self, row: Mapping[str, Any] | None = None) -> Matcher | None:
        terms = self.terms or tuple(_json((row or {}).get("matched_terms"), []))
        return _matcher(terms, self.exclude) if terms else None

    def next_run(self, source: str, now: datetime) -> datetime | None:
        if not self.enabled.get(source, True) or source not in self.schedules:
            return None
        from apscheduler.triggers.cron import CronTrigger

        trigger = CronTrigger.from_crontab(self.schedules[source], timezone="Europe/Paris")
        return trigger.get_next_fire_time(None, now)


@lru_cache(maxsize=16)
def _matcher(terms: tuple[str, ...], exclude: tuple[str, ...]) -> Matcher:
    return Matcher(list(terms), list(exclude))


# -- front page --------------------------------------------------------------------------------


def mention_snippet(row: Mapping[str, Any], matcher: Matcher | None) -> str:
    """The stored snippet, or one cut from the text when the stored one is just the title
    (none stored, or the snippet came from the first field with a hit, often the title)."""
    stored = row.get("snippet") or ""
    if (
        matcher is not None
        and row.get("body")
        and stored.strip() in ("", (row.get("title") or "").strip())
    ):
        return matcher.match({"body": row["body"]}).snippet or stored
    return stored


def mention_rows(rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        matcher = settings.matcher(r)
        out.append(
            {
                **r,
                "source_label": settings.label(r["source"]),
                "kind_label": kind_label(r),
                "date_label": when(r.get("shown_date")),
                "snippet_html": marked(mention_snippet(r, matcher), matcher),
                "why": why_matched(r),
            }
        )
    return out


def move_rows(rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        fields = _json(r.get("changed_fields"), [])
        what = EVENTS.get(r["event"], "Mise à jour")
        if r["event"] == "answered" and r.get("answered_on"):
            what += f" le {french_date(r['answered_on'])}"
        elif r["event"] == "status" and r.get("status"):
            what += f" : {STATUS.get(r['status'], r['status'])}"
        elif fields and r["event"] not in ("answered", "new"):
            what += " (" + ", ".join(FIELD_LABELS.get(f, f).lower() for f in fields) + ")"
        out.append(
            {
                **r,
                "what": what,
                "source_label": settings.label(r["source"]),
                "kind_label": kind_label(r),
                "date_label": when(r.get("at")),
            }
        )
    return out


def agenda_rows(rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "source_label": settings.label(r["source"]),
            "kind_label": kind_label(r),
            "date_label": when(r.get("published")),
        }
        for r in rows
    ]


def health_rows(
    rows: list[dict[str, Any]], settings: Settings, now: datetime
) -> list[dict[str, Any]]:
    """One line per source (configured or seen), broken first, then stale, never run, ok."""
    by_source = {r["source"]: r for r in rows}
    for name in settings.schedules:
        by_source.setdefault(name, {"source": name})
    out = []
    for name, r in by_source.items():
        state = r.get("state") or (
            "broken" if r.get("last_outcome") == "failed" else ("ok" if r.get("last_run") else None)
        )
        nxt = settings.next_run(name, now)
        out.append(
            {
                "source": name,
                "label": settings.label(name),
                "state": state or "never",
                "state_label": STATE_LABELS.get(state, state or ""),
                "failures": r.get("consecutive_failures") or 0,
                "last_success": when(r.get("last_success") or r.get("last_ok_run")),
                "next_run": when(nxt.isoformat()) if nxt else "",
                "enabled": settings.enabled.get(name, True),
                "reason": r.get("last_reason") or r.get("last_run_reason") or "",
            }
        )
    out.sort(key=lambda h: (STATE_ORDER.get(h["state"], 2), -h["failures"], h["label"].lower()))
    return out


def charts(rows: list[dict[str, Any]], settings: Settings, today: date) -> dict[str, Any]:
    """Two stacked-bar SVGs over the last 52 weeks: by source and by kind."""
    weeks = chart.weeks_between(today - timedelta(weeks=51), today)
    out: dict[str, Any] = {"total": sum(r["n"] for r in rows)}
    for key, name_of in (
        ("source", lambda r: settings.label(r["source"])),
        ("kind", kind_label),
    ):
        counts: dict[tuple[str, str], int] = {}
        totals: dict[str, int] = {}
        for r in rows:
            name = name_of(r)
            counts[(r["week"], name)] = counts.get((r["week"], name), 0) + r["n"]
            totals[name] = totals.get(name, 0) + r["n"]
        series = sorted(totals, key=lambda s: (-totals[s], s))
        title = f"Mentions par semaine et par {'source' if key == 'source' else 'type'}"
        out[key] = {
            "svg": chart.stacked_weeks(counts, weeks, series, title),
            "legend": [(n, c, totals[n]) for n, c in chart.legend(series)],
            "title": title,
        }
    return out


# -- item page ---------------------------------------------------------------------------------

DETAIL_FIELDS = (
    "author",
    "group_name",
    "circonscription",
    "ministry_asked",
    "ministry_answering",
    "rubrique",
    "analysis",
    "status",
    "answered_on",
    "question_jo_page",
    "answer_jo_page",
    "closed_reason",
)


def item_context(
    item: dict[str, Any],
    version_rows: list[dict[str, Any]],
    related: list[dict[str, Any]],
    settings: Settings,
) -> dict[str, Any]:
    matcher = settings.matcher(item)
    details = []
    for name in DETAIL_FIELDS:
        value = item.get(name)
        if value in (None, ""):
            continue
        if name == "status":
            value = STATUS.get(value, value)
        elif name == "answered_on":
            value = french_date(value)
        details.append((FIELD_LABELS.get(name, name), value))
    return {
        "item": item,
        "title_html": marked(item.get("title") or item.get("url") or "", matcher),
        "body_html": paragraphs(item["body"], matcher) if item.get("body") else Markup(""),
        "answer_html": (
            paragraphs(item["answer_text"], matcher) if item.get("answer_text") else Markup("")
        ),
        "answered_label": french_date(item.get("answered_on")),
        "source_label": settings.label(item.get("source")),
        "kind_label": kind_label(item),
        "date_label": when(item.get("published")) or "date inconnue",
        "first_seen_label": when(item.get("first_seen")),
        "why": why_matched(item),
        "details": details,
        "versions": [
            {**v.__dict__, "date_label": when(v.at)} for v in versions(item, version_rows)
        ],
        "related": [
            {**r, "source_label": settings.label(r["source"]), "kind_label": kind_label(r)}
            for r in related
        ],
    }
