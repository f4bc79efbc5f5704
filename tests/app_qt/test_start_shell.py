"""Start-up in two steps: the tray and the hotkey first, the controller after; nothing in between is lost."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.config import load_config
from app.controller import AppController
from app.paths import Paths
from app.start_shell import show_shell
from storage.db import open_database

pytestmark = pytest.mark.x11


def test_the_shell_docks_the_tray_and_arms_the_hotkey_before_the_library_loads(qapp: Any) -> None:
    shell = show_shell(qapp, "Ctrl+Alt+F9")
    try:
        assert shell.has_tray, "the virtual desktop has a tray"
        assert shell.tray.new_action.text() == "New moment\tCtrl+Alt+F9"
        assert shell.hotkey_problem is None
        assert "grabbed" in shell.hotkey.state()
        assert not shell.hand_over(), "no press came"
    finally:
        shell.hotkey.close()
        shell.tray.hide()


def test_a_hotkey_press_while_inflow_is_still_loading_opens_the_capture_window(
    qapp: Any, qtbot: QtBot, paths: Paths
) -> None:
    shell = show_shell(qapp, "Ctrl+Alt+F9")
    shell.hotkey.activated.emit()  # pressed before the controller exists
    ctrl = AppController(
        qapp, paths, load_config(paths), open_database(paths.database),
        open_database(paths.database, readonly=True), shell=shell,
    )  # fmt: skip
    try:
        assert ctrl._tray is shell.tray and ctrl._hotkey is shell.hotkey, "taken over, not made twice"
        ctrl.start(open_capture=False, notices=[])
        qtbot.waitUntil(ctrl._capture.isVisible, timeout=3000)
        ctrl._capture.hide()
        shell.hotkey.activated.emit()  # later presses go to the controller directly
        qtbot.waitUntil(ctrl._capture.isVisible, timeout=3000)
        assert shell.early_presses == ["capture"]
    finally:
        ctrl.shutdown()
        ctrl._capture.hide()
        ctrl._tray.hide()


def test_a_hotkey_the_shell_could_not_grab_is_told_and_shown_in_settings(qapp: Any, paths: Paths) -> None:
    shell = show_shell(qapp, "Ctrl+Alt+NoSuchKey")
    assert shell.hotkey_problem
    ctrl = AppController(
        qapp, paths, load_config(paths), open_database(paths.database),
        open_database(paths.database, readonly=True), shell=shell,
    )  # fmt: skip
    told: list[str] = []
    ctrl._tell = lambda body, **_: told.append(body)  # type: ignore[method-assign]
    try:
        ctrl.start(open_capture=False, notices=[])
        assert ctrl._settings.hotkey_problem == shell.hotkey_problem
        assert shell.hotkey_problem in told
    finally:
        ctrl.shutdown()
        ctrl._tray.hide()
