"""A server's error text reaches the library clean: decoded, without control characters, one line, cut.

Walks every registered connector (sync.registry.kinds()) against a loopback server whose every answer is
hostile: escape sequences in every usual error field, or binary garbage (kinds that speak HTTP).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from sync.errors import MESSAGE_LIMIT, ErrorKind, SyncError, clean_message, decode_body, transient
from sync.http import InflowSession
from sync.registry import connector_for, kinds
from tests.unit.sync.local_server import Answer, LocalServer, Request, json_answer
from tests.unit.sync.test_conformance import MOMENT, _make

HTTP_KINDS = [kind for kind in kinds() if getattr(connector_for(kind), "speaks_http", True)]
"""Mail kinds speak SMTP and IMAP, whose replies are classified by their codes (tests/unit/sync/test_email.py)."""
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
HOSTILE = f"bad {ESCAPES} news\r\nsecond line " + "long " * 200
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(512)


def _hostile_json(status: int, *, nested: bool = False) -> Answer:
    fields = ("error", "message", "detail", "error_description", "description", "title", "msg", "info")
    value: dict[str, Any] = {name: HOSTILE for name in fields}
    value |= {"errors": [HOSTILE], "errcode": "M_UNKNOWN", "error_type": HOSTILE, "code": HOSTILE, "ok": False}
    value["error"] = {"code": HOSTILE, "message": HOSTILE, "info": HOSTILE} if nested else HOSTILE
    return json_answer(value, status)


ANSWERS = {
    "json 500": lambda: _hostile_json(500),
    "json 400": lambda: _hostile_json(400),
    "json 400, nested error": lambda: _hostile_json(400, nested=True),
    "text 422": lambda: (422, {"Content-Type": "text/plain; charset=utf-8"}, HOSTILE.encode()),
    "binary 500": lambda: (500, {"Content-Type": "application/octet-stream"}, BINARY),
    "binary 400": lambda: (400, {"Content-Type": "text/plain"}, BINARY),
}


@pytest.fixture
def session() -> Iterator[InflowSession]:
    with InflowSession(user_agent="error-text", use_os_trust_store=False, timeout=(2.0, 2.0)) as http:
        http.trust_env = False
        yield http


def _errors(kind: str, answer: Any, http: InflowSession) -> list[SyncError]:
    def handler(_request: Request, _raw: Any) -> Answer:
        return answer()  # type: ignore[no-any-return]

    found: list[SyncError] = []
    with LocalServer(handler) as server:
        for call in ("send", "test"):
            connector = _make(kind, server.url, http)
            try:
                getattr(connector, call)(MOMENT) if call == "send" else connector.test()
            except SyncError as error:
                found.append(error)
    return found


@pytest.mark.parametrize("answer", list(ANSWERS))
@pytest.mark.parametrize("kind", HTTP_KINDS)
def test_every_connector_keeps_server_error_text_clean(kind: str, answer: str, session: InflowSession) -> None:
    errors = _errors(kind, ANSWERS[answer], session)
    assert errors, "a hostile answer was taken for success"
    for error in errors:
        assert not RAW_CONTROL.search(error.message), repr(error)
        assert len(error.message) <= MESSAGE_LIMIT, repr(error)
        assert "\ufffd" not in error.message, repr(error)  # no mojibake from binary bodies


def test_clean_message_drops_controls_collapses_and_cuts() -> None:
    assert clean_message("a\x1b[2Jb\x07\n\t c\x9b") == "a[2Jb c"
    cut = clean_message("word " * 500)
    assert len(cut) == MESSAGE_LIMIT and cut.endswith("…")
    assert transient("x\x1b]0;t\x07y").message == "x]0;ty"
    assert str(SyncError(ErrorKind.AUTH, "\x1b[31mred")) == "[31mred"


def test_decode_body_describes_binary_and_keeps_text() -> None:
    assert decode_body(BINARY) == f"a binary answer ({len(BINARY):,} bytes)"
    assert decode_body(b"  plain \xff words \n") == "plain \ufffd words"
    assert decode_body(b" \n") == ""
