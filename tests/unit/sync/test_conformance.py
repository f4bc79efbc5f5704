"""Checks every installed connector passes, parametrized over sync.registry.kinds() (a new connector gets
them for free): its declarations, that constructing it contacts nobody, and that an unreachable server
and every unsupported operation fail the documented way (sync/connector.py, sync/errors.py).

Generic by design: no connector is special-cased by name. Settings are filled from the keys' names:
a URL key (named `url`, ending in `_url`, or whose label says URL) gets the unreachable server (a `*_host` key
its host and a `*_port` key its port: mail servers are named so), with the
path of the example URL in its help text (e.g. `/wiki/api/v2`, `/w/api.php`); so does the secret when
its label says it is a URL (webhook-style targets, which may then have no keys at all); other keys get
plausible values. A malformed remote id may be refused before any request (any classified SyncError).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from sync.connector import ConnectorFactory, FeedPage, OutgoingMoment, Target, TargetKey
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import InflowSession
from sync.registry import connector_for, kinds

KINDS = kinds()
MOMENT = OutgoingMoment(
    moment_id="0f8b6c1e-1111-2222-3333-444444444444", kind="question", title="Why rebase?",
    body="Is **rebase** better than merge?", url="https://example.org/rebase", tags=("git",),
    created_at="2026-01-01T09:00:00Z", idempotency_key="conformance-key-1",
)  # fmt: skip
#: Plausible values for well-known key names (a connector may check a value's shape before any request).
EXAMPLES = {
    "room": "!room:localhost", "channel": "C0123456789", "channel_id": "4xp9fdt7pbgium38k8k6yyzmzh",
    "team": "00000000-0000-0000-0000-000000000001", "tenant": "contoso.onmicrosoft.com",
    "client_id": "00000000-0000-0000-0000-000000000002", "space": "TEAM", "page": "Team learning",
    "category": "learning", "username": "inflow", "user": "inflow",
}  # fmt: skip


def is_url_key(key: TargetKey) -> bool:
    return key.name == "url" or key.name.endswith("_url") or "url" in key.label.lower().split()


def is_host_key(key: TargetKey) -> bool:
    """A server named by host and port (mail: `smtp_host`, `smtp_port`), not by a URL."""
    return key.name.endswith("_host")


def secret_is_url(factory: ConnectorFactory) -> bool:
    return "url" in factory.secret_label.lower().split()


def _example_path(text: str) -> str:
    """The path of the first http(s) URL in a help text or label ('' when there is none)."""
    found = re.search(r"https?://[^/\s]+(/[A-Za-z0-9._~%/-]*)", text)
    return found.group(1).rstrip("/") if found else ""


@pytest.fixture(scope="module")
def unreachable() -> str:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"https://127.0.0.1:{port}"


def _settings(factory: ConnectorFactory, url: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    parts = urlsplit(url)
    for key in factory.keys:
        if is_host_key(key):
            settings[key.name] = parts.hostname or ""
        elif key.name.endswith("_port"):
            settings[key.name] = str(parts.port or "")
        elif is_url_key(key):
            settings[key.name] = url + _example_path(key.help)
        elif key.required:
            settings[key.name] = EXAMPLES.get(key.name, f"example-{key.name}")
    return settings


class NoNetwork(InflowSession):
    """A session that records and refuses every request."""

    def __init__(self) -> None:
        super().__init__(user_agent="conformance", use_os_trust_store=False)
        self.attempts: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.attempts.append(f"{request.method} {request.url}")
        raise AssertionError(f"a network request while constructing: {request.method} {request.url}")


@pytest.fixture
def session() -> Iterator[InflowSession]:
    with InflowSession(user_agent="conformance", use_os_trust_store=False, timeout=(2.0, 2.0)) as http:
        http.trust_env = False  # no proxy from the environment between us and the loopback port
        yield http


def _make(kind: str, url: str, http: requests.Session) -> Any:
    factory = connector_for(kind)
    secret = url + (_example_path(factory.secret_label) or "/hook") if secret_is_url(factory) else "conformance-secret"
    return factory(Target("conformance", kind, _settings(factory, url)), secret, http, {})


def _outcome(call: Any, *args: Any) -> tuple[Any, SyncError | None]:
    try:
        return call(*args), None
    except SyncError as error:
        return None, error


def _classified(call: Any, *args: Any) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call(*args)
    error = caught.value
    assert isinstance(error.kind, ErrorKind)
    assert isinstance(error.message, str) and error.message.strip(), repr(error)
    return error


def test_the_registry_offers_the_connectors_that_exist_today() -> None:
    assert {"matrix", "xapi", "webhook"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_declarations(kind: str) -> None:
    factory = connector_for(kind)
    assert factory.kind == kind
    names = [key.name for key in factory.keys]
    assert names or secret_is_url(factory), "no settings at all: only a target whose secret is its URL"
    assert len(names) == len(set(names))
    assert all(isinstance(key, TargetKey) and key.name.strip() and key.label.strip() for key in factory.keys)
    assert any(is_url_key(key) or is_host_key(key) for key in factory.keys) or secret_is_url(factory), (
        "a target must be pointable at a local server: a `url` (or `*_url`, `*_host`) key, or a secret that is the URL"
    )
    assert isinstance(factory.secret_label, str) and factory.secret_label.strip()
    for capability in (factory.can_edit, factory.can_retract, factory.can_pull):
        assert type(capability) is bool


@pytest.mark.parametrize("kind", KINDS)
def test_constructing_makes_no_request(kind: str, unreachable: str) -> None:
    with NoNetwork() as http:
        _make(kind, unreachable, http)
        assert http.attempts == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreachable_server_is_transient_and_names_the_host(kind: str, unreachable: str, session: Any) -> None:
    error = _classified(_make(kind, unreachable, session).send, MOMENT)
    assert error.kind is ErrorKind.TRANSIENT, repr(error)
    assert "127.0.0.1" in error.message, repr(error)
    test_error = _classified(_make(kind, unreachable, session).test)
    assert test_error.kind is ErrorKind.TRANSIENT, repr(test_error)


@pytest.mark.parametrize("kind", KINDS)
def test_pulling_works_or_is_not_supported(kind: str, unreachable: str, session: Any) -> None:
    connector = _make(kind, unreachable, session)
    if not connector_for(kind).can_pull:
        with pytest.raises(NotSupportedError):
            connector.fetch_replies("remote-1")
        with pytest.raises(NotSupportedError):
            connector.fetch_feed(None)
        return
    replies, error = _outcome(connector.fetch_replies, "remote-1")
    if error is None:  # pragma: no cover - nothing answers on the port; kept for connectors that read nothing
        assert isinstance(replies, list)
    else:  # unreachable, or a remote id this backend cannot have made
        assert isinstance(error.message, str) and error.message.strip(), repr(error)
    page, error = _outcome(connector.fetch_feed, None)
    if error is None:  # pragma: no cover
        assert isinstance(page, FeedPage)
    else:
        assert error.kind is ErrorKind.TRANSIENT, repr(error)
        assert isinstance(error.message, str) and error.message.strip(), repr(error)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", ["edit", "retract"])
def test_edit_and_retract_are_supported_or_say_not(kind: str, operation: str, unreachable: str, session: Any) -> None:
    factory = connector_for(kind)
    connector = _make(kind, unreachable, session)
    call, args = (connector.edit, (MOMENT, "remote-1")) if operation == "edit" else (connector.retract, ("remote-1",))
    if not (factory.can_edit if operation == "edit" else factory.can_retract):
        with pytest.raises(NotSupportedError) as caught:
            call(*args)
        assert str(caught.value).strip()
        return
    _classified(call, *args)  # unreachable (transient), or a remote id this backend cannot have made
