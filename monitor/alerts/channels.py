"""Chat and webhook channels through Apprise: one (title, body) to one ``[channels.NAME]``.

Why Apprise: one well-kept library speaks Slack, Matrix, Mattermost, Teams, Telegram, Discord,
ntfy, generic JSON/form webhooks and ~100 more through one URL syntax; writing and keeping
those clients by hand is not our job.

Apprise answers True/False and logs why; :meth:`ChannelTransport.send` captures that log
(``apprise.LogCapture``) and raises what the sender needs, like the e-mail transports do:

- :class:`TransientFailure`: certainly not delivered (connection refused, DNS, an HTTP error
  status, a missing environment variable): retried with back-off;
- :class:`OutcomeUnknown`: the request went out but the answer never came (read timeout, link
  cut): the message may have been posted, so it is never resent automatically
  (``unconfirmed``; ``vigie alerts resend`` after checking).

The URL's secrets (``url_env`` or ``{VAR}`` placeholders) are filled in at send time and masked
in every error text this module returns.
"""

from __future__ import annotations

import logging

from monitor.alerts.transports import OutcomeUnknown, TransientFailure
from monitor.config import ChannelConfig

#: what a lost answer looks like in requests' exception text (the request was sent)
_UNKNOWN_MARKERS = (
    "read timed out",
    "remotedisconnected",
    "connection aborted",
    "connection reset",
)
MASK = "***"


class ChannelTransport:
    """One configured channel; built per delivery pass (URL resolved each time)."""

    def __init__(self, name: str, channel: ChannelConfig):
        self.name = name
        self.channel = channel

    def _secrets(self) -> list[str]:
        import os

        values = [os.environ.get(n) or "" for n in self.channel.env_names()]
        return sorted((v for v in values if len(v) >= 3), key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self._secrets():
            text = text.replace(secret, MASK)
        return text

    def send(self, title: str, body: str) -> None:
        import apprise

        try:
            url = self.channel.resolved_url()
        except ValueError as exc:
            raise TransientFailure(f"channel {self.name}: {exc}") from None
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise TransientFailure(
                f"channel {self.name}: Apprise does not understand this URL "
                f"({self.mask(url)}); see the Apprise URL list"
            )
        plugin.socket_connect_timeout = float(self.channel.timeout)
        plugin.socket_read_timeout = float(self.channel.timeout)
        # Apprise's own lines (URLs with tokens, whole payloads at DEBUG) stay in the capture:
        # they never reach our handlers; what we say comes from _reason(), masked
        apprise_logger = logging.getLogger("apprise")
        propagate, apprise_logger.propagate = apprise_logger.propagate, False
        try:
            with apprise.LogCapture(level=logging.DEBUG) as captured:
                try:
                    ok = plugin.notify(body=body, title=title)
                except Exception as exc:  # a plugin bug must not stop the whole pass
                    raise TransientFailure(
                        self.mask(f"channel {self.name}: {type(exc).__name__}: {exc}")
                    ) from None
                log = captured.getvalue()
        finally:
            apprise_logger.propagate = propagate
        if ok:
            return
        reason = _reason(log)
        text = self.mask(f"channel {self.name}: {reason}")
        if any(m in log.lower() for m in _UNKNOWN_MARKERS):
            raise OutcomeUnknown(text + " (the message may have been posted)")
        raise TransientFailure(text)


def _reason(log: str) -> str:
    """The useful lines of Apprise's log: its warnings/errors and the socket exception."""
    keep = []
    for line in log.splitlines():
        if " - WARNING - " in line or " - ERROR - " in line or "Socket Exception" in line:
            keep.append(line.split(" - ", 2)[-1].strip())
    return "; ".join(keep)[:500] or "Apprise reported a failure (no details)"
