"""A loopback HTTP(S) server for the connector contract tests (stdlib ThreadingHTTPServer in a thread).

Every request is recorded as a `Request` (method, path, query, headers, body) and handed to a handler that a
test can replace at any time: `handler(request, raw_handler)` returns an `Answer` (status, headers, body), which
is written with its Content-Length, or None when the handler wrote (or withheld) the answer itself through the
raw `BaseHTTPRequestHandler` (see `cut_off` and `drop`); raw bytes (an HTML page, plain text) are just an
`Answer`. Helpers build the others: `json_answer`, `redirect`, and `stalled` (wait on `release`, past a
client's read timeout). `release` is set when the server stops, so nothing waits on it beyond its test.

    with LocalServer(lambda request, _h: json_answer({"ok": True})) as server:
        requests.get(server.url + "/ping?x=1")
        assert server.requests[0].query == {"x": ["1"]}
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import socket
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: What the server answers: status, headers (sent in order, then Content-Length), body.
Answer = tuple[int, Mapping[str, str], bytes]
#: Decides the answer to a request; None means it wrote (or withheld) the answer through the raw handler.
Handler = Callable[["Request", BaseHTTPRequestHandler], Answer | None]
#: Turns a request's raw body (and its lower-cased headers) into `Request.body`.
Decoder = Callable[[bytes, Mapping[str, str]], Any]

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


@dataclass
class Request:
    """One request as the server saw it; header names are lower-cased."""

    method: str
    path: str  # as sent, query included, unless the server strips it (it is in `query` either way)
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # the raw bytes, or what the server's `decode` made of them
    raw: bytes = field(default=b"", repr=False)

    def json(self) -> Any:
        return json.loads(self.raw)

    def form(self) -> dict[str, str]:
        """The body as an HTML form (application/x-www-form-urlencoded), first value of each name."""
        return {k: v[0] for k, v in parse_qs(self.raw.decode()).items()}

    @property
    def params(self) -> dict[str, str]:
        """The query string, first value of each name."""
        return {k: v[0] for k, v in self.query.items()}


def json_or_none(raw: bytes, _headers: Mapping[str, str]) -> Any:
    """A `decode` for JSON APIs: the parsed body, None for an empty one."""
    return json.loads(raw) if raw else None


def matching(requests: Iterable[Request], method: str, path: str) -> list[Request]:
    """The requests with this method to this path (the query string not compared)."""
    return [r for r in requests if r.method == method and urlsplit(r.path).path == path]


def json_answer(
    value: Any, status: int = 200, headers: Mapping[str, str] | None = None, content_type: str = "application/json"
) -> Answer:
    """`value` as JSON, its Content-Type first, then `headers`."""
    return status, {"Content-Type": content_type, **(headers or {})}, json.dumps(value).encode()


def redirect(location: str, status: int = 302) -> Answer:
    return status, {"Location": location}, b""


def stalled(release: threading.Event, then: Answer, seconds: float = 3) -> Callable[..., Answer]:
    """A handler (any arguments) that waits for `release` (at most `seconds`) and then answers `then`."""

    def stall(*_args: object) -> Answer:
        release.wait(seconds)
        return then

    return stall


def cut_off(h: BaseHTTPRequestHandler, partial: bytes, declared: int, status: int = 200) -> None:
    """Answer with a Content-Length of `declared` but only `partial` of the body: a body cut off mid-answer."""
    h.send_response(status)
    h.send_header("Content-Length", str(declared))
    h.end_headers()
    h.wfile.write(partial)


def drop(h: BaseHTTPRequestHandler) -> None:
    """Close the connection without an answer (the request happened; its answer never arrives)."""
    h.close_connection = True


class _Server(ThreadingHTTPServer):
    """With a TLS context: TLS per connection, in the connection's own thread (a stalled handshake blocks nobody)."""

    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            wrapped: socket = self.tls.wrap_socket(request, server_side=True)
        except OSError:
            return  # a client that refused our certificate (a test of exactly that) or went away
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().handle_error(request, client_address)
        # with TLS: a client that gave up mid-answer, nothing to report


class LocalServer:
    """A loopback server on a free port; a context manager that starts it and stops it.

    `handler` may be replaced while it runs. Requests are appended to `requests` (pass `log` to have them
    appended to a list of your own). `methods` are the HTTP methods it serves (others get 501, as stdlib
    does); `strip_query` records `path` without its query string; `decode` makes `Request.body` from the raw
    bytes (default: the bytes themselves); `tls` serves HTTPS with this server context.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        methods: Iterable[str] = METHODS,
        strip_query: bool = False,
        decode: Decoder | None = None,
        log: list[Request] | None = None,
        release: threading.Event | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.requests: list[Request] = [] if log is None else log
        self.release = threading.Event() if release is None else release
        self.url = ""
        self._strip_query = strip_query
        self._decode = decode
        self._server = _Server(("127.0.0.1", 0), self._handler_class(tuple(methods)))
        self._server.daemon_threads = True
        self._server.tls = tls
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def _record(self, h: BaseHTTPRequestHandler) -> Request:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length)
        headers = {k.lower(): v for k, v in h.headers.items()}
        parts = urlsplit(h.path)
        body = self._decode(raw, headers) if self._decode else raw
        path = parts.path if self._strip_query else h.path
        request = Request(h.command, path, parse_qs(parts.query), headers, body, raw)
        self.requests.append(request)
        return request

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        reply = self.handler(self._record(h), h)
        if reply is None:
            return
        status, headers, body = reply
        try:
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting (a read-timeout test): nothing to answer

    def _handler_class(self, methods: tuple[str, ...]) -> type[BaseHTTPRequestHandler]:
        server = self

        def serve(h: BaseHTTPRequestHandler) -> None:
            server._serve(h)

        def quiet(_h: BaseHTTPRequestHandler, format: str, *args: Any) -> None:
            pass

        namespace: dict[str, Any] = {f"do_{method}": serve for method in methods}
        namespace["log_message"] = quiet
        return type("Handle", (BaseHTTPRequestHandler,), namespace)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> LocalServer:
        self._thread.start()
        scheme = "http" if self._server.tls is None else "https"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
