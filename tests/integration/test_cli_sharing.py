"""Sharing from the command line against a real Synapse: targets, capture --share, sync status/now,
show with delivery state, the secret check, and `sync now` through the running app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import start_app, stop_app
from tests.integration.servers.synapse import Account, Synapse

pytestmark = [pytest.mark.integration, pytest.mark.x11]
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cli:
    basedir: Path

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "--basedir", str(self.basedir), *args],
            input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
            env={k: v for k, v in os.environ.items() if not k.startswith("INFLOW_SECRET_")},
        )  # fmt: skip


@dataclass
class Setup:
    cli: Cli
    synapse: Synapse
    me: Account
    room_id: str


@pytest.fixture
def setup(synapse: Synapse, tmp_path: Path) -> Iterator[Setup]:
    me = synapse.register(f"cli-{uuid.uuid4().hex[:8]}", "pw")
    room_id = synapse.create_room(me, f"cli-{uuid.uuid4().hex[:8]}")
    cli = Cli(tmp_path / "base")
    added = cli("target", "add", "matrix", "--name", "team", "--set", f"url={synapse.base_url}",
                "--set", f"room={room_id}", "--token-stdin", stdin=me.access_token + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    yield Setup(cli, synapse, me, room_id)
    cli("target", "remove", "team")


def test_target_list_and_test_make_a_real_call(setup: Setup) -> None:
    listed = json.loads(setup.cli("target", "list", "--json").stdout)
    assert [(t["name"], t["kind"], t["main"]) for t in listed] == [("team", "matrix", True)]
    assert "token" not in json.dumps(listed)
    config = (setup.cli.basedir / "config" / "config.toml").read_text()
    assert setup.me.access_token not in config  # the secret went to the keyring only
    tested = setup.cli("target", "test", "team")
    assert tested.returncode == 0, tested.stderr
    assert setup.me.user_id in tested.stdout


def test_capture_share_then_sync_now_delivers_and_show_says_so(setup: Setup) -> None:
    moment_id = setup.cli("capture", "--title", "Shared from the CLI", "--share", "team", "body").stdout.strip()
    status = json.loads(setup.cli("sync", "status", "--json").stdout)
    assert status["team"]["states"] == {"pending": 1}
    synced = setup.cli("sync", "now")
    assert synced.returncode == 0, synced.stderr
    assert "1 sent" in synced.stdout
    shown = json.loads(setup.cli("show", moment_id, "--json").stdout)
    (delivery,) = shown["deliveries"]
    assert delivery["state"] == "sent"
    assert delivery["remote_link"].startswith("https://matrix.to/#/")
    assert "sent https://matrix.to" in setup.cli("show", moment_id).stdout


def test_nothing_is_shared_without_share(setup: Setup) -> None:
    setup.cli("capture", "--title", "private by default", "x")
    assert json.loads(setup.cli("sync", "status", "--json").stdout)["team"]["states"] == {}


def test_a_secret_blocks_the_share_until_allowed(setup: Setup) -> None:
    refused = setup.cli("capture", "--share", "team", "my key is AKIAIOSFODNN7EXAMPLE")
    assert refused.returncode == 1
    assert "AWS Access Key in the note, line 1" in refused.stderr
    assert json.loads(setup.cli("search", "AKIAIOSFODNN7EXAMPLE", "--json").stdout) == []
    allowed = setup.cli("capture", "--share", "team", "--allow-secrets", "my key is AKIAIOSFODNN7EXAMPLE")
    assert allowed.returncode == 0, allowed.stderr


def test_a_bad_token_is_reported_exactly(setup: Setup) -> None:
    setup.cli("target", "add", "matrix", "--name", "team", "--replace", "--set", f"url={setup.synapse.base_url}",
              "--set", f"room={setup.room_id}", "--token-stdin", stdin="wrong-token\n")  # fmt: skip
    tested = setup.cli("target", "test", "team")
    assert tested.returncode == 1
    assert "rejected" in tested.stderr


def test_unknown_targets_and_bad_settings_are_refused(setup: Setup) -> None:
    assert "no target named nope" in setup.cli("capture", "--share", "nope", "x").stderr
    bad = setup.cli("target", "add", "matrix", "--name", "x", "--set", "url=ftp://h", "--token-stdin")
    assert bad.returncode == 1
    assert "needs 'room'" in bad.stderr
    assert "must start with http" in bad.stderr


def test_sync_now_through_the_running_app(setup: Setup) -> None:
    app = start_app(setup.cli.basedir)
    try:
        moment_id = setup.cli("capture", "--title", "Through the app", "--share", "team", "b").stdout.strip()
        synced = setup.cli("sync", "now")
        assert synced.returncode == 0, synced.stderr
        shown = json.loads(setup.cli("show", moment_id, "--json").stdout)
        assert shown["deliveries"][0]["state"] == "sent"
    finally:
        stop_app(app)
