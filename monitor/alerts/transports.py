"""Two ways out for a composed message: an SMTP server, or ``.eml`` files in a folder.

Both take one message for one recipient and either return (the copy is accepted) or raise one
of three errors that tell the sender what it may do next:

- :class:`TransientFailure`: the copy was certainly not accepted (connection refused, 4xx,
  link lost before the end of DATA): retry later.
- :class:`RecipientRefused`: a 5xx for this recipient (RCPT or end of DATA): final for this
  copy, retrying would get the same answer.
- :class:`OutcomeUnknown`: the whole message went out but the server's answer never came
  back; the copy may have been delivered, so it must not be resent automatically.

``on_data`` is called once the server has agreed to the recipient and just before the message
body is handed over: the sender commits its "sending" delivery row there.

SMTP: ``security = "ssl"`` (implicit TLS) or ``"starttls"`` always verify the certificate
with ``ssl.create_default_context(cafile=alerts.email.ca_file)`` (smtplib verifies nothing
without a context); the password is read from the environment variable
named by ``password_env``. One connection serves a whole delivery pass; if the server drops
it between two messages the transport reconnects once.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from monitor.config import Config
from monitor.errors import DeliveryError


class TransientFailure(DeliveryError):
    """Not delivered; safe to retry."""


class ConnectFailed(TransientFailure):
    """The server could not be reached or refused the session (TLS, login)."""


class RecipientRefused(DeliveryError):
    """The server refused this recipient or this message for good (5xx)."""


class OutcomeUnknown(DeliveryError):
    """The message was sent but the server's answer was lost."""


class CopyTaken(DeliveryError):
    """``on_data`` found this copy already held or settled by another sender: nothing sent."""


class Transport(Protocol):
    name: str
    #: True when handing the same message over twice cannot produce two copies
    idempotent: bool

    def send(
        self, sender: str, recipient: str, data: bytes, message_id: str, on_data: Callable[[], None]
    ) -> None: ...

    def close(self) -> None: ...


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"{exc.smtp_code} {text}".strip()
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


def _reply(code: int, resp: bytes | str) -> str:
    text = resp.decode(errors="replace") if isinstance(resp, bytes) else resp
    return f"{code} {text}".strip()


def _dot_stuffed(data: bytes) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, final ``.``."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SMTPTransport:
    idempotent = False

    def __init__(self, cfg: Config):
        email = cfg.alerts.email
        assert email.host
        self.host = email.host
        self.port = email.effective_port()
        self.security = email.security
        self.username = email.username
        self.password_env = email.password_env
        self.timeout = email.timeout
        self.cafile = str(cfg.resolve(email.ca_file)) if email.ca_file else None
        self.name = f"smtp://{self.host}:{self.port} ({self.security})"
        self._smtp: smtplib.SMTP | None = None

    def _password(self) -> str:
        if not self.password_env:
            raise ConnectFailed(
                "alerts.email.username is set but alerts.email.password_env is not; "
                'name the environment variable holding the password, e.g. "VIGIE_SMTP_PASSWORD"'
            )
        value = os.environ.get(self.password_env)
        if not value:
            raise ConnectFailed(
                f"environment variable {self.password_env} (alerts.email.password_env) is not set"
            )
        return value

    def _connect(self) -> smtplib.SMTP:
        password = self._password() if self.username else None
        try:
            context = ssl.create_default_context(cafile=self.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectFailed(f"alerts.email.ca_file {self.cafile}: {exc}") from exc
        smtp: smtplib.SMTP | None = None
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, password or "")
        except (OSError, smtplib.SMTPException) as exc:
            if smtp is not None:
                smtp.close()
            raise ConnectFailed(f"{self.name}: {_describe(exc)}") from exc
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _start(self, sender: str) -> smtplib.SMTP:
        """MAIL FROM on the open connection, reconnecting once if the server dropped it."""
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                code, resp = self._smtp.mail(sender)
            except (OSError, smtplib.SMTPServerDisconnected) as exc:
                self._drop()
                if attempt == 2:
                    raise TransientFailure(f"{self.name}: {_describe(exc)}") from exc
                continue
            if code != 250:
                self._rset()
                raise TransientFailure(f"sender {sender} refused: {_reply(code, resp)}")
            return self._smtp
        raise AssertionError("unreachable")

    def _rset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _fail(self, code: int, resp: bytes, what: str) -> DeliveryError:
        self._rset()
        msg = f"{what}: {_reply(code, resp)}"
        return RecipientRefused(msg) if 500 <= code < 600 else TransientFailure(msg)

    def send(
        self, sender: str, recipient: str, data: bytes, message_id: str, on_data: Callable[[], None]
    ) -> None:
        envelope_from = parseaddr(sender)[1] or sender
        smtp = self._start(envelope_from)
        try:
            code, resp = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise self._fail(code, resp, f"recipient {recipient} refused")
            try:
                on_data()
            except CopyTaken:
                self._rset()
                raise
            smtp.putcmd("data")
            code, resp = smtp.getreply()
            if code != 354:
                raise self._fail(code, resp, f"DATA refused for {recipient}")
            smtp.send(_dot_stuffed(data))
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise TransientFailure(f"{self.name}: {_describe(exc)}") from exc
        try:
            code, resp = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise OutcomeUnknown(
                f"{self.name}: connection lost after the message was sent, before the "
                f"server's answer ({_describe(exc)})"
            ) from exc
        if code != 250:
            raise self._fail(code, resp, f"message to {recipient} refused")

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()


def eml_name(message_id: str) -> str:
    """A file name derived from the Message-ID: the same copy always lands in the same file."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<> ")) + ".eml"


class FileTransport:
    """Writes each copy as ``<message-id>.eml``: temp file + rename, so a retry overwrites."""

    idempotent = True

    def __init__(self, directory: Path):
        self.directory = directory
        self.name = f"files in {directory}"

    def send(
        self, sender: str, recipient: str, data: bytes, message_id: str, on_data: Callable[[], None]
    ) -> None:
        on_data()
        target = self.directory / eml_name(message_id)
        tmp = self.directory / f".{target.name}.{os.getpid()}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise TransientFailure(f"cannot write {target}: {exc}") from exc

    def close(self) -> None:
        pass


def transport_for(cfg: Config) -> Transport:
    """SMTP when ``alerts.email.host`` is set, else ``.eml`` files in ``alerts.outbox_dir``."""
    if cfg.alerts.email.host:
        return SMTPTransport(cfg)
    return FileTransport(cfg.resolve(cfg.alerts.outbox_dir))
