"""The controller's side of capture context: Inflow's own text is never context, and a hotkey the
desktop declines later is told to the person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QClipboard
from pytestqt.qtbot import QtBot

import app.hotkey
from app.config import load_config
from app.controller import AppController
from app.hotkey.base import HotkeyBackend
from app.paths import Paths
from storage.db import open_database

pytestmark = pytest.mark.x11


class DecliningHotkey(HotkeyBackend):
    """Like the portal: register() returns, the desktop answers later."""

    name = "fake-portal"
    problem = Signal(str)
    current = "fake-portal: asked"

    def register(self, sequence: str) -> None:
        pass

    def unregister(self) -> None:
        pass

    def state(self) -> str:
        return self.current


@pytest.fixture
def make_controller(qapp: Any, paths: Paths) -> Iterator[Any]:
    made: list[AppController] = []

    def make() -> AppController:
        ctrl = AppController(qapp, paths, load_config(paths), open_database(paths.database),
                             open_database(paths.database, readonly=True))  # fmt: skip
        made.append(ctrl)
        return ctrl

    yield make
    for ctrl in made:
        ctrl.shutdown()
        for window in (ctrl._capture, ctrl._library):
            if window is not None:
                window.hide()
                window.deleteLater()
        ctrl._tray.hide()


def test_a_hotkey_the_desktop_declines_later_is_told(make_controller: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.hotkey, "create_hotkey_backend", lambda _platform: DecliningHotkey())
    controller = make_controller()
    told: list[str] = []
    monkeypatch.setattr(controller, "_tell", lambda body, **_kw: told.append(body))
    controller.start(open_capture=False, notices=[])
    assert isinstance(controller._hotkey, DecliningHotkey)
    controller._hotkey.problem.emit("The desktop declined Inflow's global shortcut Ctrl+Alt+J.")
    assert told[-1] == "The desktop declined Inflow's global shortcut Ctrl+Alt+J."
    assert controller._settings.hotkey_problem == told[-1]


def test_settings_names_the_hotkey_backend_and_follows_a_later_problem(
    make_controller: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.hotkey, "create_hotkey_backend", lambda _platform: DecliningHotkey())
    controller = make_controller()
    monkeypatch.setattr(controller, "_tell", lambda body, **_kw: None)
    controller.start(open_capture=False, notices=[])
    controller.open_settings()
    dialog = controller._settings.dialog
    assert dialog.hotkey_backend.text() == "Global shortcut: fake-portal: asked"
    controller._hotkey.current = "none: the desktop declined it; bind `inflow capture --window` yourself"
    controller._hotkey.problem.emit("The desktop declined Inflow's global shortcut Ctrl+Alt+J.")
    assert (
        dialog.hotkey_backend.text()
        == "Not available: the desktop declined it — bind `inflow capture --window` yourself"
    )
    dialog.close()
    dialog.deleteLater()


def test_text_selected_in_inflow_itself_is_not_brought_in(qtbot: QtBot, make_controller: Any, qapp: Any) -> None:
    controller = make_controller()
    controller.start(open_capture=False, notices=[])
    controller.open_library()
    library = controller._library
    qtbot.waitExposed(library)
    library.search_edit.setText("junk from the search box")
    qtbot.keyClick(library.search_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # owns PRIMARY
    qapp.clipboard().setText("copied in Inflow", QClipboard.Mode.Clipboard)
    qtbot.waitUntil(lambda: qapp.clipboard().ownsSelection(), timeout=3000)
    with qtbot.waitSignal(controller._context.reader.context_read, timeout=5000) as read:
        controller.open_capture()
    assert read.args[0].selection == "junk from the search box"  # read from the screen...
    assert controller._capture.current_draft().body == ""  # ...but not brought in
    assert controller._capture.current_draft().url is None


def test_no_context_is_read_when_an_inflow_window_had_the_focus(
    qtbot: QtBot, make_controller: Any, qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = make_controller()
    controller.start(open_capture=False, notices=[])
    controller.open_library()
    monkeypatch.setattr(type(qapp), "activeWindow", staticmethod(lambda: controller._library))
    reads: list[object] = []
    monkeypatch.setattr(controller._context, "read", lambda: reads.append("read"))
    controller.open_capture()
    qtbot.waitUntil(controller._capture.isVisible, timeout=3000)
    qtbot.wait(50)
    assert reads == []


def test_a_save_from_the_window_is_confirmed_and_the_window_closes_at_once(
    qtbot: QtBot, make_controller: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.models import Draft, Kind

    controller = make_controller()
    controller.start(open_capture=False, notices=[])
    told: list[tuple[str, str, str | None]] = []
    monkeypatch.setattr(
        controller, "_tell", lambda body, summary="Inflow", moment_id=None: told.append((summary, body, moment_id))
    )
    controller.open_capture()
    controller._capture.restore_draft(Draft(kind=Kind.TIP, title="Confirmed"))
    with qtbot.waitSignal(controller._saves.saved, timeout=5000) as saved:
        controller._capture.request_save()
    assert not controller._capture.isVisible()
    assert told == [("Saved to Inflow", "Confirmed", saved.args[0].id)]  # a click opens it in the library
