"""The settings dialog and the tray menu."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from ui.settings import SettingsDialog
from ui.tray import Tray


@pytest.fixture
def dialog(show_active: Callable[[QWidget], None]) -> SettingsDialog:
    d = SettingsDialog()
    d.load({"hotkey": "Ctrl+Alt+J", "autostart": False, "default_kind": "tip"})
    show_active(d)
    return d


def _click(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    button = dialog.buttons.button(which)
    assert button is not None
    button.click()


def test_ok_emits_values_and_closes_when_applied(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.hotkey_edit.setKeySequence(QKeySequence("Ctrl+Shift+K"))
    dialog.autostart_check.setChecked(True)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("question"))
    with qtbot.waitSignal(dialog.apply_requested, timeout=1000) as blocker:
        _click(dialog, QDialogButtonBox.StandardButton.Ok)
    assert blocker.args == [
        {
            "hotkey": "Ctrl+Shift+K",
            "autostart": True,
            "default_kind": "question",
            "share_tips": True,
            "share_questions": True,
            "share_resources": False,
            "snapshots_enabled": True,
            "snapshot_max_mb": 10,
            "snapshot_keep_days": 0,
            "feed_snapshot_daily_budget": 50,
        }
    ]
    assert dialog.isVisible()  # waits for the app's answer
    dialog.accept_applied()
    assert not dialog.isVisible()


def test_hotkey_error_keeps_the_dialog_open(dialog: SettingsDialog, qtbot: QtBot) -> None:
    with qtbot.waitSignal(dialog.apply_requested, timeout=1000):
        _click(dialog, QDialogButtonBox.StandardButton.Ok)
    dialog.show_hotkey_error("Ctrl+Alt+J is taken by another application.")
    assert dialog.isVisible()
    assert dialog.hotkey_error.isVisible()
    assert "taken" in dialog.hotkey_error.text()
    dialog.accept_applied()  # a later Apply succeeding does not close the dialog
    assert dialog.isVisible()


def test_apply_keeps_the_dialog_open_and_reset_restores_default(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.hotkey_edit.clear()
    with qtbot.assertNotEmitted(dialog.apply_requested):
        _click(dialog, QDialogButtonBox.StandardButton.Apply)
    assert "Choose a key combination" in dialog.hotkey_error.text()
    dialog.reset_button.click()
    with qtbot.waitSignal(dialog.apply_requested, timeout=1000) as blocker:
        _click(dialog, QDialogButtonBox.StandardButton.Apply)
    assert blocker.args[0]["hotkey"] == "Ctrl+Alt+J"
    dialog.accept_applied()
    assert dialog.isVisible()


def test_locked_setting_is_disabled_and_explained(dialog: SettingsDialog) -> None:
    dialog.set_locked({"autostart"})
    assert not dialog.autostart_check.isEnabled()
    assert dialog.locked_labels["autostart"].isVisible()
    assert dialog.hotkey_edit.isEnabled()


def test_escape_cancels_without_applying(dialog: SettingsDialog, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(dialog.apply_requested):
        qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_tray_menu_has_the_five_actions(qtbot: QtBot) -> None:
    tray = Tray()
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["New moment", "Library", "Settings…", "Getting started", "Quit Inflow"]
    assert tray.menu.actions()[4].isSeparator()
    for action, signal in (
        (tray.new_action, tray.new_moment_requested),
        (tray.library_action, tray.library_requested),
        (tray.settings_action, tray.settings_requested),
        (tray.welcome_action, tray.welcome_requested),
        (tray.quit_action, tray.quit_requested),
    ):
        with qtbot.waitSignal(signal, timeout=1000):
            action.trigger()


@pytest.mark.x11
@pytest.mark.skipif(not os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen", reason="needs X")
def test_tray_shows_on_a_desktop_with_a_tray() -> None:
    if not Tray.available():
        pytest.skip("no system tray on this display")
    tray = Tray()
    tray.show()
    assert tray._icon is not None
    assert tray._icon.isVisible()
    tray.hide()


# ---------------------------------------------------------------- offline copies
OFFLINE = {
    "snapshots_enabled": False,
    "snapshot_max_mb": 42,
    "snapshot_keep_days": 90,
    "feed_snapshot_daily_budget": 7,
}


def test_offline_copy_settings_round_trip(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.load({"hotkey": "Ctrl+Alt+J", **OFFLINE})
    assert not dialog.snapshot_max_spin.isEnabled()  # copies are off: their settings wait
    with qtbot.waitSignal(dialog.apply_requested, timeout=1000) as blocker:
        _click(dialog, QDialogButtonBox.StandardButton.Apply)
    assert {k: blocker.args[0][k] for k in OFFLINE} == OFFLINE
    dialog.snapshots_check.setChecked(True)
    assert dialog.snapshot_max_spin.isEnabled()
    dialog.snapshot_max_spin.setValue(500)  # clamped to 100
    dialog.snapshot_keep_combo.setCurrentIndex(dialog.snapshot_keep_combo.findText("Forever"))
    dialog.feed_budget_spin.setValue(0)
    with qtbot.waitSignal(dialog.apply_requested, timeout=1000) as blocker:
        _click(dialog, QDialogButtonBox.StandardButton.Apply)
    assert {k: blocker.args[0][k] for k in OFFLINE} == {
        "snapshots_enabled": True,
        "snapshot_max_mb": 100,
        "snapshot_keep_days": 0,
        "feed_snapshot_daily_budget": 0,
    }


def test_offline_copy_keep_choices_and_an_unusual_value(dialog: SettingsDialog) -> None:
    combo = dialog.snapshot_keep_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Forever", "30 days", "90 days", "365 days"]
    dialog.load({"snapshot_keep_days": 14})
    assert dialog.values()["snapshot_keep_days"] == 14
    assert combo.currentText() == "14 days"


def test_offline_copy_settings_can_be_locked(dialog: SettingsDialog) -> None:
    dialog.load({"snapshots_enabled": True})
    dialog.set_locked({"snapshots_enabled", "snapshot_max_mb"})
    assert not dialog.snapshots_check.isEnabled()
    assert not dialog.snapshot_max_spin.isEnabled()
    assert dialog.snapshot_keep_combo.isEnabled()
    assert dialog.locked_labels["snapshot_max_mb"].isVisible()
    assert not dialog.locked_labels["snapshot_keep_days"].isVisible()
    dialog.set_locked(set())
    assert dialog.snapshots_check.isEnabled() and dialog.snapshot_max_spin.isEnabled()


def test_the_general_tab_speaks_plain_words_with_unique_mnemonics(dialog: SettingsDialog) -> None:
    """Each label of the General tab has its own Alt+letter; none uses the word "feed" (jargon)."""
    from PySide6.QtWidgets import QLabel

    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert labels
    texts = [label.text() for label in labels]
    assert not [text for text in texts if "feed" in text.lower()], texts
    keys = [text[text.index("&") + 1].lower() for text in texts if "&" in text]
    assert len(keys) == len(set(keys)), texts
    budget = next(label for label in labels if label.buddy() is dialog.feed_budget_spin)
    assert budget.text() == "&Colleagues' links copied per day:"
