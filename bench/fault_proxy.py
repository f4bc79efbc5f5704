"""A loopback HTTP fault proxy for the server storms (issue 14, part 2).

It forwards each request to one upstream (a contract server or a real local one) unless the fault
chosen for that request says otherwise, and records every request it saw (when, by the caller's clock,
which fault, method, path, webhook-id). `fault_for(n)` picks the fault of the n-th request; the
campaign replaces it per phase. The faults:

    pass        forward, answer as the upstream did
    latency     wait `latency_s`, then forward
    reset       no forwarding; the connection is reset (RST) before any answer
    truncate    forward (the upstream HAS the request), then answer with a body cut off mid-way (an
                answer without a body, e.g. 204, cannot be cut off: it passes, recorded as "pass")
    500/502/503 no forwarding; that status (503 with Retry-After: `retry_after_s`)
    429         no forwarding; 429 with Retry-After: `retry_after_s`
    429-bare    no forwarding; 429 without Retry-After
    401/410     no forwarding; that status
    garbage     no forwarding; bytes that are not HTTP (a TLS alert record), then close
    hang        no forwarding; never answers (holds the connection `hang_s`, past a client's timeout)
"""

from __future__ import annotations

import dataclasses
import http.client
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

FAULTS = (
    "pass", "latency", "reset", "truncate", "500", "502", "503", "429", "429-bare", "401", "410", "garbage", "hang",
)  # fmt: skip
#: Faults after which the upstream holds the request although the client saw a failure.
FORWARDED = ("pass", "latency", "truncate")
_TLS_ALERT = b"\x15\x03\x03\x00\x02\x02\x28"  # a TLS "handshake failure" alert, on a plain connection


@dataclass(frozen=True)
class Seen:
    """One request as the proxy saw it."""

    at: float  # by the proxy's clock (the campaign's simulated one)
    fault: str
    method: str
    path: str
    webhook_id: str


class FaultProxy:
    """A context manager: a loopback proxy on a free port in front of `upstream` (http://host:port)."""

    def __init__(
        self,
        upstream: str,
        fault_for: Callable[[int], str] = lambda _n: "pass",
        *,
        clock: Callable[[], float] = time.time,
        latency_s: float = 0.2,
        retry_after_s: int = 30,
        hang_s: float = 3.0,
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.fault_for = fault_for
        self.clock = clock
        self.latency_s = latency_s
        self.retry_after_s = retry_after_s
        self.hang_s = hang_s
        self.seen: list[Seen] = []
        self.url = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ one request
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        with self._lock:
            index = len(self.seen)
            fault = self.fault_for(index)
            self.seen.append(Seen(self.clock(), fault, h.command, h.path, h.headers.get("webhook-id", "")))
        h.close_connection = True
        if fault == "latency":
            time.sleep(self.latency_s)
        if fault in FORWARDED:
            status, headers, answer = self._forward(h, body)
            if fault == "truncate" and (status in (204, 304) or not answer):
                fault = "pass"  # nothing to cut off (e.g. an LRS's 204 for a statement it has): recorded as such
                with self._lock:
                    self.seen[index] = dataclasses.replace(self.seen[index], fault=fault)
            if fault == "truncate":
                self._write(
                    h, status, {**headers, "Content-Length": str(len(answer) + 100)}, answer[: len(answer) // 2]
                )
            else:
                self._write(h, status, {**headers, "Content-Length": str(len(answer))}, answer)
        elif fault == "reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
        elif fault == "garbage":
            h.wfile.write(_TLS_ALERT)
        elif fault == "hang":
            self._stop.wait(self.hang_s)
        else:
            extra = {"Retry-After": str(self.retry_after_s)} if fault in ("429", "503") else {}
            text = f'{{"error": "fault proxy: {fault}"}}'.encode()
            self._write(h, int(fault.split("-")[0]), {"Content-Type": "application/json", **extra,
                        "Content-Length": str(len(text))}, text)  # fmt: skip

    def _forward(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=10)
        try:
            skip = ("host", "content-length", "connection")
            headers = {k: v for k, v in h.headers.items() if k.lower() not in skip}
            connection.request(h.command, h.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            kept = {
                k: v
                for k, v in response.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")
            }
            return response.status, kept, answer
        finally:
            connection.close()

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(body)
        except OSError:
            pass  # the client gave up first

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        def serve(h: BaseHTTPRequestHandler) -> None:
            proxy._handle(h)

        def quiet(_h: BaseHTTPRequestHandler, format: str, *args: Any) -> None:
            pass

        namespace: dict[str, Any] = {f"do_{m}": serve for m in ("GET", "POST", "PUT", "DELETE", "PATCH")}
        namespace["log_message"] = quiet
        return type("FaultHandler", (BaseHTTPRequestHandler,), namespace)
