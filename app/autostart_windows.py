"""Start Inflow at login on Windows: the per-user Run key, HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.

A REG_SZ value "Inflow" holding the command line (each argument quoted as Windows' own parser reads it).
The MSI's AUTOSTART=1 writes the same value under HKLM for every user; a person cannot remove that one.
`registry` is the winreg module (a fake one in tests).
"""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol, cast

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "Inflow"


class MachineWideError(Exception):
    """The installer's per-machine entry starts Inflow for everyone; only an administrator can remove it."""


class Registry(Protocol):
    """The members of the `winreg` module used here (its stubs exist only when type-checking for Windows)."""

    HKEY_CURRENT_USER: int
    HKEY_LOCAL_MACHINE: int
    KEY_SET_VALUE: int
    KEY_QUERY_VALUE: int
    REG_SZ: int
    REG_EXPAND_SZ: int

    def CreateKeyEx(self, key: int, sub_key: str, reserved: int, access: int, /) -> AbstractContextManager[object]: ...
    def OpenKey(self, key: int, sub_key: str, reserved: int, access: int, /) -> AbstractContextManager[object]: ...
    def SetValueEx(self, key: object, value_name: str, reserved: int, type: int, value: str, /) -> None: ...
    def DeleteValue(self, key: object, value: str, /) -> None: ...
    def QueryValueEx(self, key: object, name: str, /) -> tuple[object, int]: ...


def _winreg(registry: Registry | None) -> Registry:
    if registry is not None:
        return registry
    return cast("Registry", importlib.import_module("winreg"))


def command_line(argv: Sequence[str]) -> str:
    """argv as one Windows command line (the quoting the C runtime's argument parser undoes)."""
    return subprocess.list2cmdline(list(argv))


def enable(argv: Sequence[str], registry: Registry | None = None) -> None:
    reg = _winreg(registry)
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
        reg.SetValueEx(key, VALUE_NAME, 0, reg.REG_SZ, command_line(argv))


def disable(registry: Registry | None = None) -> None:
    """Remove the user's Run value; MachineWideError when the installer's HKLM one stays."""
    reg = _winreg(registry)
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.DeleteValue(key, VALUE_NAME)
    except FileNotFoundError:
        pass
    if _has_value(reg, reg.HKEY_LOCAL_MACHINE):
        raise MachineWideError(
            "Inflow starts at login for every user of this computer (its installer set this up); "
            "ask your IT department to change it."
        )


def is_enabled(registry: Registry | None = None) -> bool:
    reg = _winreg(registry)
    return _has_value(reg, reg.HKEY_CURRENT_USER) or _has_value(reg, reg.HKEY_LOCAL_MACHINE)


def _has_value(reg: Registry, hive: int) -> bool:
    try:
        with reg.OpenKey(hive, RUN_KEY, 0, reg.KEY_QUERY_VALUE) as key:
            value, kind = reg.QueryValueEx(key, VALUE_NAME)
    except FileNotFoundError:
        return False
    return kind in (reg.REG_SZ, reg.REG_EXPAND_SZ) and bool(str(value).strip())
