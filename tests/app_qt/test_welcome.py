"""The first run: a welcome once per profile (with the hotkey and its state, the kinds, where the library
is and the way to a team), a notification naming the hotkey, and the welcome again from the tray."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.config import load_config
from app.controller import AppController
from app.paths import Paths
from app.welcome import first_run
from storage.db import open_database
from ui.tray import Tray

pytestmark = pytest.mark.x11


@pytest.fixture
def started(qapp: Any, paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """start() -> (controller, what it told); every controller is shut down afterwards."""
    made: list[AppController] = []

    def start() -> tuple[AppController, list[tuple[str, str]]]:
        ctrl = AppController(qapp, paths, load_config(paths), open_database(paths.database),
                             open_database(paths.database, readonly=True))  # fmt: skip
        told: list[tuple[str, str]] = []
        monkeypatch.setattr(ctrl, "_tell", lambda body, summary="Inflow", **_kw: told.append((summary, body)))
        made.append(ctrl)
        ctrl.start(open_capture=False, notices=[])
        return ctrl, told

    yield start
    for ctrl in made:
        ctrl.shutdown()
        for window in (ctrl._capture, ctrl._library, ctrl._settings.dialog):
            if window is not None:
                window.hide()
                window.deleteLater()
        ctrl._tray.hide()


def test_the_first_start_welcomes_once_and_the_tray_shows_it_again(
    qtbot: QtBot, started: Any, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    assert first_run(paths)
    controller, told = started()
    window = controller._welcome.window
    assert window is not None and window.isVisible()
    text = window.text.text()
    assert "Ctrl+Alt+J" in text and "anywhere to capture" in text  # grabbed on this X server
    assert all(kind in text for kind in ("Resource", "Tip", "Question"))
    assert str(paths.data_dir) in text and "Library" in text
    notice = "Inflow is in your tray. Press Ctrl+Alt+J anywhere to capture what you just learned."
    assert ("Welcome to Inflow", notice) in told
    window.team_button.click()
    assert not window.isVisible()
    settings = controller._settings.dialog
    assert settings is not None and settings.isVisible()
    assert settings.tabs.currentWidget() is settings.targets_page
    controller.shutdown()

    again, told_again = started()
    assert again._welcome.window is None  # not a second time by itself
    assert not [body for summary, body in told_again if summary == "Welcome to Inflow"]
    again._tray.welcome_action.trigger()
    assert again._welcome.window is not None and again._welcome.window.isVisible()


def test_a_hotkey_that_is_not_available_is_said_in_the_welcome(
    qtbot: QtBot, started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.hotkey.x11 import X11Hotkey

    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    other_program = X11Hotkey()
    other_program.register("Ctrl+Alt+J")
    try:
        controller, told = started()
    finally:
        other_program.close()
    window = controller._welcome.window
    assert window is not None
    assert "is not available" in window.text.text()
    welcomes = [body for summary, body in told if summary == "Welcome to Inflow"]
    assert len(welcomes) == 1 and "not available, so use the tray icon" in welcomes[0]


def test_without_a_tray_the_empty_library_welcomes_and_leads_to_team_targets(
    qtbot: QtBot, started: Any, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: False))
    controller, told = started()
    assert controller._welcome.window is None
    library = controller._library
    assert library is not None
    qtbot.waitUntil(library.isVisible, timeout=3000)
    text = library.empty_label.text()
    assert "Ctrl+Alt+J" in text and "Question" in text and str(paths.data_dir) in text
    assert "Connect your team" in text
    assert any(summary == "Welcome to Inflow" for summary, _ in told)
    assert not first_run(paths)
    library.empty_label.linkActivated.emit("inflow:connect-team")
    settings = controller._settings.dialog
    assert settings is not None and settings.tabs.currentWidget() is settings.targets_page
