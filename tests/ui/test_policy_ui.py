"""What the organisation's policy manages, in the widgets: locked settings with the policy in the
tooltip, Team targets without Add/Remove, and the capture window's share row fixed to the defaults."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.capture import CaptureWindow
from ui.ports import ManagedSettings, SharingDefaults, TargetInfo, TargetKeyInfo, TargetKindInfo
from ui.settings import SettingsDialog

ShowActive = Callable[[QWidget], None]
POLICY = "/etc/inflow/policy.toml"
TARGETS = [
    TargetInfo("team", "matrix", {"url": "https://matrix.example.org"}, is_main=True, managed=True),
    TargetInfo("mine", "webhook", {"url": "https://h.example.org"}),
]
KINDS = [TargetKindInfo("webhook", "Signed webhook", (TargetKeyInfo("url", "URL"),), secret_label="Signing secret")]


@pytest.fixture
def dialog(show_active: ShowActive) -> SettingsDialog:
    d = SettingsDialog()
    d.load({"hotkey": "Ctrl+Alt+K", "share_tips": True, "snapshots_enabled": True})
    d.set_target_kinds(KINDS)
    d.set_targets(TARGETS)
    show_active(d)
    return d


def test_locked_settings_are_disabled_name_the_policy_and_the_kept_value(dialog: SettingsDialog) -> None:
    dialog.set_managed(
        ManagedSettings(
            locked={"hotkey": POLICY, "share_tips": POLICY, "snapshot_max_mb": POLICY},
            kept={"hotkey": "Ctrl+Alt+U"},
        )
    )
    assert not dialog.hotkey_edit.isEnabled() and not dialog.reset_button.isEnabled()
    label = dialog.locked_labels["hotkey"]
    assert label.isVisible()
    assert label.text() == "Managed by your organization · your own (Ctrl+Alt+U) is kept"
    assert POLICY in label.toolTip() and POLICY in dialog.hotkey_edit.toolTip()
    share_tips = dialog.targets_page.default_checks["share_tips"]
    assert not share_tips.isEnabled() and POLICY in share_tips.toolTip()
    assert dialog.targets_page.default_checks["share_questions"].isEnabled()
    dialog.snapshots_check.setChecked(False)
    dialog.snapshots_check.setChecked(True)  # turning copies on again does not unlock a managed one
    assert not dialog.snapshot_max_spin.isEnabled() and dialog.feed_budget_spin.isEnabled()
    assert "Pages and PDFs larger than this are not copied" in dialog.snapshot_max_spin.toolTip()
    assert dialog.autostart_check.isEnabled() and not dialog.locked_labels["autostart"].isVisible()
    dialog.set_managed(ManagedSettings())
    assert dialog.hotkey_edit.isEnabled() and share_tips.isEnabled() and dialog.snapshot_max_spin.isEnabled()
    assert dialog.snapshot_max_spin.toolTip() == "Pages and PDFs larger than this are not copied"


def test_without_user_targets_add_and_remove_are_disabled(dialog: SettingsDialog) -> None:
    page = dialog.targets_page
    dialog.show_targets()
    assert "Managed by your organization" in page.list.item(0).text()
    page.list.setCurrentRow(1)
    assert page.add_button.isEnabled() and page.remove_button.isEnabled()
    dialog.set_managed(ManagedSettings(locked={"main_target": POLICY}, targets_fixed_by=POLICY))
    assert not page.add_button.isEnabled() and POLICY in page.add_button.toolTip()
    assert not page.remove_button.isEnabled() and POLICY in page.remove_button.toolTip()
    assert not page.main_button.isEnabled() and POLICY in page.main_button.toolTip()
    assert page.open_add_form() is None
    assert page.test_button.isEnabled()  # testing the connection is still fine


def test_the_share_row_is_fixed_to_the_defaults(show_active: ShowActive, qtbot: QtBot) -> None:
    capture = CaptureWindow()
    show_active(capture)
    defaults = SharingDefaults({"tip": ("team",), "question": ("team",), "resource": ()}, fixed_by=POLICY)
    capture.set_targets(TARGETS, defaults)
    picker = capture.share_picker
    assert picker.selection() == ("team",)
    assert not picker.only_me_button.isEnabled() and not picker.target_buttons["team"].isEnabled()
    assert POLICY in picker.only_me_button.toolTip() and picker.fixed_label.isVisible()
    capture.title_edit.setFocus()
    qtbot.keyClick(capture, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert picker.selection() == ("team",)
    picker.choose(())
    assert picker.selection() == ("team",)
    picker.restore((), "tip")
    assert picker.selection() == ("team",) and not picker.touched
    capture.set_targets(TARGETS, SharingDefaults(defaults.by_kind))
    assert picker.only_me_button.isEnabled() and not picker.fixed_label.isVisible()
    qtbot.keyClick(capture, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert picker.selection() == ()
