"""A keyring backend for tests only: secrets in the JSON file named by INFLOW_TEST_KEYRING.

Loaded only by subprocesses (PYTHON_KEYRING_BACKEND=tests.cli.file_keyring.FileKeyring); never
imported by the test process, where keyring's chainer would otherwise consult it too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    """Secrets in the JSON file named by INFLOW_TEST_KEYRING (loaded via PYTHON_KEYRING_BACKEND)."""

    priority = 1

    def _load(self) -> dict[str, str]:
        path = Path(os.environ["INFLOW_TEST_KEYRING"])
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._load()
        stored[f"{service}/{username}"] = password
        Path(os.environ["INFLOW_TEST_KEYRING"]).write_text(json.dumps(stored))

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        stored.pop(f"{service}/{username}", None)
        Path(os.environ["INFLOW_TEST_KEYRING"]).write_text(json.dumps(stored))
