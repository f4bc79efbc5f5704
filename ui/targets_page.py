"""Settings → Team targets: the targets moments can be shared with, the form that adds one, sign-in again,
and the sharing defaults."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.icons import app_icon
from ui.ports import TargetInfo, TargetKindInfo
from ui.widgets import InlineMessage, muted, tip

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
MANAGED = "Managed by your organization"
SHARING_DEFAULTS = (
    ("share_tips", "Share new &tips with the main target by default", True),
    ("share_questions", "Share new &questions with the main target by default", True),
    ("share_resources", "Share new &resources with the main target by default", False),
)
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
FORM_SPACING = 10


def suggest_name(kind: str, taken: set[str]) -> str:
    """A free target name from the kind: "matrix", then "matrix-2", "matrix-3", ..."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", kind).strip("-").lower() or "target"
    taken_lower = {name.lower() for name in taken}
    if base not in taken_lower:
        return base
    number = 2
    while f"{base}-{number}" in taken_lower:
        number += 1
    return f"{base}-{number}"


def name_problem(name: str, taken: set[str]) -> str | None:
    """Why a target name cannot be used, or None."""
    if not name:
        return "Give the target a name, e.g. team-room."
    if not NAME_PATTERN.match(name):
        return "A target name may use only letters, digits, - and _ (no spaces), e.g. team-room."
    if name.lower() in {t.lower() for t in taken}:
        return f"There is already a target called {name}; choose another name."
    return None


class _KindPage(QWidget):
    """The fields of one kind of target: one line per setting and the secret."""

    def __init__(self, info: TargetKindInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.edits: dict[str, QLineEdit] = {}
        self.labels: list[QLabel] = []
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(FORM_SPACING)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for key in info.keys:
            edit = QLineEdit(self)
            edit.setObjectName(f"key_{key.name}")
            if key.help:
                edit.setPlaceholderText(key.help)
                edit.setToolTip(key.help)
            self.edits[key.name] = edit
            form.addRow(self._label(f"{key.label}{' *' if key.required else ''}:", edit), edit)
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setObjectName("secret")
        self.secret_edit.setToolTip("Kept in your system's keyring, never in the settings file")
        if info.interactive_sign_in:
            self.secret_edit.hide()
            note = QLabel("Save signs you in: a web address and a code appear here; enter the code there.", self)
            note.setWordWrap(True)
            form.addRow("", muted(note))
        elif info.secret_label:
            form.addRow(self._label(f"{info.secret_label} *:", self.secret_edit), self.secret_edit)
        else:
            self.secret_edit.hide()
        if not info.can_retract:
            form.addRow("", muted(QLabel("Shared moments cannot be removed from there later.", self)))

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        self.labels.append(label)
        return label

    def settings(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.edits.items()}

    def secret(self) -> str:
        return self.secret_edit.text() if self.info.secret_label else ""

    def problem(self) -> tuple[str, QLineEdit] | None:
        for key in self.info.keys:
            edit = self.edits[key.name]
            if key.required and not edit.text().strip():
                return f"{key.label} is required.", edit
        if self.info.secret_label and not self.info.interactive_sign_in and not self.secret_edit.text():
            return f"{self.info.secret_label} is required.", self.secret_edit
        return None


class TargetForm(QDialog):
    """Add a target: kind, name, the kind's settings and secret; Test connection and Save.

    It does not close itself on Save: the page closes it when the app answers target_saved(), and keeps
    it open with everything typed after show_target_error().

    Signals:
        test_requested(str, str, dict, str): name, kind, settings, secret.
        save_requested(str, str, dict, str): name, kind, settings, secret (validated).
    """

    test_requested = Signal(str, str, dict, str)
    save_requested = Signal(str, str, dict, str)

    def __init__(self, kinds: list[TargetKindInfo], taken: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a team target — Inflow")
        self.setWindowIcon(app_icon())
        self._taken = set(taken)
        self._name_touched = False
        self._saving = False
        self.kind_combo = QComboBox(self)
        self.pages = QStackedWidget(self)
        self.kind_pages: dict[str, _KindPage] = {}
        for info in kinds:
            self.kind_combo.addItem(info.label, info.kind)
            page = _KindPage(info, self.pages)
            self.kind_pages[info.kind] = page
            self.pages.addWidget(page)
        self.name_edit = tip(QLineEdit(self), "Letters, digits, - and _; shown in the capture window's Share row")
        self.message = InlineMessage(self)
        self.test_button = tip(QPushButton("&Test connection", self), "Check the settings without saving")
        self.cancel_button = QPushButton("Cancel", self)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setDefault(True)

        top = QFormLayout()
        top.setHorizontalSpacing(FORM_SPACING)
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        kind_label = QLabel("&Kind:", self)
        kind_label.setBuddy(self.kind_combo)
        name_label = QLabel("&Name *:", self)
        name_label.setBuddy(self.name_edit)
        top.addRow(kind_label, self.kind_combo)
        top.addRow(name_label, self.name_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        layout.addWidget(muted(QLabel("* required", self)))
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.test_button.clicked.connect(self.request_test)
        self.save_button.clicked.connect(self.request_save)
        self.cancel_button.clicked.connect(self.reject)
        self._align_labels([kind_label, name_label])
        self._on_kind_changed(self.kind_combo.currentIndex())
        self.setMinimumWidth(480)

    # ------------------------------------------------------------------ API
    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    @property
    def page(self) -> _KindPage:
        return self.kind_pages[self.kind]

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))

    def request_test(self) -> None:
        """Emit test_requested with what is typed (the settings must be complete)."""
        problem = self.page.problem()
        if problem is not None:
            self._show_problem(*problem)
            return
        self.message.show_hint("Testing the connection…")
        self.test_button.setEnabled(False)
        self.test_requested.emit(self.name_edit.text().strip(), self.kind, self.page.settings(), self.page.secret())

    def request_save(self) -> None:
        """Validate and emit save_requested; the form waits for the app's answer."""
        if self._saving:
            return
        name = self.name_edit.text().strip()
        problem_text = name_problem(name, self._taken)
        if problem_text is not None:
            self._show_problem(problem_text, self.name_edit)
            return
        problem = self.page.problem()
        if problem is not None:
            self._show_problem(*problem)
            return
        self._set_saving(True)
        self.message.show_hint("Saving…")
        self.save_requested.emit(name, self.kind, self.page.settings(), self.page.secret())

    def show_test_result(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        if ok:
            self.message.show_success(message or "Connection works.")
        else:
            self.message.show_error(message or "The connection test failed.")

    def show_error(self, message: str) -> None:
        """Saving failed: say why and keep everything typed."""
        self._set_saving(False)
        self.message.show_error(message)

    # ------------------------------------------------------------------ internals
    def _align_labels(self, labels: list[QLabel]) -> None:
        """One label column across the shared fields and each kind's fields."""
        labels = [*labels, *(label for page in self.kind_pages.values() for label in page.labels)]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText("Saving…" if saving else "&Save")

    def _show_problem(self, text: str, edit: QLineEdit) -> None:
        self.message.show_error(text)
        edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_kind_changed(self, _index: int) -> None:
        if self.kind_combo.count() == 0:
            return
        self.pages.setCurrentWidget(self.page)
        if not self._name_touched:
            self.name_edit.setText(suggest_name(self.kind, self._taken))
        self.message.clear()

    def _on_name_edited(self, _text: str) -> None:
        self._name_touched = True
        if self.message.tone == "error":
            self.message.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:  # the app is still answering; closing now would drop its answer
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:
        if not self._saving:
            super().reject()


class SignInDialog(QDialog):
    """Asks for a paused target's secret again.

    Signals:
        signin_requested(str, str): target name and the secret typed.
    """

    signin_requested = Signal(str, str)

    def __init__(self, target: TargetInfo, secret_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Sign in to {target.name} — Inflow")
        self.setWindowIcon(app_icon())
        self._name = target.name
        why = QLabel(f"Sharing with {target.name} is paused: {target.paused_reason or 'signed out'}.", self)
        why.setWordWrap(True)
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = InlineMessage(self)
        self.ok_button = QPushButton("Sign in", self)
        self.ok_button.setDefault(True)
        cancel = QPushButton("Cancel", self)
        form = QFormLayout()
        form.addRow(f"{secret_label or 'Password'}:", self.secret_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(why)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self._on_ok_clicked)
        cancel.clicked.connect(self.reject)
        self.setMinimumWidth(400)

    def _on_ok_clicked(self) -> None:
        if not self.secret_edit.text():
            self.message.show_error("Type it to sign in again.")
            self.secret_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.signin_requested.emit(self._name, self.secret_edit.text())
        self.accept()


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
        self.add_button.setEnabled(bool(kinds))

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
        self.remove_button.setEnabled(selected and not (target and target.managed))
        self.remove_button.setToolTip(
            MANAGED + ": it cannot be removed here" if target and target.managed else "Stop sharing with this target"
        )
        self.main_button.setEnabled(selected and not (target and target.is_main))
        self.test_button.setEnabled(selected)
        self.signin_button.setVisible(bool(target and target.paused_reason))

    def _on_remove_clicked(self) -> None:
        target = self.current_target()
        if target is None or target.managed:
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
