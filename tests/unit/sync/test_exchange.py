"""The one HTTP helper every connector sends through (sync.http.exchange / call / decode_json) and the
shared base of push-only targets (sync.push), against a loopback server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import ClassVar

import pytest
import requests

from sync.connector import Target
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import call, decode_json, exchange, new_session
from sync.push import PushOnly, SecretUrlTarget
from sync.registry import connector_for, kinds
from tests.unit.sync.local_server import LocalServer, json_answer


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with new_session("inflow-test", timeout=(1, 1)) as http:
        yield http


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/x"


def test_exchange_returns_any_answer_and_classifies_transport_failures(session: requests.Session) -> None:
    with LocalServer(lambda _r, _h: json_answer({"error": "no"}, status=500)) as server:
        response = exchange(session, "POST", server.url + "/hook", json={"a": 1})
        assert response.status_code == 500  # the status is the connector's to classify
        assert server.requests[0].json() == {"a": 1}
    with pytest.raises(SyncError) as caught:
        exchange(session, "GET", _refused_url())
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert "refused the connection" in caught.value.message


def test_exchange_words_transport_failures_through_the_hook(session: requests.Session) -> None:
    def mine(exc: requests.RequestException, url: str) -> SyncError:
        return SyncError(ErrorKind.AUTH, f"{type(exc).__name__} at {url}")

    url = _refused_url()
    with pytest.raises(SyncError) as caught:
        exchange(session, "GET", url, network=mine)
    assert caught.value.kind is ErrorKind.AUTH
    assert caught.value.message == f"ConnectionError at {url}"


def test_call_hands_the_answer_to_the_hook(session: requests.Session) -> None:
    with LocalServer(lambda _r, _h: json_answer({"ok": True})) as server:
        assert call(session, "GET", server.url, lambda response: decode_json(response)[0]) == {"ok": True}


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"", "application/json", "answered with an empty body instead of JSON"),
        (b"<html>hi</html>", "text/html", "answered with an HTML page instead of JSON (a proxy?)"),
        (b"\xff\xfe{", "application/json", "answered with text that is not valid UTF-8 instead of JSON"),
        (b'{"cut', "application/json", "answered with broken JSON (cut off on the way?)"),
        (b"[1]", "application/json", "answered with JSON of an unexpected shape (a list, not an object)"),
    ],
)
def test_decode_json_says_what_is_wrong(
    session: requests.Session, body: bytes, content_type: str, problem: str
) -> None:
    with LocalServer(lambda _r, _h: (200, {"Content-Type": content_type}, body)) as server:
        response = exchange(session, "GET", server.url)
    assert decode_json(response) == (None, problem)
    assert decode_json(response, html_page=lambda raw: "PAGE")[1] == ("PAGE" if b"<" in body else problem)


class _Ping(SecretUrlTarget):
    kind: ClassVar[str] = "ping"
    label: ClassVar[str] = "Ping"
    secret_label: ClassVar[str] = "Ping URL"
    cannot_edit = "no edit"
    cannot_retract = "no retract"
    cannot_reply = "no replies"
    cannot_read = "no feed"
    no_url = "no URL saved"
    bad_url = "not an https:// URL"
    may_have_arrived = "it may have arrived"


def test_a_secret_url_target_checks_its_url_before_any_request(session: requests.Session) -> None:
    for secret, message in ((None, "no URL saved"), ("  ", "no URL saved"), ("ftp://x/y", "not an https:// URL")):
        with pytest.raises(SyncError) as caught:
            _Ping(Target("p", "ping"), secret, session, {})._post_to_url(json={})
        assert (caught.value.kind, caught.value.message) == (ErrorKind.AUTH, message)
    with LocalServer(lambda _r, _h: (202, {}, b"")) as server:
        response = _Ping(Target("p", "ping"), f" {server.url}/flow ", session, {})._post_to_url(data=b"{}")
        assert response.status_code == 202
        assert server.requests[0].path == "/flow"


def test_push_only_texts_are_the_backends_own() -> None:
    ping = _Ping(Target("p", "ping"), "https://example.org", requests.Session(), {})
    refusals = [
        (lambda: ping.retract("r"), "no retract"),
        (lambda: ping.fetch_replies("r"), "no replies"),
        (lambda: ping.fetch_feed(None), "no feed"),
    ]
    for refused, text in refusals:
        with pytest.raises(NotSupportedError, match=f"^{text}$"):
            refused()
    names = ("cannot_edit", "cannot_retract", "cannot_reply", "cannot_read")
    for kind in kinds():
        factory = connector_for(kind)
        if not issubclass(factory, PushOnly):  # type: ignore[arg-type]
            continue
        texts = [getattr(factory, name, "") for name in names]  # every push-only kind words each refusal itself
        assert all(texts), kind
        assert len(set(texts)) == len(names), kind
