"""No credential and no data follows a redirect to another origin, for EVERY registered connector.

Two loopback servers on different ports (different origins): the first answers every request with a
redirect to the second. Each connector (built as in the conformance suite, sync.registry.kinds()) runs
test(), send() and, where it pulls, fetch_feed() and fetch_replies(); the second server must never see a
credential header (Authorization, Api-Key, Api-Username, User-Api-Key, cookies, tokens, signatures) or
a body, and Test connection must fail (never "accepted"). Kinds signed in by device code (teams-graph)
cannot be built with a plain secret: they get their own walk against the Microsoft fake.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sync.connector import Target
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import InflowSession, carries_credentials_or_data
from sync.registry import connector_for, kinds
from tests.unit.sync import graph_fake
from tests.unit.sync.local_server import LocalServer, Request, json_answer, redirect
from tests.unit.sync.test_conformance import MOMENT, _make

CREDENTIALS = (
    "authorization", "api-key", "api-username", "user-api-key", "cookie", "webhook-signature",
    "x-inflow-signature", "x-auth-token", "x-api-key",
)  # fmt: skip


def _signs_in_by_device_code(kind: str) -> bool:
    return hasattr(sys.modules[connector_for(kind).__module__], "start_device_sign_in")


PLAIN_KINDS = [
    kind for kind in kinds() if not _signs_in_by_device_code(kind) and getattr(connector_for(kind), "speaks_http", True)
]
"""Mail kinds (SMTP, IMAP) have no redirects."""


def _leaks(seen: list[Request]) -> list[str]:
    """What reached the other origin that must not: credential headers and bodies."""
    found = [f"{r.method} {r.path}: {name}" for r in seen for name in r.headers if name in CREDENTIALS]
    found += [f"{r.method} {r.path}: a body of {len(r.raw)} bytes" for r in seen if r.raw]
    found += [f"{r.method} {r.path}: a {r.method}" for r in seen if r.method not in ("GET", "HEAD")]
    return found


@pytest.fixture
def other() -> Iterator[LocalServer]:
    with LocalServer(lambda _request, _h: json_answer({"ok": True, "id": "x"})) as server:
        yield server


def _session() -> InflowSession:
    http = InflowSession(user_agent="redirect-test", use_os_trust_store=False, timeout=(2.0, 2.0))
    http.trust_env = False
    return http


def _operations(connector: Any, kind: str) -> list[tuple[str, Any, tuple[Any, ...]]]:
    calls: list[tuple[str, Any, tuple[Any, ...]]] = [("test", connector.test, ()), ("send", connector.send, (MOMENT,))]
    if connector_for(kind).can_pull:
        calls += [("fetch_feed", connector.fetch_feed, (None,)), ("fetch_replies", connector.fetch_replies, ("1",))]
    return calls


@pytest.mark.parametrize("status", [307, 308, 302])
@pytest.mark.parametrize("kind", PLAIN_KINDS)
def test_no_credential_or_body_follows_a_redirect_to_another_origin(kind: str, status: int, other: LocalServer) -> None:
    def bounce(request: Request, _h: object) -> Any:
        return redirect(other.url + request.path, status)

    with LocalServer(bounce) as first:
        for name, call, args in _operations(_make(kind, first.url, _session()), kind):
            try:
                outcome = call(*args)
            except NotSupportedError:
                continue
            except SyncError as error:
                outcome = error
            assert not _leaks(other.requests), f"{kind} {name}: {_leaks(other.requests)}"
            if name == "test":
                assert isinstance(outcome, SyncError), f"{kind}: Test connection said {outcome!r} after a redirect"
        assert first.requests, f"{kind} never reached the first server: the walk proves nothing for it"


@pytest.mark.parametrize("kind", PLAIN_KINDS)
def test_a_refused_redirect_is_permanent_and_names_both_hosts(kind: str, other: LocalServer) -> None:
    bounce = LocalServer(lambda request, _h: redirect(other.url + request.path, 307))
    with bounce as first, pytest.raises(SyncError) as caught:
        _make(kind, first.url, _session()).send(MOMENT)
    error = caught.value
    if "redirected" not in error.message:  # a public, credential-free GET went first (a login token), and
        assert other.requests and not _leaks(other.requests)  # what came back was not usable
        return
    assert error.kind is ErrorKind.PERMANENT, repr(error)
    assert f":{first.port}" in error.message and f":{other.port}" in error.message, repr(error)
    assert "Inflow does not send your credentials or data there" in error.message


def test_a_same_origin_307_still_resends_the_body() -> None:
    with LocalServer(
        lambda request, _h: redirect("/final", 307) if request.path == "/start" else json_answer({"ok": True})
    ) as server, _session() as http:  # fmt: skip
        response = http.post(server.url + "/start", json={"a": 1}, headers={"Authorization": "Bearer t"})
        assert response.json() == {"ok": True}
        final = server.requests[-1]
        assert final.path == "/final" and final.json() == {"a": 1} and final.headers["authorization"] == "Bearer t"


def test_a_cross_origin_get_without_credentials_is_followed(other: LocalServer) -> None:
    with LocalServer(lambda request, _h: redirect(other.url + "/page")) as first, _session() as http:
        assert http.get(first.url + "/start").json() == {"ok": True, "id": "x"}
        assert [r.path for r in other.requests] == ["/page"]


def test_what_counts_as_a_credential_or_data() -> None:
    import requests

    def prepared(method: str = "GET", **kwargs: Any) -> requests.PreparedRequest:
        return requests.Request(method, "https://example.com/x", **kwargs).prepare()

    assert not carries_credentials_or_data(prepared(headers={"Accept": "application/json"}))
    for header in ("Api-Key", "Api-Username", "User-Api-Key", "X-Auth-Token", "webhook-signature", "Cookie"):
        assert carries_credentials_or_data(prepared(headers={header: "v"})), header
    assert carries_credentials_or_data(prepared(auth=("user", "pw")))
    assert carries_credentials_or_data(prepared("POST"))
    assert carries_credentials_or_data(prepared("DELETE"))


# ---------------------------------------------------------------------- device-code kinds (teams-graph)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[graph_fake.Served]:
    yield from graph_fake.serve(tmp_path)


def test_teams_graph_sends_no_token_or_message_to_another_origin(served: graph_fake.Served, other: LocalServer) -> None:
    from sync.connectors.teams_graph.connector import CONNECTOR, start_device_sign_in

    settings = {
        "tenant": graph_fake.TENANT, "client_id": graph_fake.CLIENT_ID, "team": graph_fake.TEAM,
        "channel": graph_fake.CHANNEL, "authority": served.authority, "graph_url": served.graph_url,
    }  # fmt: skip
    target = Target("teams", "teams-graph", settings)
    with InflowSession(user_agent="redirect-test", use_os_trust_store=False, timeout=(5.0, 5.0)) as http:
        http.verify, http.trust_env = str(served.ca_path), False
        secret = start_device_sign_in(target, http).wait(timeout=10)
        connector = CONNECTOR(target, secret, http, {})
        connector.min_interval = 0.0
        for method in ("GET", "POST", "GET", "GET"):
            served.fake.answer_next(method, "/v1.0/", (307, {"Location": other.url + "/v1.0/elsewhere"}, b""))
        for call, args in ((connector.test, ()), (connector.send, (MOMENT,)), (connector.fetch_feed, (None,))):
            with pytest.raises(SyncError):
                call(*args)
        assert not _leaks(other.requests), _leaks(other.requests)
