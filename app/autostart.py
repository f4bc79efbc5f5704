"""Start Inflow at login: an XDG autostart desktop entry (Linux and other freedesktop systems); on
Windows the per-user Run key (app.autostart_windows), on macOS a LaunchAgent (app.autostart_macos).

No Qt. A user entry in $XDG_CONFIG_HOME/autostart overrides a system one of the same name in
$XDG_CONFIG_DIRS/autostart (e.g. one an administrator installed); `Hidden=true` turns that one off.
`config_home` is only used by the XDG entry.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

ENTRY_NAME = "inflow.desktop"

# Characters that make the Desktop Entry spec require an argument to be double-quoted.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


class AutostartError(Exception):
    """Autostart cannot be changed; the message is written for the person."""


def user_config_home() -> Path:
    """$XDG_CONFIG_HOME, else ~/.config."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def autostart_path(config_home: Path) -> Path:
    """The user's autostart entry: <XDG_CONFIG_HOME>/autostart/inflow.desktop."""
    return config_home / "autostart" / ENTRY_NAME


def system_dirs() -> list[Path]:
    """$XDG_CONFIG_DIRS (default /etc/xdg), where system-wide autostart entries live."""
    raw = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(part) for part in raw.split(":") if part]


def enable(config_home: Path, exec_command: list[str]) -> None:
    """Write the user's autostart entry that runs `exec_command` at login."""
    platform = _platform()
    if not exec_command:
        raise AutostartError("Cannot start Inflow at login: no command to run was given.")
    if platform == "win32":
        from app import autostart_windows

        autostart_windows.enable(exec_command)
        return
    if platform == "darwin":
        from app import autostart_macos

        autostart_macos.enable(Path.home(), exec_command)
        return
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=Inflow",
        "Comment=Capture learning moments in the flow of work",
        f"Exec={exec_line(exec_command)}",
        "Icon=inflow",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
    ]
    _write(autostart_path(config_home), "\n".join(lines) + "\n")


def disable(config_home: Path, *, system: Sequence[Path] | None = None) -> None:
    """Stop starting at login: hide a system-wide entry, or remove the user's own."""
    platform = _platform()
    if platform == "win32":
        from app import autostart_windows

        try:
            autostart_windows.disable()
        except autostart_windows.MachineWideError as exc:
            raise AutostartError(str(exc)) from exc
        return
    if platform == "darwin":
        from app import autostart_macos

        autostart_macos.disable(Path.home())
        return
    path = autostart_path(config_home)
    if _system_entry(system) is not None:
        _write(path, "[Desktop Entry]\nType=Application\nName=Inflow\nHidden=true\n")
    else:
        path.unlink(missing_ok=True)


def is_enabled(config_home: Path, *, system: Sequence[Path] | None = None) -> bool:
    """Whether Inflow starts at login (the user's entry wins over a system-wide one)."""
    platform = _platform()
    if platform == "win32":
        from app import autostart_windows

        return autostart_windows.is_enabled()
    if platform == "darwin":
        from app import autostart_macos

        return autostart_macos.is_enabled(Path.home())
    path = autostart_path(config_home)
    entry = path if path.is_file() else _system_entry(system)
    if entry is None:
        return False
    try:
        values = _read_entry(entry)
    except (OSError, UnicodeDecodeError):
        return False
    return values.get("Hidden", "false") != "true" and values.get("X-GNOME-Autostart-enabled", "true") != "false"


def exec_line(argv: Sequence[str]) -> str:
    """argv as an Exec value: quoted per the Desktop Entry spec, then escaped as a string value."""
    quoted = []
    for arg in argv:
        if "\n" in arg or "\r" in arg or "\x00" in arg:
            raise AutostartError("Cannot start Inflow at login: its command contains a line break.")
        word = arg.replace("%", "%%")  # a literal percent sign, not a field code
        if not word or any(char in _RESERVED for char in word):
            word = '"' + "".join("\\" + c if c in '"`$\\' else c for c in word) + '"'
        quoted.append(word)
    return " ".join(quoted).replace("\\", "\\\\")


def _system_entry(system: Sequence[Path] | None) -> Path | None:
    for directory in system_dirs() if system is None else system:
        candidate = directory / "autostart" / ENTRY_NAME
        if candidate.is_file():
            return candidate
    return None


def _read_entry(path: Path) -> dict[str, str]:
    """The [Desktop Entry] group's keys (enough of the format for Hidden and the GNOME switch)."""
    values: dict[str, str] = {}
    group = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _platform() -> str:
    """sys.platform, refusing the one where neither the registry nor XDG autostart is at hand."""
    if sys.platform == "cygwin":
        raise AutostartError("Starting Inflow at login is not supported under Cygwin.")
    return sys.platform
