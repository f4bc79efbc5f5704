"""Start Inflow at login on Windows: the per-user Run key, HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.

A REG_SZ value "Inflow" holding the command line (each argument quoted as Windows' own parser reads it).
The MSI's AUTOSTART=1 writes the same value under HKLM for every user; a person cannot remove that one.
`registry` is the winreg module (a fake one in tests).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import Any

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "Inflow"


class MachineWideError(Exception):
    """The installer's per-machine entry starts Inflow for everyone; only an administrator can remove it."""


def _winreg(registry: Any) -> Any:
    if registry is not None:
        return registry
    import winreg

    return winreg


def command_line(argv: Sequence[str]) -> str:
    """argv as one Windows command line (the quoting the C runtime's argument parser undoes)."""
    return subprocess.list2cmdline(list(argv))


def enable(argv: Sequence[str], registry: Any = None) -> None:
    reg = _winreg(registry)
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
        reg.SetValueEx(key, VALUE_NAME, 0, reg.REG_SZ, command_line(argv))


def disable(registry: Any = None) -> None:
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


def is_enabled(registry: Any = None) -> bool:
    reg = _winreg(registry)
    return _has_value(reg, reg.HKEY_CURRENT_USER) or _has_value(reg, reg.HKEY_LOCAL_MACHINE)


def _has_value(reg: Any, hive: Any) -> bool:
    try:
        with reg.OpenKey(hive, RUN_KEY, 0, reg.KEY_QUERY_VALUE) as key:
            value, kind = reg.QueryValueEx(key, VALUE_NAME)
    except FileNotFoundError:
        return False
    return kind in (reg.REG_SZ, reg.REG_EXPAND_SZ) and bool(str(value).strip())
