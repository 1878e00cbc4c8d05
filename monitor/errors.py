"""Vigie's exceptions. Library code raises these; only ``monitor/cli/main.py`` turns them into
one line and an exit code (see the table in the README)."""

from __future__ import annotations


class VigieError(Exception):
    """Base of every error Vigie reports to a user."""

    exit_code = 1


class ConfigError(VigieError):
    """The configuration is wrong. ``problems`` holds one line per bad key."""

    exit_code = 2

    def __init__(self, problems: list[str], path: str | None = None):
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(problems))


class DeliveryError(VigieError):
    """An alert could not be delivered (SMTP refused, unreachable)."""


class RunFailed(VigieError):
    """At least one source failed during a crawl pass (what succeeded is stored)."""
