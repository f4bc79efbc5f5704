"""Secrets: the real keyring in the test session (gnome-keyring), and the no-keyring case."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from sync.credentials import Credentials, env_name


def test_env_name() -> None:
    assert env_name("team-room") == "INFLOW_SECRET_TEAM_ROOM"
    assert env_name("lrs.2") == "INFLOW_SECRET_LRS_2"


def test_environment_wins_and_is_never_stored() -> None:
    creds = Credentials("inflow-test", environ={"INFLOW_SECRET_TEAM": "from-env"})
    assert creds.get("team") == "from-env"


@pytest.mark.x11
def test_round_trip_through_the_session_keyring() -> None:
    service = f"inflow-test-{uuid.uuid4().hex[:8]}"
    creds = Credentials(service, environ={})
    assert creds.get("team") is None
    creds.set("team", "s3cret")
    assert creds.get("team") == "s3cret"
    creds.delete("team")
    creds.delete("team")  # deleting twice is fine
    assert creds.get("team") is None


def test_without_a_keyring_saving_fails_with_a_clear_message() -> None:
    code = (
        "from sync.credentials import Credentials, CredentialsError\n"
        "try:\n"
        "    Credentials('inflow-x', environ={}).set('team', 'pw')\n"
        "except CredentialsError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert "No usable keyring" in out
    assert "INFLOW_SECRET_TEAM" in out
