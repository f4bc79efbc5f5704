from __future__ import annotations

import io
import json

from app.terminal import EscapingStream, escape_controls, json_text

HOSTILE = "a\x1b]0;pwned\x07\x1b[2Jb\x9b31m\x7f\r\x00"


def test_control_characters_are_shown_not_sent() -> None:
    assert escape_controls(HOSTILE) == "a\\x1b]0;pwned\\x07\\x1b[2Jb\\x9b31m\\x7f\\x0d\\x00"


def test_newline_tab_and_ordinary_text_are_kept() -> None:
    text = "line one\n\tindented — ünïcode ✓ 日本"
    assert escape_controls(text) == text


def test_json_stays_valid_and_carries_the_exact_text() -> None:
    text = json_text({"title": HOSTILE})
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert json.loads(text) == {"title": HOSTILE}


def test_the_stream_escapes_every_write_and_keeps_the_raw_one_reachable() -> None:
    raw = io.StringIO()
    stream = EscapingStream(raw)
    print("title:", HOSTILE, file=stream)
    assert "\x1b" not in raw.getvalue() and raw.getvalue().startswith("title: a\\x1b]0;pwned")
    stream.unescaped.write("\r[###]")
    assert raw.getvalue().endswith("\r[###]")
