from __future__ import annotations

import io
import json
import sys

import pytest

from app.terminal import EscapingStream, escape_controls, escape_standard_streams, json_text

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


def test_missing_standard_streams_stay_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The windowed Windows program (inflow-gui.exe) has no console: sys.stdout and sys.stderr are None,
    and a print must be dropped as Python drops it, not fail inside the wrapper."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    escape_standard_streams()
    assert sys.stdout is None and sys.stderr is None
    print("inflow: warning: nowhere to show this")
    print("inflow: nor this", file=sys.stderr)


def test_present_standard_streams_are_wrapped_once(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    escape_standard_streams()
    escape_standard_streams()
    assert isinstance(sys.stdout, EscapingStream) and sys.stdout.unescaped is out
    assert isinstance(sys.stderr, EscapingStream) and sys.stderr.unescaped is err
    print("a\x1bb")
    assert out.getvalue() == "a\\x1bb\n"
