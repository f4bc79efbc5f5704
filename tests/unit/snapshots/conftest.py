"""A loopback web server for the page corpus (tests/fixtures/pages) and the hostile behaviours.

Static files are served by extension; `?type=` overrides the Content-Type (empty: no header),
`?charset=` adds a charset, `?delay=` waits before answering. Special paths: /status/<code>,
/big (100 MB), /bomb (gzip bomb), /loop, /chain/<n> (endless), /trickle (a byte a second),
/flaky/<key> (503 once, then a page), /redirect?to=<url>. Every request is logged with its time.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sync.http import InflowSession, new_session

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
USER_AGENT = "Inflow-tests/1.0 (+https://example.org/inflow)"
BIG_BYTES = 100 * 1024 * 1024
TYPES = {
    ".html": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".gif": "image/gif",
}


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    host: str
    path: str
    user_agent: str


class PageServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str) -> None:
        super().__init__((host, 0), Handler)
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.big_sent = 0
        self.big_done = threading.Event()
        self.overrides: dict[str, int] = {}  # path -> status to answer instead
        self.flaky_seen: set[str] = set()
        self.retry_after = "1"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up (size cap, deadline, TLS refusal) is what the tests provoke

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server_address[1]}"

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits]


class Handler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        server = self.server
        with server.lock:
            server.hits.append(Hit(time.monotonic(), server.host, self.path, self.headers["User-Agent"]))
            server.active += 1
            server.max_active = max(server.max_active, server.active)
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with server.lock:
                server.active -= 1

    def _answer(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if "delay" in query:
            time.sleep(float(query["delay"]))
        path = url.path
        if path in self.server.overrides:
            return self._status(self.server.overrides[path])
        if path.startswith("/status/"):
            return self._status(int(path.rsplit("/", 1)[1]))
        if path == "/big":
            return self._big()
        if path == "/bomb":
            return self._send(200, "text/html", _bomb(), extra={"Content-Encoding": "gzip"})
        if path == "/loop":
            return self._redirect("/loop")
        if path.startswith("/chain/"):
            return self._redirect(f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        if path == "/redirect":
            return self._redirect(query["to"])
        if path == "/trickle":
            return self._trickle()
        if path.startswith("/flaky/"):
            key = path.rsplit("/", 1)[1]
            if key not in self.server.flaky_seen:
                self.server.flaky_seen.add(key)
                return self._send(503, "text/html", b"<p>busy</p>", extra={"Retry-After": self.server.retry_after})
            return self._file("notes.txt", query)
        return self._file(path.lstrip("/"), query)

    def _file(self, name: str, query: dict[str, str]) -> None:
        file = (PAGES / name).resolve()
        if PAGES not in file.parents or not file.is_file():
            return self._status(404)
        content_type = query.get("type", TYPES.get(file.suffix, "application/octet-stream"))
        if content_type and "charset" in query:
            content_type += f"; charset={query['charset']}"
        self._send(200, content_type, file.read_bytes())

    def _send(self, code: int, content_type: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _status(self, code: int) -> None:
        self._send(code, "text/html", f"<html><body><h1>Error {code}</h1></body></html>".encode())

    def _redirect(self, location: str) -> None:
        self._send(302, "text/html", b"", extra={"Location": location})

    def _big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(BIG_BYTES))
        self.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        try:
            while self.server.big_sent < BIG_BYTES:
                self.wfile.write(chunk)
                self.server.big_sent += len(chunk)
        finally:
            self.server.big_done.set()

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "60")
        self.end_headers()
        for _ in range(60):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(1.0)


@cache
def _bomb() -> bytes:
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB that travel as ~64 KiB


@contextmanager
def serving(host: str = "127.0.0.1") -> Iterator[PageServer]:
    server = PageServer(host)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server() -> Iterator[PageServer]:
    with serving() as srv:
        yield srv


@pytest.fixture
def session() -> Iterator[InflowSession]:
    with new_session(USER_AGENT, deadline=10.0) as http:
        yield http


@pytest.fixture
def make_session() -> Callable[[], InflowSession]:
    return lambda: new_session(USER_AGENT, deadline=10.0)
