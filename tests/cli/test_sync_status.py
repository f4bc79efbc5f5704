"""`inflow sync status` shows retrying deliveries as retrying, with their last error and next attempt, and
a server's Retry-After holds for the next `inflow sync now` (a new process) too."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.cli.conftest import Run
from tests.unit.sync.local_server import LocalServer

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
ENV = {"INFLOW_SECRET_TEAM": SECRET, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}


@pytest.fixture
def limiting() -> Iterator[LocalServer]:
    """A webhook receiver that always asks to slow down for two minutes."""
    answer = (429, {"Content-Type": "text/plain", "Retry-After": "120"}, b"slow down")
    with LocalServer(lambda _request, _h: answer, methods=("POST",)) as server:
        yield server


def test_retrying_rows_show_their_reason_and_next_attempt_and_the_wait_holds(
    inflow: Run, limiting: LocalServer
) -> None:
    added = inflow("target", "add", "webhook", "--name", "team", "--set", f"url={limiting.url}/hook", env=ENV)
    assert added.returncode == 0, added.stderr
    for title in ("first", "second"):
        assert inflow("capture", "--kind", "tip", "--title", title, "--share", "team", "x", env=ENV).returncode == 0
    started = time.time()
    synced = inflow("sync", "now", env=ENV)
    assert synced.returncode == 0, synced.stderr
    assert "1 retrying" in synced.stdout
    assert len(limiting.requests) == 1  # the target waits: the second moment was not posted after the 429

    status = json.loads(inflow("sync", "status", "--json", env=ENV).stdout)["team"]
    assert status["states"] == {"pending": 1, "retrying": 1}
    (retrying,) = status["retrying"]
    assert retrying["attempts"] == 1
    assert "429" in retrying["last_error"] and "slow down" in retrying["last_error"]
    next_at = datetime.fromisoformat(retrying["next_attempt_at"].replace("Z", "+00:00")).timestamp()
    assert next_at >= started + 119

    human = inflow("sync", "status", env=ENV).stdout.splitlines()
    assert human[0] == "team: 1 pending, 1 retrying"
    when = datetime.fromtimestamp(next_at).strftime("%H:%M:%S")
    assert human[1].startswith(f"  post: retrying (attempt 1, next try at {when}): ")
    assert "429" in human[1]

    again = inflow("sync", "now", env=ENV)  # a new process: it knows the wait from the database
    assert again.returncode == 0, again.stderr
    assert len(limiting.requests) == 1
