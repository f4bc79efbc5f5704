"""launch_command: how autostart, `inflow capture --window` and a restart start Inflow again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.paths import WINDOWED_EXE, launch_command, resolve_paths


@pytest.fixture
def frozen_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundle folder with the console `inflow.exe` as sys.executable, frozen as PyInstaller sets it."""
    folder = tmp_path / "Inflow"
    folder.mkdir()
    console = folder / "inflow.exe"
    console.write_bytes(b"MZ")
    monkeypatch.setattr(sys, "executable", str(console))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    return folder


def test_frozen_on_windows_starts_the_windowed_exe_beside_the_console_one(
    frozen_bundle: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (frozen_bundle / WINDOWED_EXE).write_bytes(b"MZ")
    monkeypatch.setattr(sys, "platform", "win32")
    assert launch_command(resolve_paths(None)) == [str(frozen_bundle / "inflow-gui.exe")]
    basedir = tmp_path / "base"
    assert launch_command(resolve_paths(str(basedir))) == [
        str(frozen_bundle / "inflow-gui.exe"),
        "--basedir",
        str(basedir.resolve()),
    ]


def test_frozen_on_windows_without_the_windowed_exe_starts_itself(
    frozen_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert launch_command(resolve_paths(None)) == [str(frozen_bundle / "inflow.exe")]


def test_frozen_elsewhere_starts_the_bundles_own_program(frozen_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (frozen_bundle / WINDOWED_EXE).write_bytes(b"MZ")  # only Windows opens a console for a console program
    monkeypatch.setattr(sys, "platform", "linux")
    assert launch_command(resolve_paths(None)) == [str(frozen_bundle / "inflow.exe")]


def test_from_source_runs_the_package_with_this_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    assert launch_command(resolve_paths(None)) == [sys.executable, "-m", "app"]
