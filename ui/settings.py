"""The settings dialog: capture hotkey, start at login, default kind; team targets and sharing defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storage.models import Kind
from ui.icons import app_icon, kind_icon
from ui.ports import ManagedSettings, TargetInfo, TargetKindInfo
from ui.targets_page import MANAGED, TargetsPage, managed_tip
from ui.widgets import InlineMessage, muted

DEFAULT_HOTKEY = "Ctrl+Alt+J"
SNAPSHOT_DEFAULTS: dict[str, Any] = {
    "snapshots_enabled": True,
    "snapshot_max_mb": 10,
    "snapshot_keep_days": 0,
    "feed_snapshot_daily_budget": 50,
}
KEEP_CHOICES = ((0, "Forever"), (30, "30 days"), (90, "90 days"), (365, "365 days"))


class SettingsDialog(QDialog):
    """Edits the settings; the app applies them and answers with accept_applied() or an error.

    Signals:
        apply_requested(dict): OK or Apply was pressed; keys `hotkey` (PortableText, e.g. "Ctrl+Alt+J"),
            `autostart` (bool), `default_kind` (str) and the sharing defaults `share_tips`, `share_questions`,
            `share_resources` (bool), and the offline copies: `snapshots_enabled` (bool), `snapshot_max_mb`
            (int, 1–100), `snapshot_keep_days` (int, 0 = forever), `feed_snapshot_daily_budget` (int, 0–500).
            After OK the dialog closes on accept_applied().
        target_test_requested(str, str, dict, str), target_add_requested(str, str, dict, str),
        target_edit_requested(str, str, dict, str), target_remove_requested(str), main_target_requested(str),
        signin_requested(str, str):
            from the Team targets tab; see ui.targets_page.TargetsPage.
    """

    apply_requested = Signal(dict)
    target_test_requested = Signal(str, str, dict, str)
    target_add_requested = Signal(str, str, dict, str)
    target_edit_requested = Signal(str, str, dict, str)
    target_remove_requested = Signal(str)
    main_target_requested = Signal(str)
    signin_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Inflow")
        self.setWindowIcon(app_icon())
        self._close_when_applied = False
        self.hotkey_edit = QKeySequenceEdit(self)
        self.hotkey_edit.setMaximumSequenceLength(1)
        self.hotkey_edit.setClearButtonEnabled(True)
        self.reset_button = QPushButton(f"Reset to {DEFAULT_HOTKEY}", self)
        self.hotkey_error = InlineMessage(self)
        self.hotkey_backend = _backend_label(self)
        self.autostart_check = QCheckBox("Start Inflow when I log in", self)
        self.kind_combo = QComboBox(self)
        for kind in Kind:
            self.kind_combo.addItem(kind_icon(kind), kind.label, kind.value)
        self.snapshots_check = QCheckBox("Save offline copies of web pages", self)
        self.snapshot_max_spin = QSpinBox(self)
        self.snapshot_max_spin.setRange(1, 100)
        self.snapshot_max_spin.setSuffix(" MB")
        self.snapshot_max_spin.setToolTip("Pages and PDFs larger than this are not copied")
        self.snapshot_keep_combo = QComboBox(self)
        for days, text in KEEP_CHOICES:
            self.snapshot_keep_combo.addItem(text, days)
        self.feed_budget_spin = QSpinBox(self)
        self.feed_budget_spin.setRange(0, 500)
        self.feed_budget_spin.setSpecialValueText("None")
        self.feed_budget_spin.setToolTip("How many links shared by the team get an offline copy each day")
        self._locked: set[str] = set()
        self.locked_labels = {
            key: self._managed_label() for key in ("hotkey", "autostart", "default_kind", *SNAPSHOT_DEFAULTS)
        }
        self._tips: dict[QWidget, str] = {}
        self.targets_page = TargetsPage(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_general(), "&General")
        self.tabs.addTab(self.targets_page, "Team &targets")
        page = self.targets_page
        for mine, theirs in (
            (self.target_test_requested, page.target_test_requested),
            (self.target_add_requested, page.target_add_requested),
            (self.target_edit_requested, page.target_edit_requested),
            (self.target_remove_requested, page.target_remove_requested),
            (self.main_target_requested, page.main_target_requested),
            (self.signin_requested, page.signin_requested),
        ):
            theirs.connect(mine)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply,
            self,
        )
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.hotkey_edit.keySequenceChanged.connect(self._on_hotkey_edit_key_sequence_changed)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        if apply_button is not None:
            apply_button.clicked.connect(self._on_apply_clicked)
        self.setMinimumWidth(560)

    def _managed_label(self) -> QLabel:
        label = muted(QLabel(MANAGED, self))
        label.hide()
        return label

    def _build_general(self) -> QWidget:
        hotkey_row = QHBoxLayout()
        hotkey_row.addWidget(self.hotkey_edit, 1)
        hotkey_row.addWidget(self.reset_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        hotkey_label = QLabel("Capture &hotkey:", self)
        hotkey_label.setBuddy(self.hotkey_edit)
        form.addRow(hotkey_label, hotkey_row)
        form.addRow(self.hotkey_error)
        form.addRow("", muted(QLabel("Press it anywhere to open the capture window.", self)))
        form.addRow("", self.hotkey_backend)
        form.addRow("", self.locked_labels["hotkey"])
        form.addRow("", self.autostart_check)
        form.addRow("", self.locked_labels["autostart"])
        form.addRow("New moments are &a:", self.kind_combo)
        form.addRow("", self.locked_labels["default_kind"])
        general = QWidget(self)
        general_layout = QVBoxLayout(general)
        general_layout.setContentsMargins(8, 12, 8, 8)
        general_layout.addLayout(form)
        general_layout.addSpacing(8)
        general_layout.addWidget(self._build_snapshots_group())
        general_layout.addStretch(1)
        self.snapshots_check.toggled.connect(self._update_snapshot_enabled)
        return general

    def _build_snapshots_group(self) -> QGroupBox:
        group = QGroupBox("Offline copies", self)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.snapshots_check)
        form.addRow(self.locked_labels["snapshots_enabled"])
        for key, text, widget in (
            ("snapshot_max_mb", "&Largest copy:", self.snapshot_max_spin),
            ("snapshot_keep_days", "&Keep copies:", self.snapshot_keep_combo),
            ("feed_snapshot_daily_budget", "&Colleagues' links copied per day:", self.feed_budget_spin),
        ):
            label = QLabel(text, group)
            label.setBuddy(widget)
            form.addRow(label, widget)
            form.addRow("", self.locked_labels[key])
        return group

    # ------------------------------------------------------------------ team targets
    def set_target_kinds(self, kinds: list[TargetKindInfo]) -> None:
        """The kinds of target the Add form offers."""
        self.targets_page.set_target_kinds(kinds)

    def set_targets(self, targets: list[TargetInfo]) -> None:
        """The configured targets."""
        self.targets_page.set_targets(targets)

    def show_target_test_result(self, ok: bool, message: str, problem: str = "") -> None:
        self.targets_page.show_target_test_result(ok, message, problem)

    def show_target_note(self, message: str) -> None:
        """Something to do for the target being added (e.g. where to sign in, with the code)."""
        self.targets_page.show_target_note(message)

    def target_saved(self, name: str) -> None:
        self.targets_page.target_saved(name)

    def show_target_error(self, message: str) -> None:
        self.targets_page.show_target_error(message)

    def show_targets(self) -> None:
        """Switch to the Team targets tab."""
        self.tabs.setCurrentWidget(self.targets_page)

    def load(self, values: dict[str, Any]) -> None:
        """Show the current settings (missing keys keep their defaults)."""
        self.hotkey_edit.setKeySequence(QKeySequence(str(values.get("hotkey", DEFAULT_HOTKEY))))
        self.autostart_check.setChecked(bool(values.get("autostart", False)))
        index = self.kind_combo.findData(str(values.get("default_kind", Kind.TIP.value)))
        self.kind_combo.setCurrentIndex(max(0, index))
        self.targets_page.load_defaults(values)
        self._load_snapshot_values(values)
        self.hotkey_error.clear()

    def _load_snapshot_values(self, values: dict[str, Any]) -> None:
        merged = {**SNAPSHOT_DEFAULTS, **{k: values[k] for k in SNAPSHOT_DEFAULTS if k in values}}
        self.snapshots_check.setChecked(bool(merged["snapshots_enabled"]))
        self.snapshot_max_spin.setValue(_as_int(merged["snapshot_max_mb"], SNAPSHOT_DEFAULTS["snapshot_max_mb"]))
        self.feed_budget_spin.setValue(
            _as_int(merged["feed_snapshot_daily_budget"], SNAPSHOT_DEFAULTS["feed_snapshot_daily_budget"])
        )
        days = max(0, _as_int(merged["snapshot_keep_days"], 0))
        index = self.snapshot_keep_combo.findData(days)
        if index < 0:  # a value set elsewhere (config file, policy) is shown as it is
            self.snapshot_keep_combo.addItem(f"{days} days", days)
            index = self.snapshot_keep_combo.count() - 1
        self.snapshot_keep_combo.setCurrentIndex(index)
        self._update_snapshot_enabled()

    def values(self) -> dict[str, Any]:
        """What the dialog holds now, in the shape apply_requested carries."""
        return {
            "hotkey": self.hotkey_edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText),
            "autostart": self.autostart_check.isChecked(),
            "default_kind": str(self.kind_combo.currentData()),
            **self.targets_page.default_values(),
            "snapshots_enabled": self.snapshots_check.isChecked(),
            "snapshot_max_mb": self.snapshot_max_spin.value(),
            "snapshot_keep_days": int(self.snapshot_keep_combo.currentData()),
            "feed_snapshot_daily_budget": self.feed_budget_spin.value(),
        }

    def set_managed(self, managed: ManagedSettings) -> None:
        """Show what the organisation's policy manages: locked settings (with the policy in the
        tooltip and the person's own kept value), and on Team targets what may not change."""
        self.set_locked(set(managed.locked), managed.locked, managed.kept)
        self.targets_page.set_managed(managed.targets_fixed_by, managed.locked.get("main_target", ""))

    def set_locked(
        self, keys: set[str], sources: Mapping[str, str] | None = None, kept: Mapping[str, str] | None = None
    ) -> None:
        """Disable the settings an administrator manages and say so (`sources`: key -> policy name;
        `kept`: key -> the person's own value, which stays in config.toml)."""
        sources, kept = sources or {}, kept or {}
        widgets: dict[str, list[QWidget]] = {
            "hotkey": [self.hotkey_edit, self.reset_button],
            "autostart": [self.autostart_check],
            "default_kind": [self.kind_combo],
            "snapshots_enabled": [self.snapshots_check],
            "snapshot_max_mb": [self.snapshot_max_spin],
            "snapshot_keep_days": [self.snapshot_keep_combo],
            "feed_snapshot_daily_budget": [self.feed_budget_spin],
            **{key: [check] for key, check in self.targets_page.default_checks.items()},
        }
        self._locked = set(keys)
        for key, group in widgets.items():
            for widget in group:
                original = self._tips.setdefault(widget, widget.toolTip())
                tip = managed_tip(sources.get(key, "")) if key in keys else ""
                widget.setToolTip("\n".join(t for t in (original, tip) if t))
                if key not in SNAPSHOT_DEFAULTS or key == "snapshots_enabled":
                    widget.setEnabled(key not in keys)
        for key, label in self.locked_labels.items():
            label.setVisible(key in keys)
            own = kept.get(key)
            label.setText(f"{MANAGED} · your own ({own}) is kept" if own else MANAGED)
            label.setToolTip(managed_tip(sources.get(key, "")))
        self._update_snapshot_enabled()

    def _update_snapshot_enabled(self) -> None:
        """The copy settings apply only while copies are on; managed ones stay disabled."""
        on = self.snapshots_check.isChecked()
        for key, widget in (
            ("snapshot_max_mb", self.snapshot_max_spin),
            ("snapshot_keep_days", self.snapshot_keep_combo),
            ("feed_snapshot_daily_budget", self.feed_budget_spin),
        ):
            widget.setEnabled(on and key not in self._locked)

    def set_hotkey_backend(self, text: str) -> None:
        """The line under the hotkey naming the shortcut backend in use and its state ("" hides it)."""
        self.hotkey_backend.setText(text)
        self.hotkey_backend.setVisible(bool(text))

    def show_hotkey_error(self, msg: str) -> None:
        """Say why the hotkey cannot be used; the dialog stays open to pick another one."""
        self._close_when_applied = False
        self.hotkey_error.show_error(msg)
        self.hotkey_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def accept_applied(self) -> None:
        """The app applied the settings: close after OK (after Apply, stay open)."""
        self.hotkey_error.clear()
        if self._close_when_applied:
            self._close_when_applied = False
            self.accept()

    def _request(self, close: bool) -> None:
        if self.hotkey_edit.keySequence().isEmpty():
            self.show_hotkey_error(f"Choose a key combination, e.g. {DEFAULT_HOTKEY}.")
            return
        self._close_when_applied = close
        self.apply_requested.emit(self.values())

    def _on_buttons_accepted(self) -> None:
        self._request(close=True)

    def _on_apply_clicked(self) -> None:
        self._request(close=False)

    def _on_reset_button_clicked(self) -> None:
        self.hotkey_edit.setKeySequence(QKeySequence(DEFAULT_HOTKEY))

    def _on_hotkey_edit_key_sequence_changed(self, _sequence: QKeySequence) -> None:
        self.hotkey_error.clear()


def _backend_label(parent: QWidget) -> QLabel:
    """The muted line naming the hotkey backend and its state; hidden until there is one."""
    label = muted(QLabel(parent))
    label.setObjectName("hotkey_backend")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
