"""Network hygiene, checked (issue 14 part 6): every connector against a server that streams forever,
and the code-wide rules that make it hold for every request.

- Every request goes through the one session factory (sync/http.py), which sets the timeouts, the
  total deadline, the body cap and the OS trust store: no other module builds a session or an
  HTTP connection, and nothing turns TLS verification off.
- A server that answers and then streams forever (slowly: the deadline; fast: the size cap) costs each
  connector operation at most the deadline and ends in a classified, transient error naming the host.

The redirect walk (a redirect to another origin drops credentials and bodies, for every connector) is
tests/unit/sync/test_redirects.py; plain http:// to another computer is tests/unit/sync/test_plain_http.py.
"""

from __future__ import annotations

import ast
import functools
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync.local_server import LocalServer, Request
from tests.unit.sync.test_conformance import _make
from tests.unit.sync.test_redirects import PLAIN_KINDS, _operations

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app", "sync", "storage", "ui")
#: The one module that may build sessions and connections: the factory itself.
FACTORY = ROOT / "sync" / "http.py"
BUILDERS = {"Session", "session", "HTTPConnection", "HTTPSConnection", "urlopen", "PoolManager", "create_connection"}
DEADLINE_S = 0.4


def _product_files() -> list[Path]:
    return [p for top in PRODUCT for p in (ROOT / top).rglob("*.py") if p != FACTORY]


@functools.cache
def _parsed() -> list[tuple[Path, ast.AST]]:
    """Every product module's syntax tree, the factory's included (parsed once for all checks)."""
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in [*_product_files(), FACTORY]]


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_no_module_but_the_factory_builds_a_session_or_a_connection() -> None:
    found = []
    for path, tree in _parsed():
        for node in ast.walk(tree):
            if path != FACTORY and isinstance(node, ast.Call) and _called_name(node) in BUILDERS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {_called_name(node)}()")
    assert found == [], "requests outside the session factory (no timeout, cap or trust store):\n" + "\n".join(found)


def test_nothing_turns_tls_verification_off() -> None:
    found = []
    for path, tree in _parsed():
        for node in ast.walk(tree):
            off = ast.Constant(False)
            if isinstance(node, ast.keyword) and node.arg == "verify" and ast.dump(node.value) == ast.dump(off):
                found.append(f"{path.relative_to(ROOT)}:{node.value.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in ("CERT_NONE", "_create_unverified_context"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.attr}")
    assert found == []


def test_the_factory_sets_timeouts_a_deadline_a_cap_and_the_os_trust_store() -> None:
    with new_session("hygiene") as http:
        assert http.verify is True
        assert type(http.get_adapter("https://example.org")).__name__ == "_TrustStoreAdapter"
        assert all(t and t > 0 for t in http.timeout) and http.deadline > 0 and http.max_body_bytes > 0


def _streaming(pause_s: float, chunk: bytes) -> Callable[[Request, BaseHTTPRequestHandler], None]:
    """A handler that answers 200 JSON and then writes `chunk` every `pause_s` until the client leaves."""

    def stream(_request: Request, h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.end_headers()
            h.wfile.write(b"{")
            while not stopping.is_set():
                h.wfile.write(chunk)
                h.wfile.flush()
                time.sleep(pause_s)
        except OSError:
            pass  # the client gave up: what it must do

    return stream


stopping = threading.Event()


@pytest.mark.parametrize("mode", ["trickle", "flood"])
@pytest.mark.parametrize("kind", PLAIN_KINDS)
def test_a_server_that_streams_forever_costs_each_operation_at_most_the_deadline(kind: str, mode: str) -> None:
    handler = _streaming(0.02, b" ") if mode == "trickle" else _streaming(0, b" " * 65536)
    http = InflowSession(user_agent="hygiene", use_os_trust_store=False, timeout=(2.0, 2.0), deadline=DEADLINE_S,
                         max_body_bytes=256 * 1024)  # fmt: skip
    http.trust_env = False
    with LocalServer(handler) as server:
        for name, call, args in _operations(_make(kind, server.url, http), kind):
            before, started = len(server.requests), time.monotonic()
            try:
                outcome = call(*args)
            except NotSupportedError:
                continue
            except SyncError as error:
                outcome = error
            elapsed = time.monotonic() - started
            if len(server.requests) == before:
                continue  # no request made (a malformed remote id refused, a feed not configured): nothing to wait for
            assert isinstance(outcome, SyncError), f"{kind} {name}: {outcome!r} from an endless answer"
            assert outcome.kind is ErrorKind.TRANSIENT, f"{kind} {name}: {outcome!r}"
            assert "127.0.0.1" in outcome.message, f"{kind} {name}: {outcome!r}"
            assert elapsed < DEADLINE_S * 3 + 1, f"{kind} {name}: {elapsed:.1f} s"
        assert server.requests, f"{kind} never reached the server: the walk proves nothing for it"
