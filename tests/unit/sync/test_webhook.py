"""The signed webhook connector against a real loopback HTTP receiver (stdlib http.server in a thread)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.webhook import CONNECTOR, WebhookConnector
from sync.connectors.webhook.auth import sign, signing_key, verify_signature
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.formatting import as_html, as_plain_text
from sync.http import InflowSession, new_session
from tests.unit.sync import local_server
from tests.unit.sync.local_server import Handler, LocalServer, cut_off, stalled
from tests.unit.sync.local_server import Request as Seen

KEY = b"0123456789abcdef0123456789abcdef"
SECRET = "whsec_" + base64.b64encode(KEY).decode()

# ---------------------------------------------------------------------- a loopback receiver


#: What the receiver answers: (status, headers, body), or None when the handler wrote the answer itself.
Answer = local_server.Answer | None


@dataclass
class Receiver:
    url: str
    handler: Handler
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.handler = lambda _seen, _h: (status, headers or {}, body)


def _accept(_seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:
    return 204, {}, b""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", handler=_accept)
    serve: Handler = lambda seen, h: state.handler(seen, h)  # noqa: E731, PLW0108 (tests replace state.handler)
    with LocalServer(serve, methods=("GET", "POST"), log=state.seen, release=state.release) as server:
        state.url = f"{server.url}/hooks/inflow"
        yield state


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 1))
    yield session
    session.close()


def connector(url: str, http: InflowSession, secret: str | None = SECRET) -> WebhookConnector:
    return WebhookConnector(Target("hook", "webhook", {"url": url}), secret, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "m-1", "kind": "tip", "title": "Rebase often", "body": "Use **rebase** — it's *tidy*.",
        "url": "https://git-scm.com/docs/git-rebase", "tags": ("git", "workflow"),
        "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": "0b7c9a2e-key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- delivery and signature


def test_send_delivers_a_signed_payload_the_receiver_verifies(receiver: Receiver, http: InflowSession) -> None:
    verdicts: list[bool] = []

    def verify(seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:
        h = seen.headers
        ok = verify_signature(SECRET, h["webhook-id"], h["webhook-timestamp"], seen.body, h["webhook-signature"])
        verdicts.append(ok)
        return (200, {}, b"ok") if ok else (401, {}, b"bad signature")

    receiver.handler = verify
    before = int(time.time())
    result = connector(receiver.url, http).send(moment())

    assert verdicts == [True]
    assert result.remote_id == "0b7c9a2e-key-1"
    assert result.link is None
    seen = receiver.seen[0]
    assert seen.method == "POST"
    assert seen.path == "/hooks/inflow"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["webhook-id"] == "0b7c9a2e-key-1"
    assert before <= int(seen.headers["webhook-timestamp"]) <= int(time.time())
    assert seen.headers["webhook-signature"].startswith("v1,")
    payload = json.loads(seen.body)
    assert payload["type"] == "learning_moment.created"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {
        "id": "m-1",
        "kind": "tip",
        "title": "Rebase often",
        "body": "Use **rebase** — it's *tidy*.",
        "url": "https://git-scm.com/docs/git-rebase",
        "tags": ["git", "workflow"],
        "created_at": "2025-01-01T09:30:00.000Z",
        "text": as_plain_text(moment()),
        "html": as_html(moment()),
    }


def test_a_tampered_or_stale_delivery_fails_verification(receiver: Receiver, http: InflowSession) -> None:
    connector(receiver.url, http).send(moment())
    seen = receiver.seen[0]
    msg_id, stamp, header = (
        seen.headers["webhook-id"],
        seen.headers["webhook-timestamp"],
        seen.headers["webhook-signature"],
    )
    assert verify_signature(SECRET, msg_id, stamp, seen.body, header)

    tampered = seen.body.replace(b"Rebase often", b"Rebase never")
    assert not verify_signature(SECRET, msg_id, stamp, tampered, header)
    assert not verify_signature(SECRET, "another-id", stamp, seen.body, header)
    assert not verify_signature(SECRET, msg_id, str(int(stamp) + 1), seen.body, header, now=int(stamp))
    other_secret = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert not verify_signature(other_secret, msg_id, stamp, seen.body, header)
    # Replay protection: more than 5 minutes off either way is refused, within is fine.
    assert not verify_signature(SECRET, msg_id, stamp, seen.body, header, now=int(stamp) + 301)
    assert not verify_signature(SECRET, msg_id, stamp, seen.body, header, now=int(stamp) - 301)
    assert verify_signature(SECRET, msg_id, stamp, seen.body, header, now=int(stamp) + 299)
    assert not verify_signature(SECRET, msg_id, "soon", seen.body, header)
    assert not verify_signature(SECRET, msg_id, stamp, seen.body, "")
    assert not verify_signature(SECRET, msg_id, stamp, seen.body, "v1,not-base64!")


def test_verify_accepts_a_list_of_signatures_for_secret_rotation() -> None:
    body = b'{"type":"learning_moment.created"}'
    now = int(time.time())
    old = sign(b"old-key-bytes", "msg_1", now, body)
    new = sign(KEY, "msg_1", now, body)
    assert verify_signature(SECRET, "msg_1", now, body, f"v1a,whatever {old} {new}")
    assert verify_signature(SECRET, "msg_1", str(now), body.decode(), f"{new} {old}")
    assert not verify_signature(SECRET, "msg_1", now, body, f"{old} v2,{new[3:]}")


def test_signature_matches_the_standard_webhooks_reference_vector() -> None:
    # The example from the Standard Webhooks specification (and its reference libraries).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    stamp = 1614265330
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert sign(signing_key(secret), msg_id, stamp, body) == expected
    assert verify_signature(secret, msg_id, stamp, body, expected, now=stamp)


def test_a_raw_secret_signs_with_its_utf8_bytes(receiver: Receiver, http: InflowSession) -> None:
    raw = "my shared sécret"
    assert signing_key(raw) == raw.encode("utf-8")
    connector(receiver.url, http, secret=raw).send(moment())
    h = receiver.seen[0].headers
    assert verify_signature(raw, h["webhook-id"], h["webhook-timestamp"], receiver.seen[0].body, h["webhook-signature"])


def test_the_same_idempotency_key_keeps_its_webhook_id_across_retries(receiver: Receiver, http: InflowSession) -> None:
    answers: Iterator[Answer] = iter([(503, {}, b"busy"), (204, {}, b"")])
    receiver.handler = lambda _seen, _h: next(answers)
    first_try = connector(receiver.url, http)
    assert failure(lambda: first_try.send(moment())).kind is ErrorKind.TRANSIENT
    # After a crash: a fresh connector, the same outbox row.
    result = connector(receiver.url, http).send(moment())

    ids = [seen.headers["webhook-id"] for seen in receiver.seen]
    assert ids == ["0b7c9a2e-key-1", "0b7c9a2e-key-1"]
    assert result.remote_id == "0b7c9a2e-key-1"
    for seen in receiver.seen:
        h = seen.headers
        assert verify_signature(SECRET, h["webhook-id"], h["webhook-timestamp"], seen.body, h["webhook-signature"])


def test_test_sends_a_signed_ping(receiver: Receiver, http: InflowSession) -> None:
    receiver.answer(202)
    message = connector(receiver.url, http).test()

    assert message == "Webhook at 127.0.0.1 accepted the signed test (HTTP 202)"
    seen = receiver.seen[0]
    assert json.loads(seen.body)["type"] == "inflow.test"
    h = seen.headers
    assert verify_signature(SECRET, h["webhook-id"], h["webhook-timestamp"], seen.body, h["webhook-signature"])


def test_test_reports_a_refusal(receiver: Receiver, http: InflowSession) -> None:
    receiver.answer(401, b'{"message": "invalid signature"}', {"Content-Type": "application/json"})
    error = failure(connector(receiver.url, http).test)
    assert error.kind is ErrorKind.AUTH
    assert "invalid signature" in error.message


# ---------------------------------------------------------------------- failures, classified


def test_410_gone_asks_to_stop_the_target(receiver: Receiver, http: InflowSession) -> None:
    receiver.answer(410, b"gone")
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.GONE  # the engine pauses the target (tests/unit/sync/test_engine_gone.py)
    assert error.message.startswith("The receiver disabled this webhook (410 Gone)")


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_auth(receiver: Receiver, http: InflowSession, status: int) -> None:
    receiver.answer(status, b"signature mismatch")
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert "127.0.0.1" in error.message
    assert "signature mismatch" in error.message


def test_429_honours_retry_after(receiver: Receiver, http: InflowSession) -> None:
    receiver.answer(429, b"slow down", {"Retry-After": "7"})
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 7


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_are_transient(receiver: Receiver, http: InflowSession, status: int) -> None:
    receiver.answer(status, b"", {"Retry-After": "3"} if status == 503 else {})
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == (3 if status == 503 else None)
    assert f"({status})" in error.message


@pytest.mark.parametrize("status", [400, 404, 413, 422])
def test_other_4xx_are_permanent_with_the_receivers_words(receiver: Receiver, http: InflowSession, status: int) -> None:
    receiver.answer(status, b'{"error": "payload not accepted"}', {"Content-Type": "application/json"})
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "payload not accepted" in error.message


def test_an_html_error_page_gives_a_readable_message(receiver: Receiver, http: InflowSession) -> None:
    page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 5000 + b"</body></html>"
    receiver.answer(502, page, {"Content-Type": "text/html"})
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "an HTML page (502 Bad Gateway)" in error.message
    assert len(error.message) < 400


def test_invalid_utf8_in_an_error_body_is_no_crash(receiver: Receiver, http: InflowSession) -> None:
    receiver.answer(400, b"\xff\xfe bad \xc3\x28 bytes", {"Content-Type": "application/json; charset=utf-8"})
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "bad" in error.message


def test_a_2xx_with_any_body_is_delivered(receiver: Receiver, http: InflowSession) -> None:
    receiver.answer(200, b"<html>thanks</html>", {"Content-Type": "text/html"})
    assert connector(receiver.url, http).send(moment()).remote_id == "0b7c9a2e-key-1"


def test_a_timeout_is_transient(receiver: Receiver, http: InflowSession) -> None:
    receiver.handler = stalled(receiver.release, (204, {}, b""))  # longer than the session's 1 s read timeout
    started = time.monotonic()
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.message == "127.0.0.1 did not answer in time"
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_loop_is_transient_with_a_clear_message(
    receiver: Receiver, http: InflowSession, status: int
) -> None:
    receiver.answer(status, b"", {"Location": "/hooks/inflow"})
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.message == "127.0.0.1 redirects in a loop"


def test_a_redirect_that_turns_the_post_into_a_get_is_not_success(receiver: Receiver, http: InflowSession) -> None:
    def moved(seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:
        if seen.path == "/hooks/inflow":
            return 301, {"Location": "/new-home"}, b""
        return 200, {}, b"a page"

    receiver.handler = moved
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "/new-home" in error.message
    assert [seen.method for seen in receiver.seen] == ["POST", "GET"]


def test_a_body_cut_off_mid_answer_is_transient(receiver: Receiver, http: InflowSession) -> None:
    receiver.handler = lambda _seen, h: cut_off(h, b'{"ok": tr', declared=1000)
    error = failure(lambda: connector(receiver.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "127.0.0.1" in error.message


def test_connection_refused_is_transient(http: InflowSession) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens here once the socket is closed
    error = failure(lambda: connector(f"http://127.0.0.1:{port}/hook", http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "refused the connection" in error.message


# ---------------------------------------------------------------------- configuration and capabilities


@pytest.mark.parametrize("secret", [None, "", "whsec_%%%not-base64%%%", "whsec_"])
def test_a_missing_or_broken_secret_is_auth_and_sends_nothing(
    receiver: Receiver, http: InflowSession, secret: str | None
) -> None:
    error = failure(lambda: connector(receiver.url, http, secret=secret).send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert receiver.seen == []


@pytest.mark.parametrize("url", ["", "ftp://example.com/x", "not a url"])
def test_a_bad_url_is_permanent(http: InflowSession, url: str) -> None:
    error = failure(lambda: connector(url, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT


def test_push_only(http: InflowSession) -> None:
    hook = connector("https://hooks.example.com/x", http)
    assert CONNECTOR is WebhookConnector
    assert (hook.kind, [key.name for key in hook.keys]) == ("webhook", ["url"])
    assert hook.secret_label == "Signing secret (whsec_…)"
    assert not (hook.can_edit or hook.can_retract or hook.can_pull)
    calls: list[Callable[[], object]] = [
        lambda: hook.edit(moment(), "k"),
        lambda: hook.retract("k"),
        lambda: hook.fetch_replies("k"),
        lambda: hook.fetch_feed(None),
    ]
    for call in calls:
        with pytest.raises(NotSupportedError, match=r"\w"):
            call()
