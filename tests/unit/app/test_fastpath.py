from __future__ import annotations

from pathlib import Path

import pytest

from app.fastpath import _window_request
from app.paths import resolve_paths


def test_the_fast_path_finds_the_same_socket_as_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("INFLOW_BASEDIR", raising=False)
    base = tmp_path / "base"
    assert _window_request(["--basedir", str(base), "capture", "--window"]) == str(resolve_paths(str(base)).socket_path)
    assert _window_request(["capture", "--window"]) == str(resolve_paths(None).socket_path)
    monkeypatch.setenv("INFLOW_BASEDIR", str(base))
    assert _window_request(["capture", "--window"]) == str(resolve_paths(None).socket_path)


def test_anything_else_goes_to_the_full_cli() -> None:
    assert _window_request(["capture", "text"]) is None
    assert _window_request(["capture", "--window", "--kind", "tip"]) is None
    assert _window_request([]) is None
