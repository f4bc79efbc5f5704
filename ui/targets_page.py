"""Settings → Team targets: the targets moments can be shared with, sign-in again and the sharing defaults
(the add form is ui.target_form, the sign-in dialog ui.signin_dialog)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.ports import TargetInfo, TargetKindInfo
from ui.signin_dialog import SignInDialog
from ui.target_form import TargetForm
from ui.widgets import InlineMessage, muted, tip

MANAGED = "Managed by your organization"
SHARING_DEFAULTS = (
    ("share_tips", "Share new &tips with the main target by default", True),
    ("share_questions", "Share new &questions with the main target by default", True),
    ("share_resources", "Share new &resources with the main target by default", False),
)
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def managed_tip(source: str) -> str:
    """The tooltip of a managed control: who manages it and where the policy is."""
    return f"{MANAGED} (policy: {source})" if source else MANAGED


class TargetsPage(QWidget):
    """The "Team targets" settings tab.

    Signals:
        target_test_requested(str, str, dict, str): name, kind, settings, secret ("" for a configured target:
            use the stored secret).
        target_add_requested(str, str, dict, str): name, kind, settings, secret from the Add form.
        target_remove_requested(str): remove this target (the person confirmed).
        main_target_requested(str): make this target the main one.
        signin_requested(str, str): a paused target's name and the secret typed again.
    """

    target_test_requested = Signal(str, str, dict, str)
    target_add_requested = Signal(str, str, dict, str)
    target_remove_requested = Signal(str)
    main_target_requested = Signal(str)
    signin_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._targets: list[TargetInfo] = []
        self._kinds: list[TargetKindInfo] = []
        self._targets_fixed_by = ""
        self._main_fixed_by = ""
        self.form: TargetForm | None = None
        self.signin_dialog: SignInDialog | None = None
        self.list = QListWidget(self)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.list.setMinimumHeight(120)
        self.empty_label = muted(QLabel("No team targets yet. Add one to share moments with your team.", self))
        self.empty_label.setWordWrap(True)
        self.add_button = tip(QPushButton("&Add…", self), "Add a Matrix room, an LRS, a webhook…")
        self.remove_button = tip(QPushButton("&Remove", self), "Stop sharing with this target")
        self.main_button = tip(QPushButton("Make &main", self), "New tips and questions go here by default")
        self.test_button = tip(QPushButton("&Test connection", self), "Check that the target answers")
        self.signin_button = tip(QPushButton("&Sign in again…", self), "Type the secret again to resume sharing")
        self.status = InlineMessage(self)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.main_button, self.test_button, self.signin_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)

        self.default_checks: dict[str, QCheckBox] = {}
        defaults = QGroupBox("Sharing defaults", self)
        defaults_layout = QVBoxLayout(defaults)
        for key, text, _default in SHARING_DEFAULTS:
            check = QCheckBox(text, defaults)
            self.default_checks[key] = check
            defaults_layout.addWidget(check)
        defaults_layout.addWidget(
            muted(QLabel("You can change it for each moment in the capture window (Ctrl+Shift+P).", defaults))
        )
        self.load_defaults({})

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(row, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.status)
        layout.addWidget(defaults)

        self.add_button.clicked.connect(self.open_add_form)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.main_button.clicked.connect(self._on_main_clicked)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.signin_button.clicked.connect(self.open_signin)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.set_targets([])

    # ------------------------------------------------------------------ API
    def set_target_kinds(self, kinds: list[TargetKindInfo]) -> None:
        """The kinds of target the Add form offers."""
        self._kinds = list(kinds)
        self._update_buttons()

    def set_managed(self, targets_fixed_by: str, main_fixed_by: str = "") -> None:
        """The organisation's policy: not empty `targets_fixed_by` means only its targets exist (no Add,
        Remove); not empty `main_fixed_by` means it chooses the main target. Each is the policy source."""
        self._targets_fixed_by = targets_fixed_by
        self._main_fixed_by = main_fixed_by
        self._update_buttons()

    def set_targets(self, targets: list[TargetInfo]) -> None:
        """Show the configured targets, keeping the selected one when it is still there."""
        current = self.current_target()
        self._targets = list(targets)
        labels = {k.kind: k.label for k in self._kinds}
        self.list.clear()
        for target in targets:
            notes = [labels.get(target.kind, target.kind)]
            if target.is_main:
                notes.append("★ main")
            if target.paused_reason:
                notes.append(f"paused: sign in again ({target.paused_reason})")
            if target.managed:
                notes.append(MANAGED)
            item = QListWidgetItem(f"{target.name}\n{' · '.join(notes)}")
            item.setData(NAME_ROLE, target.name)
            item.setToolTip("\n".join([target.name, *notes]))
            self.list.addItem(item)
        names = [t.name for t in targets]
        if current is not None and current.name in names:
            self.list.setCurrentRow(names.index(current.name))
        elif targets:
            self.list.setCurrentRow(0)
        self.list.setVisible(bool(targets))
        self.empty_label.setVisible(not targets)
        self._update_buttons()

    def current_target(self) -> TargetInfo | None:
        row = self.list.currentRow()
        return self._targets[row] if 0 <= row < len(self._targets) else None

    def open_add_form(self) -> TargetForm | None:
        """Open the Add form (window-modal, not blocking)."""
        if not self._kinds:
            return None
        if self._targets_fixed_by:
            return None
        if self.form is not None and self.form.isVisible():
            self.form.raise_()
            return self.form
        form = TargetForm(self._kinds, {t.name for t in self._targets}, self)
        form.test_requested.connect(self.target_test_requested)
        form.save_requested.connect(self.target_add_requested)
        form.finished.connect(self._on_form_finished)
        self.form = form
        form.open()
        form.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return form

    def open_signin(self) -> SignInDialog | None:
        target = self.current_target()
        if target is None or not target.paused_reason:
            return None
        label = next((k.secret_label for k in self._kinds if k.kind == target.kind), "")
        dialog = SignInDialog(target, label, self)
        dialog.signin_requested.connect(self.signin_requested)
        dialog.finished.connect(dialog.deleteLater)
        self.signin_dialog = dialog
        dialog.open()
        return dialog

    def show_target_test_result(self, ok: bool, message: str) -> None:
        """A connection test finished: shown in the Add form when it is open, else on the tab."""
        self.test_button.setEnabled(self.current_target() is not None)
        if self.form is not None and self.form.isVisible():
            self.form.show_test_result(ok, message)
        elif ok:
            self.status.show_success(message or "Connection works.")
        else:
            self.status.show_error(message or "The connection test failed.")

    def target_saved(self, name: str) -> None:
        """The app saved the target from the Add form: close it and select the new target."""
        if self.form is not None:
            form, self.form = self.form, None
            form._set_saving(False)
            form.accept()
            form.deleteLater()
        names = [t.name for t in self._targets]
        if name in names:
            self.list.setCurrentRow(names.index(name))
        self.status.show_success(f"Added {name}.")

    def show_target_error(self, message: str) -> None:
        """Adding (or another target action) failed: in the open form with everything kept, else on the tab."""
        if self.form is not None and self.form.isVisible():
            self.form.show_error(message)
        else:
            self.status.show_error(message)

    def load_defaults(self, values: dict[str, Any]) -> None:
        for key, _text, default in SHARING_DEFAULTS:
            self.default_checks[key].setChecked(bool(values.get(key, default)))

    def default_values(self) -> dict[str, bool]:
        return {key: check.isChecked() for key, check in self.default_checks.items()}

    # ------------------------------------------------------------------ internals
    def _update_buttons(self, *_args: object) -> None:
        target = self.current_target()
        selected = target is not None
        fixed = self._targets_fixed_by
        self.add_button.setEnabled(bool(self._kinds) and not fixed)
        self.add_button.setToolTip(
            managed_tip(fixed) + ": only its targets can be used" if fixed else "Add a Matrix room, an LRS, a webhook…"
        )
        managed = bool(target and target.managed)
        self.remove_button.setEnabled(selected and not managed and not fixed)
        if managed or fixed:
            self.remove_button.setToolTip(managed_tip(fixed) + ": targets cannot be removed here")
        else:
            self.remove_button.setToolTip("Stop sharing with this target")
        self.main_button.setEnabled(selected and not (target and target.is_main) and not self._main_fixed_by)
        self.main_button.setToolTip(
            managed_tip(self._main_fixed_by) + ": it chooses the main target"
            if self._main_fixed_by
            else "New tips and questions go here by default"
        )
        self.test_button.setEnabled(selected)
        self.signin_button.setVisible(bool(target and target.paused_reason))

    def _on_remove_clicked(self) -> None:
        target = self.current_target()
        if target is None or target.managed or self._targets_fixed_by:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Remove target — Inflow")
        box.setText(f"Stop sharing with {target.name}?")
        box.setInformativeText(
            "Moments already shared stay there; nothing more is sent. Queued moments for it are cancelled."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is remove:
            self.target_remove_requested.emit(target.name)

    def _on_main_clicked(self) -> None:
        target = self.current_target()
        if target is not None:
            self.main_target_requested.emit(target.name)

    def _on_test_clicked(self) -> None:
        target = self.current_target()
        if target is None:
            return
        self.status.show_hint(f"Testing {target.name}…")
        self.test_button.setEnabled(False)
        self.target_test_requested.emit(target.name, target.kind, dict(target.settings), "")

    def _on_form_finished(self, _result: int) -> None:
        form, self.form = self.form, None
        if form is not None:
            form.deleteLater()
