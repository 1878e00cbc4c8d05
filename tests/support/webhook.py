"""A local HTTP receiver standing in for chat services (Slack, Matrix, Teams...) in the tests.

Apprise's generic JSON webhook (``json://127.0.0.1:PORT/path``) posts ``{"title", "message",
"type", ...}`` to it; every POST is recorded with its path and parsed body. A tiny
:mod:`http.server` in a thread, on a port chosen up front and kept across :meth:`stop` /
:meth:`start`, so a test can take the "service" down and bring it back where the channel URL
points. Knobs: ``status`` (answer code, e.g. 500), ``delay`` (seconds before answering, to make
the client's read time out after the message was received).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.smtpserver import free_port


@dataclass
class Post:
    path: str
    body: dict
    headers: dict[str, str]
    status: int = 200  # what the receiver answered

    @property
    def title(self) -> str:
        return str(self.body.get("title") or "")

    @property
    def message(self) -> str:
        return str(self.body.get("message") or "")


class WebhookReceiver:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.posts: list[Post] = []
        self.status = 200
        self.delay = 0.0
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        """The Apprise URL of this receiver (generic JSON webhook)."""
        return f"json://127.0.0.1:{self.port}{path}"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"raw": raw.decode(errors="replace")}
                with receiver.lock:
                    receiver.posts.append(
                        Post(self.path, body, dict(self.headers), receiver.status)
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # quiet
                pass

        for _ in range(50):  # the port may linger a moment after stop()
            try:
                self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"cannot start the webhook receiver on port {self.port}")
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self, path: str | None = None, *, accepted_only: bool = False) -> list[Post]:
        """The posts (on ``path``), optionally only those answered 2xx."""
        with self.lock:
            return [
                p
                for p in self.posts
                if (path is None or p.path == path) and (not accepted_only or 200 <= p.status < 300)
            ]
