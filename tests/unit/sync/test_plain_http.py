"""No credential or data over plain http:// to another computer: the session refuses it (for every
connector), unless the caller allows that URL (a test lab's opt-out). Nothing here leaves loopback:
http:// is served by a recording adapter, so a request that got through is seen, not sent."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from sync.connector import Target
from sync.errors import ErrorKind
from sync.http import InflowSession, PlainHttpRefused, network_error
from sync.registry import connector_for, kinds, target_urls
from sync.urls import is_loopback, is_plain_http_to_another_computer


class Recording(BaseAdapter):
    """Answers 200 to everything and remembers what it was asked (instead of the network)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent.append(f"{request.method} {request.url}")
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url or "", request
        response.raw = _Raw()
        return response

    def close(self) -> None:
        pass


class _Raw:
    def read1(self, *_args: Any, **_kwargs: Any) -> bytes:
        return b""


def _session(allowed: Any = None) -> tuple[InflowSession, Recording]:
    http = InflowSession(user_agent="t", use_os_trust_store=False, plain_http_allowed=allowed)
    adapter = Recording()
    http.mount("http://", adapter)
    return http, adapter


@pytest.mark.parametrize(
    "call",
    [
        lambda http: http.post("http://example.com/hook", data=b"{}"),
        lambda http: http.get("http://example.com/api", headers={"Authorization": "Bearer t"}),
        lambda http: http.get("http://example.com/api", headers={"Api-Key": "k", "Api-Username": "u"}),
        lambda http: http.get("http://example.com/api", auth=("user", "password")),
        lambda http: http.delete("http://example.com/api/1"),
    ],
)
def test_credentials_or_data_never_go_over_plain_http_to_another_computer(call: Any) -> None:
    http, adapter = _session()
    with pytest.raises(PlainHttpRefused) as caught:
        call(http)
    assert adapter.sent == []
    error = network_error(caught.value, "http://example.com/api")
    assert error.kind is ErrorKind.AUTH  # the target pauses with this reason; its queue is kept
    assert "example.com" in error.message and "plain http://" in error.message and "https://" in error.message


def test_a_plain_page_and_loopback_are_fine() -> None:
    http, adapter = _session()
    http.get("http://example.com/article")  # an offline copy: no credential, no data
    http.post("http://127.0.0.1:8008/_matrix", data=b"{}", headers={"Authorization": "Bearer t"})
    http.post("http://localhost:8008/x", data=b"{}")
    http.post("http://[::1]:8008/x", data=b"{}")
    assert len(adapter.sent) == 4


def test_an_allowed_url_goes_through() -> None:
    asked: list[str] = []
    http, adapter = _session(lambda url: asked.append(url) or url.startswith("http://lab.test:8008/"))
    http.post("http://lab.test:8008/hook", data=b"{}")
    with pytest.raises(PlainHttpRefused):
        http.post("http://other.test/hook", data=b"{}")
    assert adapter.sent == ["POST http://lab.test:8008/hook"]
    assert asked == ["http://lab.test:8008/hook", "http://other.test/hook"]


def test_loopback_and_plain_http_facts() -> None:
    assert all(is_loopback(h) for h in ("localhost", "127.0.0.1", "127.5.6.7", "::1", "[::1]", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("example.com", "10.0.0.1", "128.0.0.1", "localhost.example.com"))
    assert is_plain_http_to_another_computer("http://example.com/x")
    assert is_plain_http_to_another_computer("HTTP://Example.com:8080")
    assert not is_plain_http_to_another_computer("https://example.com/x")
    assert not is_plain_http_to_another_computer("http://127.0.0.1:9/x")


@pytest.mark.parametrize("kind", kinds())
def test_every_url_a_kind_sends_to_is_declared(kind: str) -> None:
    """Every key that holds a URL is marked TargetKey.url (that is what the plain-http rule reads)."""
    factory = connector_for(kind)
    for key in factory.keys:
        says_url = key.name == "url" or key.name.endswith("_url") or "url" in key.label.lower().split()
        assert key.url == says_url, f"{kind}.{key.name}: url={key.url}"
    settings = {key.name: f"http://h{i}.test" for i, key in enumerate(factory.keys)}
    urls = target_urls(Target("t", kind, settings), "http://secret.test/hook")
    assert {name for name, _url in urls} == {k.name for k in factory.keys if k.url} | (
        {"secret"} if "url" in factory.secret_label.lower().split() else set()
    )
