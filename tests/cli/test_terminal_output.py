"""Stored and remote text reaches the terminal with its control characters shown, never obeyed."""

from __future__ import annotations

import json
import re

from tests.cli.conftest import Run

HOSTILE_TITLE = "Evil \x1b]0;pwned\x07\x1b[2J title"
HOSTILE_NOTE = "note \x9b31m red\tand a tab"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_titles_and_notes_with_control_characters_are_shown_escaped(inflow: Run) -> None:
    moment_id = inflow("capture", "--title", HOSTILE_TITLE, "--tag", "esc", HOSTILE_NOTE).stdout.strip()
    for command in (("show", moment_id), ("search", "evil"), ("show", moment_id, "--json")):
        result = inflow(*command)
        assert result.returncode == 0, result.stderr
        assert not RAW_CONTROL.search(result.stdout), (command, result.stdout)
    shown = inflow("show", moment_id).stdout
    assert "Evil \\x1b]0;pwned\\x07\\x1b[2J title" in shown and "\\x9b31m red\tand a tab" in shown
    assert "\\x1b]0;pwned" in inflow("search", "evil").stdout
    stored = json.loads(inflow("show", moment_id, "--json").stdout)
    assert (stored["title"], stored["body"]) == (HOSTILE_TITLE, HOSTILE_NOTE)  # the data itself is intact


def test_error_messages_on_stderr_are_escaped_too(inflow: Run) -> None:
    result = inflow("show", "\x1b[2Jdeadbeef")
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\\x1b[2Jdeadbeef" in result.stderr
