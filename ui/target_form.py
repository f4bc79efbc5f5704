"""The form that adds a team target: kind, name, the kind's settings and secret, Test connection and Save."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.icons import app_icon
from ui.ports import TargetKindInfo
from ui.widgets import InlineMessage, muted, tip

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
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
