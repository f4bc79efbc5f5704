"""The Matrix connector without a server: error classification, event size, our marker, reading events."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from sync.connector import OutgoingMoment
from sync.connectors.matrix.content import (
    MARKER,
    MAX_CONTENT_BYTES,
    TRUNCATED,
    content_size,
    feed_item_from_event,
    fitted_content,
    parse_marker,
    reply_from_event,
)
from sync.connectors.matrix.errors import classify_error
from sync.errors import ErrorKind

URL = "https://matrix.example.com/_matrix/client/v3/rooms/%21r%3Aexample.com/send/m.room.message/t1"
ROOM = "!r:example.com"


def response(
    status: int, body: Any = None, *, raw: bytes | None = None, headers: dict[str, str] | None = None
) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    resp.headers.update(headers or {"Content-Type": "application/json"})
    resp.url = URL
    return resp


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "m-1", "kind": "tip", "title": "Rebase often", "body": "Use **rebase**.",
        "url": "https://git-scm.com/docs/git-rebase", "tags": ("git",), "created_at": "2025-01-01T00:00:00.000Z",
        "idempotency_key": "k-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


# ---------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    "exc",
    [
        requests.ConnectionError("Connection refused"),
        requests.Timeout("read timed out"),
        requests.exceptions.SSLError("bad cert"),
    ],
)
def test_network_exceptions_are_transient_and_name_the_host(exc: requests.RequestException) -> None:
    error = classify_error(exc, room=ROOM, url=URL)
    assert error.kind is ErrorKind.TRANSIENT
    assert "matrix.example.com" in error.message


def test_429_takes_retry_after_ms_from_the_body() -> None:
    error = classify_error(response(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2500}), room=ROOM)
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 2.5


def test_429_falls_back_to_the_retry_after_header() -> None:
    resp = response(429, {"errcode": "M_LIMIT_EXCEEDED"}, headers={"Retry-After": "7"})
    assert classify_error(resp, room=ROOM).retry_after == 7.0


def test_429_without_any_hint_has_no_retry_after() -> None:
    error = classify_error(response(429, raw=b"slow down", headers={"Content-Type": "text/plain"}), room=ROOM)
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, None)


def test_limit_exceeded_errcode_with_another_status_is_transient() -> None:
    error = classify_error(response(400, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 100}), room=ROOM)
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 0.1)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient(status: int) -> None:
    assert classify_error(response(status, {"errcode": "M_UNKNOWN", "error": "db"}), room=ROOM).kind is (
        ErrorKind.TRANSIENT
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed.", "soft_logout": False}),
        (401, {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"}),
        (401, None),
        (403, {"errcode": "M_UNKNOWN_TOKEN", "error": "odd server"}),
    ],
)
def test_rejected_tokens_are_auth(status: int, body: Any) -> None:
    error = classify_error(response(status, body), room=ROOM)
    assert error.kind is ErrorKind.AUTH
    assert error.message == "The access token was rejected: sign in again"


def test_a_rejected_password_is_auth() -> None:
    error = classify_error(response(403, {"errcode": "M_FORBIDDEN", "error": "Invalid password"}), room=ROOM,
                           action="login")  # fmt: skip
    assert error.kind is ErrorKind.AUTH
    assert "Invalid password" in error.message


def test_forbidden_on_send_is_permanent_and_names_the_room() -> None:
    body = {"errcode": "M_FORBIDDEN", "error": "User @a:example.com not in room"}
    error = classify_error(response(403, body), room=ROOM)
    assert error.kind is ErrorKind.PERMANENT
    assert error.message == f"Not allowed to post in {ROOM}: User @a:example.com not in room"


def test_unknown_room_or_alias_is_permanent() -> None:
    body = {"errcode": "M_NOT_FOUND", "error": "Room alias #x:example.com not found"}
    error = classify_error(response(404, body), room="#x:example.com", action="read")
    assert error.kind is ErrorKind.PERMANENT
    assert error.message == "The room #x:example.com does not exist (any more)"


def test_unknown_event_names_the_message() -> None:
    error = classify_error(response(404, {"errcode": "M_NOT_FOUND", "error": "gone"}), room=ROOM, event_id="$e")
    assert (error.kind, "$e" in error.message) == (ErrorKind.PERMANENT, True)


def test_other_4xx_is_permanent_with_the_servers_text() -> None:
    body = {"errcode": "M_TOO_LARGE", "error": "event too large"}
    error = classify_error(response(413, body), room=ROOM)
    assert error.kind is ErrorKind.PERMANENT
    assert "event too large" in error.message


@pytest.mark.parametrize(
    ("status", "raw", "content_type", "phrase"),
    [
        (200, b"<html><body>Sign in to the proxy</body></html>", "text/html", "HTML page instead of JSON (a proxy?)"),
        (502, b"<html>Bad gateway</html>", "text/html", "server error"),
        (403, b"<!DOCTYPE html><html>blocked</html>", "text/html; charset=utf-8", "HTML page"),
        (200, b'{"event_id": "$abc', "application/json", "broken JSON"),
        (200, b'{"event_id": "\xff\xfe"}', "application/json", "not valid UTF-8"),
        (200, b"", "application/json", "empty body"),
        (200, b"[1, 2]", "application/json", "unexpected shape"),
        (200, b"[" * 100_000, "application/json", "broken JSON"),
        (200, b'{"something": "else"}', "application/json", "no event_id"),
    ],
)
def test_unusable_answers_are_transient_and_name_the_host(
    status: int, raw: bytes, content_type: str, phrase: str
) -> None:
    error = classify_error(response(status, raw=raw, headers={"Content-Type": content_type}), room=ROOM,
                           expected="event_id")  # fmt: skip
    assert error.kind is ErrorKind.TRANSIENT
    assert "matrix.example.com" in error.message
    assert phrase in error.message


# ---------------------------------------------------------------------- what we post


def test_content_carries_plain_text_html_and_our_marker() -> None:
    content = fitted_content(moment())
    assert content["msgtype"] == "m.text"
    assert content["format"] == "org.matrix.custom.html"
    assert content["body"].startswith("Tip: Rebase often")
    assert "<strong>rebase</strong>" in content["formatted_body"]
    assert content[MARKER] == {"id": "m-1", "kind": "tip", "title": "Rebase often",
                               "url": "https://git-scm.com/docs/git-rebase", "tags": ["git"]}  # fmt: skip


@pytest.mark.parametrize("unit", ["a", "é", "😀", "word "])
def test_a_huge_body_is_cut_to_fit_one_event_never_rejected(unit: str) -> None:
    big = moment(body=unit * 200_000)
    content = fitted_content(big)
    assert content_size(content) <= MAX_CONTENT_BYTES < 65_536
    assert f"{TRUNCATED}\n\nhttps://git-scm.com/docs/git-rebase\n\n#git" in content["body"]  # link, tags kept
    assert TRUNCATED in content["formatted_body"]
    assert content_size(content) > MAX_CONTENT_BYTES - 4_000  # not cut more than needed
    assert content[MARKER]["id"] == "m-1"


def test_an_edit_of_a_huge_body_fits_too() -> None:
    content = fitted_content(moment(body="x " * 100_000), replaces="$orig")
    assert content_size(content) <= MAX_CONTENT_BYTES
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$orig"}
    assert TRUNCATED in content["m.new_content"]["body"]
    assert content["body"].startswith("* ")


def test_a_huge_title_url_and_tags_still_fit() -> None:
    tags = tuple(f"t{i}" for i in range(5000))
    huge = moment(title="t" * 100_000, url="https://x.example/" + "p" * 100_000, tags=tags, body="b" * 100_000)
    content = fitted_content(huge)
    assert content_size(content) <= MAX_CONTENT_BYTES
    assert content["body"].endswith(TRUNCATED)
    assert content[MARKER]["id"] == "m-1"


def test_a_small_moment_is_not_touched() -> None:
    assert TRUNCATED not in fitted_content(moment())["body"]


# ---------------------------------------------------------------------- what we read back


def event(content: dict[str, Any], sender: str = "@bob:example.com", event_id: str = "$e1") -> dict[str, Any]:
    return {"type": "m.room.message", "event_id": event_id, "sender": sender, "origin_server_ts": 1_700_000_000_000,
            "content": content}  # fmt: skip


def test_marker_parsing_validates_and_defaults() -> None:
    assert parse_marker({}) is None
    assert parse_marker({MARKER: "nonsense"}) is None
    assert parse_marker({MARKER: {"id": 5}}) is None
    parsed = parse_marker({MARKER: {"id": "m-9", "kind": "evil", "title": 3, "url": "javascript:x", "tags": ["a", 1]}})
    assert parsed == {"id": "m-9", "kind": "tip", "title": "", "url": None, "tags": ("a",)}


def test_our_own_echo_has_local_id_and_the_body_without_heading_link_and_tags() -> None:
    content = fitted_content(moment())
    item = feed_item_from_event(event(content, sender="@me:example.com"), me="@me:example.com")
    assert item is not None
    assert item.local_id == "m-1"
    assert (item.kind, item.title, item.url, item.tags) == ("tip", "Rebase often", moment().url, ("git",))
    assert item.body == "Use **rebase**."


def test_another_inflow_users_moment_keeps_their_kind_title_url_and_tags() -> None:
    content = fitted_content(moment(kind="question", title="Why?", body="Really, why?", tags=()))
    item = feed_item_from_event(event(content), me="@me:example.com")
    assert item is not None
    assert (item.local_id, item.kind, item.title, item.body, item.author) == (
        None, "question", "Why?", "Really, why?", "@bob:example.com")  # fmt: skip


def test_a_plain_message_becomes_a_tip() -> None:
    text = "Pinning deps\nSee https://pip.pypa.io/en/stable/topics/repeatable-installs/. It helps.\nmore"
    item = feed_item_from_event(event({"msgtype": "m.text", "body": text}), me=None)
    assert item is not None
    assert (item.kind, item.title, item.author) == ("tip", "Pinning deps", "@bob:example.com")
    assert item.body.startswith("See https://")
    assert item.url == "https://pip.pypa.io/en/stable/topics/repeatable-installs/"
    assert item.created_at == "2023-11-14T22:13:20.000Z"


def test_a_long_first_line_is_cut_for_the_title_and_kept_in_the_body() -> None:
    text = "word " * 100
    item = feed_item_from_event(event({"msgtype": "m.text", "body": text}), me=None)
    assert item is not None
    assert len(item.title) <= 120 and item.title.endswith("…")
    assert item.body == text.strip()


@pytest.mark.parametrize(
    "content",
    [
        {"msgtype": "m.text", "body": "reply", "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}},
        {"msgtype": "m.text", "body": "* fix", "m.relates_to": {"rel_type": "m.replace", "event_id": "$root"}},
        {},  # redacted
        {"msgtype": "m.image", "body": "cat.png", "url": "mxc://x/y"},
        {"msgtype": "m.text", "body": 42},
    ],
)
def test_thread_replies_edits_redactions_and_media_are_not_feed_items(content: dict[str, Any]) -> None:
    assert feed_item_from_event(event(content), me=None) is None


@pytest.mark.parametrize("junk", [None, 3, "x", [], {"type": "m.room.member"}, {"type": "m.room.message"}])
def test_malformed_events_are_skipped(junk: Any) -> None:
    assert feed_item_from_event(junk, me=None) is None
    assert reply_from_event(junk) is None


def test_a_reply_loses_its_quoted_fallback() -> None:
    content = {"msgtype": "m.text", "body": "> <@a:x> question?\n> more\n\nthe answer",
               "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}  # fmt: skip
    reply = reply_from_event(event(content, event_id="$r"))
    assert reply is not None
    assert (reply.remote_id, reply.author, reply.body) == ("$r", "@bob:example.com", "the answer")
