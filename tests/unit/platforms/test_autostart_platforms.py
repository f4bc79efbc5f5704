"""Autostart on Windows (the per-user Run key, on a fake winreg) and macOS (a LaunchAgent in a temp HOME)."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app import autostart
from app.autostart import AutostartError
from app.identity import BUNDLE_ID

RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"
COMMAND = [r"C:\Program Files\Inflow\inflow.exe", "--basedir", r"C:\Users\Ana Lima\Inflow data"]


class FakeKey:
    def __init__(self, values: dict[str, tuple[Any, int]], access: int) -> None:
        self.values, self.access = values, access

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass


class FakeWinreg(SimpleNamespace):
    """winreg's calls and constants as app.autostart_windows uses them; keys[(hive, path)] = {name: (data, type)}."""

    HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE = "HKCU", "HKLM"
    KEY_QUERY_VALUE, KEY_SET_VALUE = 0x0001, 0x0002
    REG_SZ, REG_EXPAND_SZ = 1, 2

    def __init__(self) -> None:
        super().__init__(keys={})

    def CreateKeyEx(self, hive: str, path: str, reserved: int, access: int) -> FakeKey:
        assert reserved == 0
        return FakeKey(self.keys.setdefault((hive, path), {}), access)

    def OpenKey(self, hive: str, path: str, reserved: int, access: int) -> FakeKey:
        if (hive, path) not in self.keys:
            raise FileNotFoundError(path)
        return FakeKey(self.keys[(hive, path)], access)

    def SetValueEx(self, key: FakeKey, name: str, reserved: int, kind: int, data: str) -> None:
        assert key.access & self.KEY_SET_VALUE and reserved == 0
        key.values[name] = (data, kind)

    def DeleteValue(self, key: FakeKey, name: str) -> None:
        assert key.access & self.KEY_SET_VALUE
        if name not in key.values:
            raise FileNotFoundError(name)
        del key.values[name]

    def QueryValueEx(self, key: FakeKey, name: str) -> tuple[Any, int]:
        assert key.access & self.KEY_QUERY_VALUE
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name]


@pytest.fixture
def winreg(monkeypatch: pytest.MonkeyPatch) -> FakeWinreg:
    fake = FakeWinreg()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "winreg", fake)
    return fake


def test_windows_run_key_is_written_quoted_and_removed(winreg: FakeWinreg, tmp_path: Path) -> None:
    assert not autostart.is_enabled(tmp_path)
    autostart.enable(tmp_path, COMMAND)
    data = r'"C:\Program Files\Inflow\inflow.exe" --basedir "C:\Users\Ana Lima\Inflow data"'
    assert winreg.keys == {("HKCU", RUN): {"Inflow": (data, FakeWinreg.REG_SZ)}}
    assert autostart.is_enabled(tmp_path)
    assert not (tmp_path / "autostart").exists()  # no XDG entry on Windows
    autostart.disable(tmp_path)
    assert winreg.keys == {("HKCU", RUN): {}}
    assert not autostart.is_enabled(tmp_path)
    autostart.disable(tmp_path)  # nothing to remove: fine


def test_windows_the_installers_machine_entry_cannot_be_turned_off_by_a_user(
    winreg: FakeWinreg, tmp_path: Path
) -> None:
    winreg.keys[("HKLM", RUN)] = {"Inflow": (r'"C:\Program Files\Inflow\inflow.exe"', FakeWinreg.REG_SZ)}
    assert autostart.is_enabled(tmp_path)
    with pytest.raises(AutostartError, match=r"every user of this computer .* ask your IT department"):
        autostart.disable(tmp_path)
    assert winreg.keys[("HKLM", RUN)]  # untouched


@pytest.fixture
def mac_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_macos_launch_agent_is_written_and_removed(mac_home: Path) -> None:
    agent = mac_home / "Library" / "LaunchAgents" / f"{BUNDLE_ID}.plist"
    command = ["/Applications/Inflow.app/Contents/MacOS/Inflow", "--basedir", "/Users/ana/Inflow data"]
    assert not autostart.is_enabled(mac_home / ".config")
    autostart.enable(mac_home / ".config", command)
    assert plistlib.loads(agent.read_bytes()) == {"Label": BUNDLE_ID, "ProgramArguments": command, "RunAtLoad": True}
    assert autostart.is_enabled(mac_home / ".config")
    assert not (mac_home / ".config").exists()  # no XDG entry on macOS
    autostart.disable(mac_home / ".config")
    assert not agent.exists() and not autostart.is_enabled(mac_home / ".config")


def test_macos_a_damaged_or_disabled_agent_is_off(mac_home: Path) -> None:
    agent = mac_home / "Library" / "LaunchAgents" / f"{BUNDLE_ID}.plist"
    agent.parent.mkdir(parents=True)
    agent.write_bytes(b"not a plist")
    assert not autostart.is_enabled(mac_home)
    agent.write_bytes(plistlib.dumps({"Label": BUNDLE_ID, "ProgramArguments": ["x"], "Disabled": True}))
    assert not autostart.is_enabled(mac_home)
