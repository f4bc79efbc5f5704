"""Where the running instance listens: a flat per-user pipe name on Windows, a socket path that fits
sun_path on Unix, and the same answer from the app and the fast path."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from app import instance_address
from app.fastpath import _window_request
from app.instance_address import PIPE_PREFIX, pipe_path, socket_path_fits
from app.instance_address import instance_address as address
from app.paths import ensure_private_dir, resolve_paths


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("USERDOMAIN", "OFFICE")
    monkeypatch.setenv("USERNAME", "alice")
    return monkeypatch


def test_the_windows_pipe_name_is_flat_short_and_per_user(windows: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = resolve_paths(str(tmp_path / ("a-rather-long-library-folder-name" * 8))).instance_key
    name = address(key)
    full = pipe_path(name)
    assert full.startswith(PIPE_PREFIX)
    assert "\\" not in full[len(PIPE_PREFIX) :] and "/" not in name
    assert len(full) <= 256
    assert name.startswith("inflow-") and name.endswith(f"-{key}")
    assert address("default") != name  # per library
    windows.setenv("USERNAME", "bob")
    assert address(key) != name  # per user: pipe names are one namespace per machine
    windows.setenv("USERNAME", "ALICE")
    assert address(key) == name  # Windows user names ignore case


def test_on_windows_the_app_and_the_fast_path_name_the_same_pipe(windows: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = tmp_path / "base"
    windows.delenv("INFLOW_BASEDIR", raising=False)
    socket_path = resolve_paths(str(base)).socket_path
    assert str(socket_path) == _window_request(["--basedir", str(base), "capture", "--window"])
    assert "\\" not in str(socket_path)


def test_a_long_temp_dir_falls_back_to_a_short_private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    long_tmp = tmp_path / ("T" * 100)
    long_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long_tmp))
    path = address("default")
    assert path == f"/tmp/inflow-{os.getuid()}/inflow-default.sock"
    assert socket_path_fits(path)
    assert str(resolve_paths(None).socket_path) == path == _window_request(["capture", "--window"])


def test_macos_has_the_shorter_sun_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / ("r" * (105 - len(str(tmp_path)) - len("/inflow-default.sock") - 1))
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert len(str(runtime / "inflow-default.sock")) == 105
    monkeypatch.setattr(sys, "platform", "linux")
    assert address("default") == str(runtime / "inflow-default.sock")  # fits 108
    monkeypatch.setattr(sys, "platform", "darwin")
    assert address("default") == f"/tmp/inflow-{os.getuid()}/inflow-default.sock"  # not 104
    assert instance_address.max_socket_path_bytes() == 104


def test_a_runtime_folder_another_user_made_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "inflow-1000"
    folder.mkdir(mode=0o700)
    ensure_private_dir(folder)  # ours: fine
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    with pytest.raises(PermissionError, match="belongs to another user"):
        ensure_private_dir(folder)
