"""Watch profiles: who wants which items, matched once per profile, alerted once per profile.

A profile (``[profiles.NAME]``) has its own terms, scope (sources, kinds), rhythm (immediate or
digest) and destinations (e-mail recipients, chat channels). Without any ``[profiles]`` table
there is one implicit profile, ``default``: the ``[watch]`` terms, every source and kind,
``alerts.mode``, ``alerts.email.recipients`` and every configured channel; so a configuration
without profiles behaves exactly as before profiles existed.

Rules (issue 14):

- an item is matched once per profile (the profile's terms and excludes, within its scope);
  ``items`` keeps the union (matched by any profile) for search, ``item_profiles`` records
  which profiles matched;
- :func:`monitor.alerts.policy.item_event` decides *whether* an item change is news, on the
  union; this module decides *for whom*: every profile that matches the item now or matched it
  before (it followed it), plus, for a followed item (``items.followed``: a listed question, or
  one matched once), every profile whose sources and kinds include it. Each of those profiles
  gets one alert per event, whatever its number of recipients and channels;
- ``[sources.X] recipients`` are added to the recipients of the profiles that e-mail.

The pipeline calls :meth:`ProfileRouter.match` where it matched the ``[watch]`` terms, and
:meth:`ProfileRouter.enqueue` where it enqueued the alert: the rest lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from monitor.alerts.policy import recipients_for
from monitor.config import Config
from monitor.ingest.match import Matcher, MatchResult
from storage import item_profiles, outbox

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT = "default"


@dataclass(frozen=True)
class Profile:
    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...]
    sources: frozenset[str]  # empty: all
    kinds: frozenset[str]  # empty: all
    mode: str
    digest_at: str
    recipients: tuple[str, ...]
    channels: tuple[str, ...]
    matcher: Matcher = field(compare=False, repr=False, hash=False)
    #: the implicit profile of a config without [profiles]: everything as before issue 14
    implicit: bool = False

    def covers(self, source: str | None, kind: str | None) -> bool:
        """Is an item of this source and kind within the profile's scope?"""
        return (not self.sources or source in self.sources) and (
            not self.kinds or kind in self.kinds
        )

    def recipients_for(self, cfg: Config, source: str | None) -> list[str]:
        """E-mail addresses for an alert of ``source`` (the source's extra ones when e-mailing)."""
        if not self.recipients and not self.implicit:
            return []
        src = cfg.sources.get(source or "")
        return recipients_for(list(self.recipients), src.recipients if src else [])


def profiles_of(cfg: Config) -> list[Profile]:
    """The configured profiles, or the implicit ``default`` one (see the module docstring)."""
    if not cfg.profiles:
        return [
            Profile(
                name=DEFAULT,
                terms=tuple(cfg.watch.terms),
                exclude=tuple(cfg.watch.exclude),
                sources=frozenset(),
                kinds=frozenset(),
                mode=cfg.alerts.mode,
                digest_at=cfg.alerts.digest_at,
                recipients=tuple(cfg.alerts.email.recipients),
                channels=tuple(cfg.channels),
                matcher=Matcher(cfg.watch.terms, cfg.watch.exclude),
                implicit=True,
            )
        ]
    out = []
    for name, p in cfg.profiles.items():
        terms = p.terms if p.terms is not None else cfg.watch.terms
        exclude = p.exclude if p.exclude is not None else cfg.watch.exclude
        out.append(
            Profile(
                name=name,
                terms=tuple(terms),
                exclude=tuple(exclude),
                sources=frozenset(p.sources),
                kinds=frozenset(p.kinds),
                mode=p.mode,
                digest_at=p.digest_at,
                recipients=tuple(p.recipients),
                channels=tuple(p.channels),
                matcher=Matcher(terms, exclude),
            )
        )
    return out


def profile_named(cfg: Config, name: str | None) -> Profile | None:
    return next((p for p in profiles_of(cfg) if p.name == (name or DEFAULT)), None)


def union(results: list[MatchResult]) -> MatchResult:
    """One result for ``items``: matched by any profile; terms and fields merged in order; the
    first matching profile's snippet."""
    out = MatchResult()
    for r in results:
        if not r.matched:
            continue
        out.matched = True
        for t in r.terms:
            if t not in out.terms:
                out.terms.append(t)
        for t, fields in r.fields.items():
            known = out.fields.setdefault(t, [])
            known += [f for f in fields if f not in known]
        out.snippet = out.snippet or r.snippet
    return out


class ProfileRouter:
    """Per-profile matching and alert routing for one source's crawl."""

    def __init__(self, cfg: Config, source: str):
        self.cfg = cfg
        self.source = source
        self.profiles = profiles_of(cfg)
        #: item id → {profile: terms found}, from match() to enqueue() of the same item
        self.hits: dict[str, dict[str, list[str]]] = {}

    def match(self, item_id: str, kind: str | None, fields: dict[str, str | None]) -> MatchResult:
        """Match the item against every profile whose scope includes it; return the union."""
        results: dict[str, MatchResult] = {}
        for p in self.profiles:
            if p.covers(self.source, kind):
                results[p.name] = p.matcher.match(fields)
        self.hits[item_id] = {n: r.terms for n, r in results.items() if r.matched}
        if len(results) == 1 and not self.cfg.profiles:
            return next(iter(results.values()))  # the implicit profile: exactly as before
        return union(list(results.values()))

    def take_hits(self, item_id: str) -> dict[str, list[str]]:
        """The {profile: terms} match() found for the item, taken once (enqueue's input)."""
        return self.hits.pop(item_id, {})

    def enqueue(
        self,
        db: sqlite_utils.Database,
        row: dict,
        previous: dict | None,
        event: dict | None,
        *,
        run_id: int | None,
        now: str,
        hits: dict[str, list[str]] | None = None,
    ) -> list[int]:
        """Record the item's profiles and enqueue ``event`` once for each profile concerned.

        Runs inside the pipeline's batch transaction (the alerts commit with the item).
        ``hits``: the item's {profile: terms} taken with ``take_hits`` when its batch was
        formed (the pipeline's writer thread); by default, those its match() left."""
        item_id = row["id"]
        if hits is None:
            hits = self.take_hits(item_id)
        known: dict[str, int] = {}
        if previous is not None and (previous.get("matched") or previous.get("followed")):
            known = item_profiles.of_item(db, item_id)
        if hits or any(known.values()):
            item_profiles.sync(db, item_id, hits, now, known=known)
        if event is None:
            return []
        followed = bool(row.get("followed")) or bool(previous and previous.get("followed"))
        ids = []
        for p in self.profiles:
            in_scope = p.covers(self.source, row.get("kind"))
            concerned = p.implicit or p.name in hits or p.name in known or (followed and in_scope)
            if not concerned:
                continue
            payload = dict(event["payload"])
            if p.name in hits and self.cfg.profiles:
                payload["matched_terms"] = hits[p.name]
            ids.append(
                outbox.enqueue(
                    db,
                    event=event["event"],
                    item_id=item_id,
                    source=self.source,
                    run_id=run_id,
                    recipients=p.recipients_for(self.cfg, self.source),
                    mode=p.mode,
                    payload=payload,
                    now=now,
                    profile=p.name,
                    channels=p.channels,
                )
            )
        return ids
