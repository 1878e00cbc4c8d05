"""Load and validate ``config.toml`` into frozen typed objects.

Why pydantic with ``extra="forbid"``: one schema declares every key (type, default, help) and
feeds validation, the README reference and ``tests/test_docs.py``. All problems are collected
and reported together, each naming the dotted key, the bad value, what is expected and an
example, because a user fixing a config file wants the whole list at once.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from monitor.errors import ConfigError
from monitor.sources.assemblee import AssembleeSource  # noqa: F401 - re-exported
from monitor.sources.base import (  # noqa: F401 - shared field types, re-exported
    Cron,
    Duration,
    HttpUrl,
    Section,
    SourceBase,
    validate_cron,
)
from monitor.sources.registry import source_types
from monitor.sources.senat import SenatSource  # noqa: F401 - re-exported
from monitor.sources.site import Selectors, SiteSource  # noqa: F401 - re-exported
from spiders import defaults

DEFAULT_CONFIG = "config.toml"
VERSION = "0.1.0"
PROJECT_URL = "https://github.com/vigie-veille/vigie"


class StorageConfig(Section):
    path: str = Field(
        "data/vigie.db", description="SQLite archive; relative to the config file's folder."
    )


class CrawlConfig(Section):
    user_agent: str = Field(
        "Vigie/{version} (+{project_url}; {contact})",
        description="User-Agent sent to every site; {version}, {project_url} and {contact} are filled in.",
    )
    contact: str = Field(
        "veille@example.org",
        description="Who a webmaster can write to about this crawler (e-mail or URL). Put yours.",
    )
    obey_robots: bool = Field(True, description="Obey robots.txt (leave on).")
    download_delay: float = Field(
        1.0, ge=0, description="Minimum seconds between two requests to one site."
    )
    autothrottle: bool = Field(
        True, description="Adapt the delay to the site's response times (Scrapy AutoThrottle)."
    )
    autothrottle_target_concurrency: float = Field(
        1.0, gt=0, description="Average parallel requests per site AutoThrottle aims at."
    )
    concurrent_requests_per_domain: int = Field(
        2, ge=1, le=16, description="Upper bound of parallel requests per site."
    )
    download_timeout: Duration = Field(
        30, gt=0, description="Seconds before one request is abandoned."
    )
    retry_times: int = Field(
        3,
        ge=0,
        le=10,
        description="Retries (with backoff) of a request that failed with 5xx/429/timeout.",
    )
    retry_backoff: float = Field(
        1.0,
        ge=0,
        description="Seconds before the first retry; doubles at each retry (a 429's Retry-After wins), at most 60.",
    )
    max_page_bytes: int = Field(
        10_000_000,
        gt=0,
        description="Pages larger than this are refused (logged); open-data dumps use max_dump_bytes.",
    )
    max_dump_bytes: int = Field(
        defaults.MAX_DUMP_BYTES, gt=0, description="Largest open-data archive accepted."
    )
    max_pages: int = Field(
        5000,
        ge=1,
        description="Most pages fetched per source and run; a larger first crawl goes on at the next runs (known articles are skipped).",
    )
    max_depth: int = Field(
        5, ge=0, description="How many 'next page' links of a listing or feed are followed."
    )
    run_timeout: Duration = Field(
        1800,
        gt=0,
        description="A source's crawl running longer is stopped and recorded as failed (per-source `timeout` overrides).",
    )
    parse_workers: int | None = Field(
        None,
        ge=0,
        le=8,
        description="Processes parsing article pages beside the crawl process (0: parsed in the crawl process); unset: 1 on a machine with 2 cores or more, else 0.",
    )
    parse_pool_after: int = Field(
        40,
        ge=0,
        description="A crawl that asks for more article pages than this starts its parse_workers at once (they start while the pages download); one that asks for fewer parses them itself (starting a worker costs 0.3 s of CPU: small crawls never do).",
    )

    def workers(self) -> int:
        """``parse_workers``, unset meaning: one when a second core is there to run it."""
        if self.parse_workers is not None:
            return self.parse_workers
        return 1 if (os.cpu_count() or 1) >= 2 else 0


class WatchConfig(Section):
    terms: list[str] = Field(
        ...,
        min_length=1,
        description="What to watch for; see README 'Matching' for the syntax (`*`, case and accents).",
    )
    exclude: list[str] = Field(
        [],
        description="Phrases whose occurrences do not count as a match (they never hide another mention).",
    )


#: config name → model, derived from the family registry (monitor/sources/registry.py)
SOURCE_TYPES: dict[str, type[SourceBase]] = source_types()


class EmailConfig(Section):
    host: str | None = Field(
        None,
        description="SMTP server; without it alerts are written as .eml files into alerts.outbox_dir.",
    )
    port: int | None = Field(
        None, ge=1, le=65535, description="Default 25, 587 with starttls, 465 with ssl."
    )
    security: Literal["none", "starttls", "ssl"] = Field(
        "none", description='"none", "starttls" or "ssl".'
    )
    username: str | None = Field(None, description="SMTP login, if the server wants one.")
    password_env: str | None = Field(
        None,
        description="Name of the environment variable holding the SMTP password (never the password itself).",
    )
    sender: str = Field("Vigie <vigie@localhost>", description="From: address.")
    recipients: list[str] = Field([], description="Who receives alerts.")
    timeout: Duration = Field(
        30, gt=0, description="Seconds before an SMTP conversation is abandoned."
    )
    ca_file: str | None = Field(
        None, description="Extra CA bundle to verify the server (tests, private CAs)."
    )

    @field_validator("recipients")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        for r in v:
            if "@" not in r:
                raise ValueError(f'{r!r} is not an e-mail address; e.g. "alice@example.org"')
        return v

    def effective_port(self) -> int:
        return self.port or {"none": 25, "starttls": 587, "ssl": 465}[self.security]


class AlertsConfig(Section):
    mode: Literal["immediate", "digest"] = Field(
        "immediate", description='"immediate" (after each crawl) or "digest" (once at digest_at).'
    )
    digest_at: Cron = Field(
        "0 8 * * *", description="When the digest is sent (cron, Europe/Paris)."
    )
    outbox_dir: str = Field(
        "data/outbox", description="Where .eml files go when alerts.email.host is unset."
    )
    failures_before_alert: int = Field(
        3, ge=1, description="Consecutive failed runs before a source is declared broken."
    )
    reminder_every: Duration = Field(
        86400, gt=0, description="Reminder interval while a source stays broken."
    )
    retry_max_backoff: Duration = Field(
        3600, gt=0, description="Longest wait between two delivery attempts of one alert."
    )
    channel_failures_before_alert: int = Field(
        3,
        ge=1,
        description="Consecutive failed delivery passes before a channel is declared down (a health alert goes to the other channels and to e-mail).",
    )
    email: EmailConfig = Field(EmailConfig(), description="SMTP settings.")


class DaemonConfig(Section):
    heartbeat_every: Duration = Field(
        60,
        gt=0,
        description="Seconds between two heartbeats written to the database; config.toml is checked for changes as often.",
    )
    misfire_grace_time: Duration = Field(
        3600, gt=0, description="A run missed by less than this (daemon busy or asleep) still runs."
    )
    jitter: Duration = Field(
        0, ge=0, description="Random delay added to each scheduled run (seconds)."
    )
    send_every: Duration = Field(60, gt=0, description="How often pending alerts are retried.")
    stop_timeout: Duration = Field(
        30,
        gt=0,
        description="On SIGTERM, how long a running crawl may take to finish before it is stopped.",
    )
    log_file: str | None = Field(
        None, description="Also log to this file (relative to the config folder)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level."
    )


class ScrapydConfig(Section):
    nodes: list[HttpUrl] = Field(
        [],
        description='Scrapyd nodes `vigie run` schedules the crawls on, e.g. ["http://127.0.0.1:6800"]; empty: each crawl is a local child process.',
    )
    project: str = Field(
        "vigie",
        description="Scrapyd project the egg was deployed as (scrapy.cfg [deploy] project).",
    )
    config_path: str | None = Field(
        None,
        description="This config file's path as the nodes read it; default: its absolute path here (nodes on this machine).",
    )
    poll_every: Duration = Field(
        2, gt=0, description="Seconds between two listjobs.json checks of a scheduled crawl."
    )


class ServeConfig(Section):
    host: str = Field("127.0.0.1", description="Address Datasette listens on.")
    port: int = Field(8001, ge=1, le=65535, description="Port Datasette listens on.")
    allow_sql: bool | None = Field(
        None, description="Arbitrary SQL in Datasette; default on for loopback, off otherwise."
    )
    public_url: HttpUrl | None = Field(
        None,
        description='Address of the published archive, e.g. "https://veille.example.org": alert links to item pages use it (default: http://host:port).',
    )

    def archive_base(self) -> str:
        """Where the archive's item pages are reachable, for links in alerts."""
        return self.public_url or f"http://{self.host}:{self.port}"


#: ``{NAME}`` placeholders in a channel URL, filled from the environment
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
#: channel names that are not [channels.*] tables
RESERVED_CHANNELS = ("email",)


class ChannelConfig(Section):
    """One Apprise notification service (Slack, Matrix, Teams, ntfy, a JSON webhook...)."""

    url: str | None = Field(
        None,
        description='Apprise URL of the service; secrets as {VAR} placeholders filled from the environment, e.g. "slack://{VIGIE_SLACK_TOKEN}/#veille". Exactly one of url and url_env.',
    )
    url_env: str | None = Field(
        None,
        description='Name of the environment variable holding the whole Apprise URL (when the URL itself is the secret), e.g. "VIGIE_SLACK_URL".',
    )
    max_chars: int = Field(
        1500,
        ge=200,
        description="Longest message body; a longer text is cut on a word boundary with a link to the archive.",
    )
    timeout: Duration = Field(
        10, gt=0, description="Seconds before a request to the service is abandoned."
    )

    @field_validator("url")
    @classmethod
    def _url_shape(cls, v: str | None) -> str | None:
        if v is not None and "://" not in v:
            raise ValueError(
                f'{v!r} is not an Apprise URL; e.g. "json://hooks.example.org/vigie" or '
                '"slack://{VIGIE_SLACK_TOKEN}/#veille"'
            )
        return v

    def placeholders(self) -> list[str]:
        """Environment variables named in ``url``."""
        return _PLACEHOLDER.findall(self.url or "")

    def env_names(self) -> list[str]:
        """Every environment variable this channel reads (each holds a secret)."""
        return [self.url_env] if self.url_env else self.placeholders()

    def resolved_url(self) -> str:
        """The URL with its secrets filled in; raises ValueError naming a missing variable."""
        if self.url_env:
            value = os.environ.get(self.url_env)
            if not value:
                raise ValueError(f"environment variable {self.url_env} (url_env) is not set")
            return value
        missing = [n for n in self.placeholders() if not os.environ.get(n)]
        if missing:
            raise ValueError(f"environment variable {missing[0]} (used in url) is not set")
        return _PLACEHOLDER.sub(lambda m: os.environ[m.group(1)], self.url or "")


class ProfileConfig(Section):
    """Who wants what: terms, scope, rhythm and destinations of one group of readers."""

    terms: list[str] | None = Field(
        None,
        description="What this profile watches for (same syntax as [watch]); default: [watch] terms.",
    )
    exclude: list[str] | None = Field(
        None, description="Phrases that do not count as a match; default: [watch] exclude."
    )
    sources: list[str] = Field(
        [], description="Only items of these sources (keys of [sources]); default: all."
    )
    kinds: list[str] = Field(
        [], description='Only items of these kinds ("article", "question"...); default: all.'
    )
    mode: Literal["immediate", "digest"] = Field(
        "immediate", description='"immediate" (after each crawl) or "digest" (once at digest_at).'
    )
    digest_at: Cron = Field(
        "0 8 * * *", description="When this profile's digest is sent (cron, Europe/Paris)."
    )
    recipients: list[str] = Field(
        [], description="E-mail addresses of this profile (through [alerts.email])."
    )
    channels: list[str] = Field(
        [], description="Names of [channels.NAME] tables this profile's alerts go to."
    )

    @field_validator("recipients")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        for r in v:
            if "@" not in r:
                raise ValueError(f'{r!r} is not an e-mail address; e.g. "alice@example.org"')
        return v


class Config(Section):
    storage: StorageConfig = Field(StorageConfig(), description="Where the archive lives.")
    crawl: CrawlConfig = Field(CrawlConfig(), description="Crawler manners.")
    watch: WatchConfig = Field(..., description="What to watch for.")
    sources: dict[str, SourceBase] = Field(..., description="One table per watched source.")
    alerts: AlertsConfig = Field(AlertsConfig(), description="Alert policy and delivery.")
    daemon: DaemonConfig = Field(DaemonConfig(), description="The scheduler.")
    scrapyd: ScrapydConfig = Field(
        ScrapydConfig(), description="Crawls on Scrapyd nodes instead of local processes."
    )
    serve: ServeConfig = Field(ServeConfig(), description="Datasette.")
    channels: dict[str, ChannelConfig] = Field(
        {}, description="Notification services besides e-mail, by name."
    )
    profiles: dict[str, ProfileConfig] = Field(
        {}, description="Groups of readers with their own terms and destinations, by name."
    )
    base_dir: str = Field(".", exclude=True, description="(internal) folder of the config file.")

    # -- derived values -------------------------------------------------------------------
    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def db_path(self) -> Path:
        return self.resolve(self.storage.path)

    def user_agent(self) -> str:
        return self.crawl.user_agent.format(
            version=VERSION, project_url=PROJECT_URL, contact=self.crawl.contact
        )

    def enabled_sources(self) -> dict[str, SourceBase]:
        return {k: v for k, v in self.sources.items() if v.enabled}

    def run_timeout(self, source: str) -> int:
        return self.sources[source].timeout or self.crawl.run_timeout


def source_label(cfg: Config | None, name: str) -> str:
    """The display name of source ``name``: its ``label``, else the key itself."""
    source = cfg.sources.get(name) if cfg is not None else None
    return (source.label if source is not None else None) or name


def config_path(explicit: str | None = None) -> Path:
    """--config, else $VIGIE_CONFIG, else ./config.toml."""
    return Path(explicit or os.environ.get("VIGIE_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | Path | None = None) -> Config:
    p = config_path(str(path) if path else None)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [f"config file {p} not found; copy the shipped config.toml or pass --config PATH"]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read config file {p}: {exc}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(p)) from None
    return parse_config(data, base_dir=str(p.resolve().parent), path=str(p))


def config_to_json(cfg: Config) -> str:
    """The validated config, serialized for a crawl child (which never re-reads the file).

    Each source is dumped by its own family model: dumping ``sources`` through the
    ``dict[str, SourceBase]`` annotation would drop the family's own keys."""
    data = cfg.model_dump(mode="json", exclude={"sources", "base_dir"})
    data["sources"] = {k: v.model_dump(mode="json") for k, v in cfg.sources.items()}
    return json.dumps({"base_dir": cfg.base_dir, "config": data}, ensure_ascii=False)


def config_from_json(text: str) -> Config:
    """The config a parent serialized with :func:`config_to_json`."""
    payload = json.loads(text)
    return parse_config(payload["config"], base_dir=payload["base_dir"], path="(from parent)")


def parse_config(data: dict[str, Any], *, base_dir: str = ".", path: str | None = None) -> Config:
    """Validate a config dict; raise ConfigError listing every problem."""
    problems: list[str] = []
    data = dict(data)
    raw_sources = data.pop("sources", None)
    sources: dict[str, SourceBase] = {}
    if not isinstance(raw_sources, dict) or not raw_sources:
        problems.append(
            'sources: no source configured; add a table like [sources.fncs] with spider = "site" '
            'and url = "https://www.fncs.org"'
        )
    else:
        for name, raw in raw_sources.items():
            if not re.fullmatch(r"[a-z0-9_-]+", name):
                problems.append(f"sources.{name}: source names use a-z, 0-9, _ and - only")
                continue
            if not isinstance(raw, dict):
                problems.append(f"sources.{name}: expected a table [sources.{name}]")
                continue
            kind = raw.get("spider")
            model = SOURCE_TYPES.get(kind) if isinstance(kind, str) else None
            if model is None:
                hint = _did_you_mean(str(kind), SOURCE_TYPES)
                problems.append(
                    f"sources.{name}.spider: {kind!r} is not a spider; expected one of "
                    f"{', '.join(repr(k) for k in SOURCE_TYPES)}{hint}"
                )
                continue
            try:
                sources[name] = model.model_validate(raw)
            except ValidationError as exc:
                problems.extend(_describe(exc, f"sources.{name}", model))
    try:
        cfg_no_sources = _Shell.model_validate(data)
    except ValidationError as exc:
        problems.extend(_describe(exc, "", _Shell))
        cfg_no_sources = None
    if cfg_no_sources is not None:
        problems.extend(_route_problems(cfg_no_sources, sources))
    if problems or cfg_no_sources is None:
        raise ConfigError(problems, path)
    fields = {k: getattr(cfg_no_sources, k) for k in _Shell.model_fields}
    return Config.model_construct(sources=sources, base_dir=base_dir, **fields)


class _Shell(Section):
    """Everything but [sources], validated in one go."""

    storage: StorageConfig = StorageConfig()
    crawl: CrawlConfig = CrawlConfig()
    watch: WatchConfig
    alerts: AlertsConfig = AlertsConfig()
    daemon: DaemonConfig = DaemonConfig()
    scrapyd: ScrapydConfig = ScrapydConfig()
    serve: ServeConfig = ServeConfig()
    channels: dict[str, ChannelConfig] = {}
    profiles: dict[str, ProfileConfig] = {}

    @field_validator("watch")
    @classmethod
    def _terms_compile(cls, v: WatchConfig) -> WatchConfig:
        from monitor.ingest.match import Matcher

        Matcher(v.terms, v.exclude)  # raises ValueError naming the bad term
        return v


def _route_problems(shell: _Shell, sources: dict[str, SourceBase]) -> list[str]:
    """Cross-table rules of [channels] and [profiles]: every name a profile uses exists."""
    from monitor.ingest.match import Matcher

    problems: list[str] = []
    for name, ch in shell.channels.items():
        key = f"channels.{name}"
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            problems.append(f"{key}: channel names use a-z, 0-9, _ and - only")
        if name in RESERVED_CHANNELS:
            problems.append(
                f"{key}: {name!r} is reserved (e-mail is configured in [alerts.email]); "
                "pick another name"
            )
        if (ch.url is None) == (ch.url_env is None):
            problems.append(
                f'{key}: set exactly one of url (e.g. "json://hooks.example.org/vigie") and '
                'url_env (e.g. "VIGIE_SLACK_URL")'
            )
    for name, prof in shell.profiles.items():
        key = f"profiles.{name}"
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            problems.append(f"{key}: profile names use a-z, 0-9, _ and - only")
        for wanted in prof.channels:
            if wanted not in shell.channels:
                hint = _did_you_mean(wanted, shell.channels)
                known = ", ".join(shell.channels) or "none"
                extra = " (e-mail goes to recipients)" if wanted in RESERVED_CHANNELS else ""
                problems.append(
                    f"{key}.channels: unknown channel {wanted!r}{hint}{extra}; "
                    f"add a [channels.{wanted}] table or use one of: {known}"
                )
        for src in prof.sources:
            if src not in sources:
                problems.append(
                    f"{key}.sources: unknown source {src!r}{_did_you_mean(src, sources)}; "
                    f"configured: {', '.join(sources)}"
                )
        if not prof.recipients and not prof.channels:
            problems.append(
                f"{key}: delivers nowhere; set recipients (e-mail addresses) or channels"
            )
        if prof.terms is not None and not prof.terms:
            problems.append(f"{key}.terms: empty; remove the key to use the [watch] terms")
        try:
            Matcher(
                prof.terms if prof.terms is not None else shell.watch.terms,
                prof.exclude if prof.exclude is not None else shell.watch.exclude,
            )
        except ValueError as exc:
            problems.append(f"{key}.terms: {exc}")
    return problems


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model owning the last element of ``loc``, for 'did you mean' on unknown keys."""
    current: Any = model
    for part in loc[:-1]:
        field = current.model_fields.get(part) if isinstance(part, str) else None
        if field is None or not isinstance(field.annotation, type):
            return None
        current = field.annotation
        if not issubclass(current, BaseModel):
            return None
    return current


def _describe(exc: ValidationError, prefix: str, model: type[BaseModel]) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join([prefix] * bool(prefix) + [str(x) for x in loc])
        typ = err["type"]
        if typ == "extra_forbidden":
            owner = _model_at(model, loc)
            hint = _did_you_mean(str(loc[-1]), owner.model_fields) if owner else ""
            lines.append(f"{key}: unknown key{hint}; remove it or see the README reference")
        elif typ == "missing":
            f = _field_help(model, loc)
            lines.append(f"{key}: required key is missing{f}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = "" if msg.startswith(repr(value)) else f"{value!r}: "
            lines.append(f"{key}: {shown}{msg}{_field_help(model, loc)}")
    return lines


def _field_help(model: type[BaseModel], loc: tuple) -> str:
    owner = _model_at(model, loc)
    if owner is None or not isinstance(loc[-1], str):
        return ""
    field = owner.model_fields.get(loc[-1])
    return f" ({field.description})" if field is not None and field.description else ""


def redacted(cfg: Config) -> dict[str, Any]:
    """The effective config as a dict, secrets masked (for `vigie check`)."""
    data = cfg.model_dump(exclude={"base_dir"})
    data["sources"] = {k: v.model_dump() for k, v in cfg.sources.items()}
    pw = cfg.alerts.email.password_env
    data["alerts"]["email"]["password"] = (
        "(set)" if pw and os.environ.get(pw) else ("(missing)" if pw else None)
    )
    for name, ch in cfg.channels.items():
        # url keeps its {VAR} placeholders (never the values); say whether each secret is set
        data["channels"][name]["secrets"] = {
            env: "(set)" if os.environ.get(env) else "(missing)" for env in ch.env_names()
        }
    return data
