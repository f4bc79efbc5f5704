"""Fixed-seed slice of bench/secrets_at_rest.py (issue 14 part 4): one run against a server that echoes
every request (secrets included) into its error text, with a kill mid-sync, and the keyring-less case."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from bench.secrets_at_rest import keyringless, one_run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and SIGKILL")


def test_no_secret_reaches_the_disk_even_when_the_server_echoes_it(tmp_path: Path) -> None:
    outcome = one_run(tmp_path, random.Random(14), "echo")
    assert outcome.requests > 0 and outcome.files > 0  # it really shared, and wrote a library
    assert outcome.failures == []
    assert outcome.hits == []
    assert outcome.loose == []


def test_without_a_keyring_a_secret_is_refused_clearly_and_the_environment_works(tmp_path: Path) -> None:
    assert keyringless(tmp_path) == []
