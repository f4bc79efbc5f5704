"""build.spec's Windows block: a windowed `inflow-gui.exe` beside the console `inflow.exe`, in the same
folder. Run here with stand-ins for PyInstaller's classes (the Windows workflow builds the real ones)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.paths import WINDOWED_EXE

ROOT = Path(__file__).resolve().parents[2]
BLOCK_START = "# ---- Windows: inflow-gui.exe"
BLOCK_END = "# ---- end of the Windows block ----"


def run_windows_block(monkeypatch: pytest.MonkeyPatch, platform: str) -> tuple[list[object], list[dict[str, Any]]]:
    text = (ROOT / "build.spec").read_text(encoding="utf-8")
    block = text[text.index(BLOCK_START) : text.index(BLOCK_END)]
    made: list[dict[str, Any]] = []

    def exe(*args: object, **kwargs: object) -> dict[str, Any]:
        made.append({"args": args, **kwargs})
        return made[-1]

    monkeypatch.setattr(sys, "platform", platform)
    namespace: dict[str, Any] = {"sys": sys, "EXE": exe, "pyz": "the PYZ", "a": SimpleNamespace(scripts="scripts")}
    exec(block, namespace)
    return namespace["windowed"], made


def test_windows_gets_a_windowed_exe_sharing_the_console_ones_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    windowed, made = run_windows_block(monkeypatch, "win32")
    (gui,) = made
    assert windowed == [gui]
    assert f"{gui['name']}.exe" == WINDOWED_EXE  # what app.paths.launch_command and the .wxs start
    assert gui["console"] is False
    assert gui["exclude_binaries"] is True  # one folder: the libraries are COLLECTed once, for both
    assert gui["args"][:2] == ("the PYZ", "scripts")
    assert WINDOWED_EXE.lower() != "inflow.exe"  # Windows file names ignore case


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_other_platforms_keep_one_program(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    assert run_windows_block(monkeypatch, platform) == ([], [])


def test_the_spec_collects_the_windowed_exe_with_the_console_one() -> None:
    text = (ROOT / "build.spec").read_text(encoding="utf-8")
    collect = text[text.index("coll = COLLECT(") :]
    assert collect.index("exe,") < collect.index("*windowed,") < collect.index("a.binaries,")
