"""Fixtures of the app-level Qt tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.paths import Paths, resolve_paths


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A library folder of its own, with the desktop's config folder (autostart) under tmp_path too."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return resolve_paths(str(tmp_path / "base"))
