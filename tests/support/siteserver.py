"""A manifest-driven HTTP server for fixture sites (tests only).

A site is a folder ``tests/sites/<key>/`` holding the served files and a ``MANIFEST.toml`` that
records the wire truth for every URL (status, Content-Type with charset, ETag, Last-Modified...)
and where each file came from::

    [site]
    description = "AVECsanté-like WordPress site"
    captured = "2026-02-14"                        # clock to pin tests to
    provenance = "hand-built (SITES.md §AVECsanté)"  # default for every path

    [paths."/feed/"]
    file = "feed.xml"
    headers = { Content-Type = "application/rss+xml; charset=UTF-8", ETag = '"feed-1"' }

    [paths."/rss.xml"]
    status = 404

    [states.v2.paths."/some-article/"]              # server.set_state("v2") serves this instead
    file = "some-article.v2.html"
    headers = { Content-Type = "text/html; charset=UTF-8", ETag = '"a-2"' }

Keys of ``paths`` are URL paths, optionally with a query string: a request is looked up by exact
path+query first, then by path alone. Entry fields: ``file`` (relative to the folder), ``status``
(default 200), ``headers``, ``provenance``, ``gzip`` (compress the body at serve time).
``{{BASE}}`` in files and header values is replaced by the server's base URL (not in ``.gz``
files). ``robots.txt`` is served from the folder when the manifest does not list it.

Why stdlib: ``ThreadingHTTPServer`` bound to port 0 in a thread is all Scrapy's own mock server
needs, with no extra dependency, and the handler is where the fault knobs live.
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITES_DIR = Path(__file__).resolve().parent.parent / "sites"
PLACEHOLDER = b"{{BASE}}"


@dataclass
class Entry:
    """What the manifest says one URL answers."""

    status: int = 200
    file: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    provenance: str = ""
    gzip: bool = False


@dataclass
class Override:
    """A programmed answer for fault tests; ``times`` None means until removed."""

    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] | None = None
    delay: float = 0.0
    drop_connection: bool = False
    truncate_at: int | None = None
    times: int | None = None


def _entry(raw: dict, default_provenance: str) -> Entry:
    unknown = set(raw) - {"status", "file", "headers", "provenance", "gzip"}
    if unknown:
        raise ValueError(f"unknown manifest keys {sorted(unknown)}")
    return Entry(
        status=int(raw.get("status", 200)),
        file=raw.get("file"),
        headers={str(k): str(v) for k, v in raw.get("headers", {}).items()},
        provenance=raw.get("provenance", default_provenance),
        gzip=bool(raw.get("gzip", False)),
    )


class Site:
    """A fixture site read from its manifest; usable without a server (parser tests)."""

    def __init__(self, key_or_path: str | Path):
        folder = Path(key_or_path)
        self.folder = folder if folder.is_dir() else SITES_DIR / str(key_or_path)
        manifest = tomllib.loads((self.folder / "MANIFEST.toml").read_text("utf-8"))
        info = manifest.get("site", {})
        self.description: str = info.get("description", "")
        self.captured: str | None = info.get("captured")
        default = info.get("provenance", "")
        self.paths = {k: _entry(v, default) for k, v in manifest.get("paths", {}).items()}
        self.states = {
            name: {k: _entry(v, default) for k, v in table.get("paths", {}).items()}
            for name, table in manifest.get("states", {}).items()
        }
        for key, entry in self._all_entries():
            if entry.file and not (self.folder / entry.file).is_file():
                raise FileNotFoundError(f"{self.folder.name}: {key} -> missing {entry.file}")
            if entry.status == 200 and not entry.provenance:
                raise ValueError(f"{self.folder.name}: {key} has no provenance")

    def _all_entries(self):
        yield from self.paths.items()
        for table in self.states.values():
            yield from table.items()

    def lookup(self, target: str, state: str | None = None) -> Entry | None:
        """The entry for ``/path?query``: exact path+query, then path alone; state first."""
        path = urlsplit(target).path or "/"
        tables = [self.states[state]] if state else []
        for key in (target, path):
            for table in [*tables, self.paths]:
                if key in table:
                    return table[key]
        if path == "/robots.txt" and (self.folder / "robots.txt").is_file():
            return Entry(
                file="robots.txt",
                headers={"Content-Type": "text/plain; charset=utf-8"},
                provenance="robots.txt of the folder",
            )
        return None

    def body(self, entry: Entry, base_url: str) -> bytes:
        """The bytes served for an entry, ``{{BASE}}`` replaced and gzip applied."""
        if not entry.file:
            return b""
        data = (self.folder / entry.file).read_bytes()
        if not entry.file.endswith(".gz"):
            data = data.replace(PLACEHOLDER, base_url.encode("ascii"))
        return gzip.compress(data, mtime=0) if entry.gzip else data

    def fetch(self, target: str, base_url: str = "http://site.test", state: str | None = None):
        """(body, headers) as the server would send them: for parser tests without a server."""
        entry = self.lookup(target, state)
        if entry is None:
            raise KeyError(f"{self.folder.name}: no manifest entry for {target}")
        headers = {k: v.replace("{{BASE}}", base_url) for k, v in entry.headers.items()}
        return self.body(entry, base_url), headers


def _not_modified(request_headers, headers: dict[str, str]) -> bool:
    etag = headers.get("ETag")
    inm = request_headers.get("If-None-Match")
    if inm is not None:
        if not etag:
            return False
        wanted = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    ims, lm = request_headers.get("If-Modified-Since"), headers.get("Last-Modified")
    if ims and lm:
        try:
            return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - silence stderr in tests
        pass

    def do_GET(self):
        self._answer(send_body=True)

    def do_HEAD(self):
        self._answer(send_body=False)

    def _answer(self, send_body: bool):
        owner = self.server.owner
        override = owner._take_override(self.path)
        if override and override.delay:
            time.sleep(override.delay)
        if override and override.drop_connection:
            owner._record(self.command, self.path, 0, 0)
            self.close_connection = True
            return
        entry = owner.site.lookup(self.path, owner.state)
        if entry is None and override is None:
            return self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, b"Not Found\n")
        entry = entry or Entry(status=200)
        status, body = entry.status, owner.site.body(entry, owner.base_url)
        headers = {k: v.replace("{{BASE}}", owner.base_url) for k, v in entry.headers.items()}
        if override:
            status = override.status if override.status is not None else status
            body = override.body if override.body is not None else body
            headers.update(override.headers or {})
        if status == 200 and _not_modified(self.headers, headers):
            kept = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
            return self._send(304, kept, b"", send_body=False)
        truncate = override.truncate_at if override else None
        self._send(status, headers, body, send_body, truncate)

    def _send(self, status, headers, body, send_body=True, truncate_at=None):
        sent = body if send_body else b""
        if truncate_at is not None:
            sent = sent[:truncate_at]
            self.close_connection = True
        # counted before anything is written: a client holding the answer finds it counted
        owner = self.server.owner
        owner._asked[threading.get_ident()] = (
            self.headers.get("If-None-Match"),
            self.headers.get("If-Modified-Since"),
        )
        owner._record(self.command, self.path, status, len(sent))
        self.send_response_only(status)
        self.send_header("Server", "vigie-siteserver")
        self.send_header("Date", self.date_time_string())
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if sent:
            self.wfile.write(sent)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: SiteServer

    def handle_error(self, request, client_address):
        """A client that hung up before its answer was written (a crawl stopped, or a crawl
        process that exited at once) is what real servers see every day: not an error of the
        fixture. Anything else is printed as socketserver does."""
        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return
        super().handle_error(request, client_address)


class SiteServer:
    """Serve one fixture site on ``host`` (port 0 = any free port); ``base_url`` once started."""

    def __init__(self, site: str | Path | Site, host: str = "127.0.0.1", port: int = 0):
        self.site = site if isinstance(site, Site) else Site(site)
        self.host, self.port = host, port
        self.state: str | None = None
        self.requests: list[tuple[str, str, int, int]] = []
        #: per request, in the order of ``requests``: (path, If-None-Match, If-Modified-Since)
        self.validators_sent: list[tuple[str, str | None, str | None]] = []
        self._asked: dict[int, tuple[str | None, str | None]] = {}  # handler thread → validators
        self._overrides: dict[str, Override] = {}
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> SiteServer:
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, target: str) -> str:
        return self.base_url + target

    def set_state(self, state: str | None) -> None:
        """Serve ``[states.<state>]`` entries over the base ones; None goes back to the base."""
        if state is not None and state not in self.site.states:
            raise KeyError(f"no state {state!r} in {self.site.folder.name}/MANIFEST.toml")
        self.state = state

    def override(self, target: str, **answer) -> None:
        """Program the answer for ``target`` (path+query, or path for any query)."""
        if isinstance(answer.get("body"), str):
            answer["body"] = answer["body"].encode("utf-8")
        with self._lock:
            self._overrides[target] = Override(**answer)

    def clear_overrides(self) -> None:
        with self._lock:
            self._overrides.clear()

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.validators_sent.clear()

    def count(self, target: str | None = None, status: int | None = None) -> int:
        """Requests seen, for one path(+query) and/or one status."""
        return sum(
            1
            for _, path, code, _ in self.requests
            if (target is None or path == target or urlsplit(path).path == target)
            and (status is None or code == status)
        )

    @property
    def bytes_sent(self) -> int:
        return sum(size for *_, size in self.requests)

    def _record(self, method: str, path: str, status: int, size: int) -> None:
        # the validators the handler thread saw travel beside the call, so that tests wrapping
        # _record with this four-argument signature (tests/faults) keep working
        validators = self._asked.pop(threading.get_ident(), (None, None))
        with self._lock:
            self.requests.append((method, path, status, size))
            self.validators_sent.append((path, *validators))

    def log(self) -> list[tuple[str, int, bool]]:
        """(path, status, conditional?) per request: what a politeness test asserts on."""
        with self._lock:
            return [
                (path, status, bool(inm or ims))
                for (_, path, status, _), (_, inm, ims) in zip(
                    self.requests, self.validators_sent, strict=True
                )
            ]

    def _take_override(self, target: str) -> Override | None:
        with self._lock:
            for key in (target, urlsplit(target).path):
                found = self._overrides.get(key)
                if found is None:
                    continue
                if found.times is not None:
                    found.times -= 1
                    if found.times <= 0:
                        del self._overrides[key]
                return found
        return None


if (
    __name__ == "__main__"
):  # browse a fixture site by hand: python tests/support/siteserver.py wp_like
    import sys

    with SiteServer(sys.argv[1], port=int(sys.argv[2]) if len(sys.argv) > 2 else 0) as srv:
        print(f"serving {srv.site.folder} at {srv.base_url} (Ctrl-C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
