"""A real SMTP server on loopback for the alert tests (aiosmtpd), with fault knobs.

``SMTPServer(security=..., auth=..., ca=...)`` picks a free port first (aiosmtpd cannot bind port
0, see PITFALLS.md) and keeps it across :meth:`stop` / :meth:`start`, so a test can take the
server down and bring it back where the sender expects it. Messages are parsed back with
:mod:`email` (``policy.default``). Knobs on :attr:`handler`:

- ``mode = "drop_after_accept"``: answer 250, then close the connection;
- ``mode = "drop_before_reply"``: keep the message but close without answering;
- ``refuse``: recipients answered ``550`` at RCPT;
- ``on_data``: a callable run inside DATA before the answer (e.g. SIGKILL the sender).

``write_config`` writes a minimal ``config.toml`` pointing ``[alerts.email]`` at a server.
"""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class Collector:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.mode = "normal"
        self.refuse: set[str] = set()
        self.on_data: Callable[[Received], None] | None = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), msg, raw)
        with self.lock:
            self.messages.append(got)
        if self.on_data is not None:
            self.on_data(got)
        if self.mode == "drop_before_reply":
            server.transport.close()
            return "250 OK (never heard)"
        if self.mode == "drop_after_accept":
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 Message accepted"


class SMTPServer:
    def __init__(
        self,
        *,
        security: str = "none",
        auth: tuple[str, str] | None = None,
        ca=None,
        port: int | None = None,
    ):
        self.security = security
        self.auth = auth
        self.port = port or free_port()
        self.handler = Collector()
        self.auth_attempts: list[tuple[str, bool]] = []
        self._ctx: ssl.SSLContext | None = None
        if security != "none":
            cert = ca.issue_cert("127.0.0.1", "localhost")
            self._ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(self._ctx)
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.auth is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.auth
        )
        self.auth_attempts.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    def start(self) -> SMTPServer:
        kwargs: dict = {}
        if self.security == "starttls":
            kwargs.update(tls_context=self._ctx, require_starttls=True)
        elif self.security == "ssl":
            kwargs.update(ssl_context=self._ctx)
        if self.auth:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
            # aiosmtpd only counts STARTTLS as TLS; an implicit-TLS socket is TLS all along
            kwargs["auth_require_tls"] = self.security != "ssl"
        for _ in range(50):  # the port may linger a moment after stop()
            try:
                self.controller = Controller(
                    self.handler, hostname="127.0.0.1", port=self.port, **kwargs
                )
                self.controller.start()
                return self
            except (OSError, RuntimeError):
                self.controller = None
                time.sleep(0.1)
        raise RuntimeError(f"cannot start SMTP server on port {self.port}")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, n: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def write_config(
    folder: Path,
    *,
    email: dict | None = None,
    alerts: dict | None = None,
    sources: dict[str, dict] | None = None,
    terms: tuple[str, ...] = ("SECPA", "maison* de santé"),
) -> Path:
    """A small valid config.toml in ``folder`` (database ``vigie.db`` beside it); returns its path."""

    def toml(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, list | tuple):
            return "[" + ", ".join(toml(v) for v in value) + "]"
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    sources = sources or {"fncs": {}}
    lines = ['[storage]\npath = "vigie.db"\n', "[watch]", f"terms = {toml(list(terms))}", ""]
    for name, extra in sources.items():
        lines += [f"[sources.{name}]", 'spider = "site"', f'url = "https://{name}.example.org"']
        lines += [f"{k} = {toml(v)}" for k, v in extra.items()] + [""]
    lines += ["[alerts]"] + [f"{k} = {toml(v)}" for k, v in (alerts or {}).items()] + [""]
    email = {
        "sender": "Vigie <vigie@vigie.test>",
        "recipients": ["alice@example.org"],
        **(email or {}),
    }
    lines += ["[alerts.email]"] + [f"{k} = {toml(v)}" for k, v in email.items()]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
