"""Stored and remote text reaches the terminal with its control characters shown, never obeyed."""

from __future__ import annotations

import json
import re

from tests.cli.conftest import Run
from tests.unit.sync.local_server import LocalServer

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


def test_a_servers_hostile_error_text_is_stored_clean_and_printed_escaped(inflow: Run) -> None:
    hostile = b"bad \x1b]0;pwned\x07\x1b[2J news \xc2\x9b31m" + b"\n" * 3 + b"more " * 200
    env = {"INFLOW_SECRET_HOOK": "whsec_" + "A" * 32, "KEYRING_DISABLE": "1"}
    with LocalServer(lambda _request, _raw: (500, {"Content-Type": "text/plain"}, hostile)) as server:
        added = inflow("target", "add", "webhook", "--name", "hook", "--set", f"url={server.url}/hook", env=env)
        assert added.returncode == 0, added.stderr
        tested = inflow("target", "test", "hook", env=env)
        assert tested.returncode == 1
        assert not RAW_CONTROL.search(tested.stdout + tested.stderr) and "bad" in tested.stderr
        moment_id = inflow("capture", "--share", "hook", "a tip", env=env).stdout.strip()
        assert inflow("sync", "now", env=env).returncode == 0
    shown = inflow("show", moment_id, env=env)
    assert not RAW_CONTROL.search(shown.stdout) and "retrying (attempt 1" in shown.stdout
    (delivery,) = json.loads(inflow("show", moment_id, "--json").stdout)["deliveries"]
    error = delivery["last_error"]
    assert error.startswith("The webhook at 127.0.0.1") and "bad ]0;pwned[2J news 31m more" in error
    assert not RAW_CONTROL.search(error) and len(error) <= 400
