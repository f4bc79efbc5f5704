"""Settings > General names the hotkey backend in use and its state, as `inflow doctor` does, and the line
follows a new registration and a problem the desktop reports later."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from app.config import load_config
from app.hotkey import create_hotkey_backend
from app.paths import resolve_paths
from app.settings_controller import SettingsController, hotkey_line

ADVICE = "bind the command `inflow capture --window` to a key in your desktop's keyboard settings"


@pytest.mark.parametrize(
    ("state", "line"),
    [
        ("x11: Ctrl+Alt+J grabbed", "Global shortcut: X11 key grab, active (Ctrl+Alt+J)"),
        (
            "x11: not registered (Ctrl+Alt+K is taken by another program)",
            "Global shortcut: X11 key grab, not active: Ctrl+Alt+K is taken by another program",
        ),
        ("x11: not registered", "Global shortcut: X11 key grab, not active"),
        ("windows: Ctrl+Alt+J registered", "Global shortcut: Windows hotkey (RegisterHotKey), active (Ctrl+Alt+J)"),
        (
            "macos: Ctrl+Alt+J registered",
            "Global shortcut: macOS hotkey (Carbon RegisterEventHotKey), active (Ctrl+Alt+J)",
        ),
        (
            "portal: Ctrl+Alt+J bound (the desktop shows it as 'Ctrl+Alt+J')",
            "Desktop portal (Wayland): bound to Ctrl+Alt+J",
        ),
        ("portal: Ctrl+Alt+J bound", "Desktop portal (Wayland): bound to Ctrl+Alt+J"),
        (
            "portal: Ctrl+Alt+J bound (the desktop shows it as 'Super+K')"
            " after you changed it in the desktop's settings",
            "Desktop portal (Wayland): bound to Super+K after you changed it in the desktop's settings",
        ),
        (
            "portal: asking the desktop to bind Ctrl+Alt+J (waiting for its answer)",
            "Desktop portal (Wayland): asking the desktop to bind Ctrl+Alt+J (waiting for its answer)",
        ),
        (
            f"none: you declined the shortcut in the desktop's dialog; {ADVICE}",
            f"Not available: you declined the shortcut in the desktop's dialog — {ADVICE}",
        ),
        (
            "none: no shortcut here",
            "Not available: no shortcut here — bind `inflow capture --window` in your desktop's shortcuts",
        ),
        ("other: Ctrl+Alt+J ready", "Global shortcut: other: Ctrl+Alt+J ready"),
    ],
)
def test_each_backend_state_reads_as_one_line(state: str, line: str) -> None:
    assert hotkey_line(state) == line


def test_a_desktop_without_a_global_hotkey_says_what_to_do_instead() -> None:
    line = hotkey_line(create_hotkey_backend("offscreen").state())
    assert line.startswith("Not available: There is no global hotkey on this desktop (Qt platform 'offscreen') — ")
    assert line.endswith(
        "bind the command `inflow capture --window` to a key in your desktop's keyboard settings (Custom Shortcuts)"
    )


class FakeSharing(QObject):
    synced = Signal()

    def target_kinds(self) -> list[object]:
        return []

    def target_infos(self) -> list[object]:
        return []


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|propagateSizeHints)\(\)")  # offscreen only
def test_the_general_tab_shows_the_backend_and_follows_its_state(tmp_path: Path, qtbot: QtBot) -> None:
    paths = resolve_paths(str(tmp_path / "base"))
    state = ["portal: asking the desktop to bind Ctrl+Alt+J (waiting for its answer)"]
    settings = SettingsController(
        paths, load_config(paths), FakeSharing(), lambda _seq: None, lambda _msg: None,  # type: ignore[arg-type]
        hotkey_state=lambda: state[0],
    )  # fmt: skip
    settings.open()
    dialog = settings.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    line = dialog.hotkey_backend
    assert line.isVisible()
    assert line.text() == "Desktop portal (Wayland): asking the desktop to bind Ctrl+Alt+J (waiting for its answer)"
    state[0] = "portal: Ctrl+Alt+J bound (the desktop shows it as 'Ctrl+Alt+J')"
    settings.hotkey_problem = None  # what the app sets after registering the hotkey again
    assert line.text() == "Desktop portal (Wayland): bound to Ctrl+Alt+J"
    state[0] = f"none: the desktop closed the shortcuts session; {ADVICE}"
    settings.hotkey_problem = "The desktop ended Inflow's global shortcut, so ..."  # the backend's problem signal
    assert line.text() == f"Not available: the desktop closed the shortcuts session — {ADVICE}"
    assert dialog.hotkey_error.isVisible() is False  # the problem itself is shown on the next open
    state[0] = ""
    settings.refresh_hotkey()
    assert not line.isVisibleTo(dialog)
