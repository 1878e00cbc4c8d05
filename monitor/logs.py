"""Logging for long-running processes: level and file from ``[daemon]``, secrets never written.

One line per run per source comes from ``monitor.runs.launch`` (logger ``vigie.crawl``, ``run <source>:
<outcome> (<reason>) pages=… 304=… seen=… new=… changed=… unchanged=… errors=… in …s``); this
module only decides where lines go and scrubs them.

Why a filter on the handlers rather than care at each call site: a secret can reach a log line
from anywhere (an SMTP error quoting the login exchange, an exception repr, a third-party library),
so every record is scrubbed on its way out: the SMTP password's value wherever it appears, and
``password=…`` / ``"password": …`` shapes.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from monitor.config import Config

MASK = "***"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_PATTERNS = [
    # password=secret, passwd: secret, "password": "secret", pwd='secret'
    re.compile(
        r"""(?i)(\b(?:password|passwd|pwd|secret|token)["']?\s*[=:]\s*["']?)([^\s"',;&]+)"""
    ),
    # credentials in URLs: scheme://user:secret@host
    re.compile(r"(://[^/\s:@]+:)([^/\s@]+)(@)"),
]


class RedactSecrets(logging.Filter):
    """Mask known secret values and ``password=…`` patterns in every record."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(
                lambda m: m.group(1) + MASK + (m.group(3) if m.lastindex == 3 else ""), text
            )
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def secrets_of(cfg: Config) -> list[str]:
    """The secret values the configuration points at: the SMTP password, and each channel's
    ``url_env`` URL or ``{VAR}`` placeholder values (issue 14)."""
    names = [cfg.alerts.email.password_env] if cfg.alerts.email.password_env else []
    names += [n for ch in cfg.channels.values() for n in ch.env_names()]
    return [v for v in (os.environ.get(n) for n in names) if v]


def setup_logging(cfg: Config, *, level: str | None = None) -> None:
    """stderr (+ ``daemon.log_file``) at ``daemon.log_level``; APScheduler's per-job chatter
    (``Running job…``/``executed successfully``) is kept for DEBUG."""
    level = level or cfg.daemon.log_level
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if cfg.daemon.log_file:
        path = cfg.resolve(cfg.daemon.log_file)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, encoding="utf-8"))
    scrub = RedactSecrets(secrets_of(cfg))
    for handler in handlers:
        handler.addFilter(scrub)
        handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=getattr(logging, level), handlers=handlers, force=True)
    logging.getLogger("apscheduler").setLevel(
        logging.DEBUG if level == "DEBUG" else logging.WARNING
    )
