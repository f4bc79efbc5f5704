"""`inflow target signin NAME` as a real process against the local HTTPS Microsoft sign-in fake.

The process trusts the fake's test CA through the OS trust store path OpenSSL reads (SSL_CERT_FILE),
and keeps secrets in tests/cli/file_keyring.py (a keyring backend for tests only: a JSON file; it lives
in its own module so that it is never a candidate backend inside the test process).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.unit.sync import graph_fake
from tests.unit.sync.graph_fake import Served


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from graph_fake.serve(tmp_path)


def _env(served: Served, keyring_file: Path, backend: str = "tests.cli.file_keyring.FileKeyring") -> dict[str, str]:
    return {
        "SSL_CERT_FILE": str(served.ca_path),
        "REQUESTS_CA_BUNDLE": str(served.ca_path),
        "PYTHON_KEYRING_BACKEND": backend,
        "INFLOW_TEST_KEYRING": str(keyring_file),
    }


def _add_teams(inflow: Run, served: Served) -> None:
    settings = {
        "tenant": graph_fake.TENANT, "client_id": graph_fake.CLIENT_ID, "team": graph_fake.TEAM,
        "channel": graph_fake.CHANNEL, "authority": served.authority, "graph_url": served.graph_url,
    }  # fmt: skip
    sets = [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]
    added = inflow("target", "add", "teams-graph", "--name", "teams", *sets)
    assert added.returncode == 0, added.stderr


def test_signin_shows_the_code_waits_and_keeps_the_cache(inflow: Run, served: Served, tmp_path: Path) -> None:
    _add_teams(inflow, served)
    keyring_file = tmp_path / "keyring.json"
    result = inflow("target", "signin", "teams", env=_env(served, keyring_file))
    assert result.returncode == 0, result.stderr
    assert "https://microsoft.com/devicelogin" in result.stderr and "ABCD-EFGH" in result.stderr
    assert result.stdout.startswith(f"Signed in as {graph_fake.USERNAME}")
    (stored,) = json.loads(keyring_file.read_text()).values()
    assert "RefreshToken" in json.loads(stored)
    assert "rt-1" not in result.stdout + result.stderr  # the secret is never printed
    tested = inflow("target", "test", "teams", env=_env(served, keyring_file))
    assert tested.returncode == 0, tested.stderr
    assert tested.stdout.strip() == f"Signed in as {graph_fake.USERNAME}; the channel's messages are readable"


def test_signin_without_a_keyring_fails_saying_so(inflow: Run, served: Served, tmp_path: Path) -> None:
    _add_teams(inflow, served)
    env = _env(served, tmp_path / "unused.json", backend="keyring.backends.fail.Keyring")
    result = inflow("target", "signin", "teams", env=env)
    assert result.returncode == 1
    assert "could not be kept" in result.stderr and "No usable keyring" in result.stderr


def test_signin_for_unknown_or_token_targets_explains(inflow: Run, tmp_path: Path) -> None:
    assert "no target named 'nope'" in inflow("target", "signin", "nope").stderr
    added = inflow("target", "add", "matrix", "--name", "room", "--set", "url=https://m.example", "--set", "room=!r")
    assert added.returncode == 0, added.stderr
    result = inflow("target", "signin", "room")
    assert result.returncode == 1
    assert "has no web sign-in" in result.stderr and "--token-stdin" in result.stderr
