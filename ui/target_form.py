"""The form that adds (or edits) a team target: kind, name, the kind's settings and secret, Test
connection with its result inline, and Save. The fields of each kind are ui.target_fields."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.icons import app_icon
from ui.ports import TargetInfo, TargetKindInfo
from ui.target_fields import FORM_SPACING, KindPage, help_label, split_label
from ui.widgets import InlineMessage, muted, tip, tone_style

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


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


class ConnectionResult(QFrame):
    """Test connection's answer, inline: what was checked, what failed and how to fix it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ok: bool | None = None
        self.heading = QLabel(self)
        bold = self.heading.font()
        bold.setBold(True)
        self.heading.setFont(bold)
        self.heading.setWordWrap(True)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        self.hide()

    def show_result(self, ok: bool, checked: str, message: str, fix: str) -> None:
        self.ok = ok
        self.setStyleSheet(f"ConnectionResult {{ {tone_style(self, 'success' if ok else 'error')} }}")
        self.heading.setText("✓ Connection works" if ok else "✗ The connection test failed")
        lines = [f"Checked: {checked}"]
        if ok:
            lines.append(message or "The target answered.")
        else:
            lines.append(f"What failed: {message or 'no answer'}")
            if fix:
                lines.append(f"How to fix it: {fix}")
        self.details.setText("\n".join(lines))
        self.show()

    def clear(self) -> None:
        self.ok = None
        self.heading.clear()
        self.details.clear()
        self.hide()


def fix_for(problem: str, info: TargetKindInfo) -> str:
    """How to fix a failed test, from the kind of failure (sync.errors.ErrorKind, or "settings")."""
    secret = split_label(info.secret_label)[0].lower() or "sign-in"
    if problem == "auth":
        return f"check the {secret}: it may be mistyped, expired or revoked; make a new one and paste it here."
    if problem == "transient":
        return "check the address and your network connection, then test again; a busy server may answer later."
    if problem == "gone":
        return "the place no longer takes posts (archived or removed); choose another one."
    if problem in ("permanent", "settings"):
        return "check the settings above (address, room or channel, account) and test again."
    return ""


class TargetForm(QDialog):
    """Add a target (or edit one: `editing`): kind, name, the kind's settings and secret; Test connection
    and Save. Editing keeps the kind and name; an empty secret keeps the stored one.

    It does not close itself on Save: the page closes it when the app answers target_saved(), and keeps
    it open with everything typed after show_target_error().

    Signals:
        test_requested(str, str, dict, str): name, kind, settings, secret ("" when editing: the stored one).
        save_requested(str, str, dict, str): name, kind, settings, secret (validated).
    """

    test_requested = Signal(str, str, dict, str)
    save_requested = Signal(str, str, dict, str)

    def __init__(
        self,
        kinds: list[TargetKindInfo],
        taken: set[str],
        parent: QWidget | None = None,
        editing: TargetInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.editing = editing
        title = f"Edit {editing.name}" if editing else "Add a team target"
        self.setWindowTitle(f"{title} — Inflow")
        self.setWindowIcon(app_icon())
        self._taken = set(taken) - ({editing.name} if editing else set())
        self._name_touched = editing is not None
        self._saving = False
        self.kind_combo = QComboBox(self)
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind_combo.setMinimumContentsLength(12)
        self.pages = QWidget(self)
        pages_layout = QVBoxLayout(self.pages)
        pages_layout.setContentsMargins(0, 0, 0, 0)
        self.kind_pages: dict[str, KindPage] = {}
        reserved = {"k", "n", "t", "s"}  # Kind, Name, Test connection, Save
        for info in kinds:
            if editing is not None and info.kind != editing.kind:
                continue
            self.kind_combo.addItem(info.label, info.kind)
            page = KindPage(info, reserved, self.pages, editing=editing is not None)
            self.kind_pages[info.kind] = page
            pages_layout.addWidget(page)
        self.name_edit = QLineEdit(self)
        name_help = help_label("Letters, digits, - and _; shown in the capture window's Share row.", self)
        self.message = InlineMessage(self)
        self.test_result = ConnectionResult(self)
        self.test_button = tip(QPushButton("&Test connection", self), "Check the settings without saving")
        self.cancel_button = QPushButton("Cancel", self)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setDefault(True)

        labels = self._build_layout(name_help)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.test_button.clicked.connect(self.request_test)
        self.save_button.clicked.connect(self.request_save)
        self.cancel_button.clicked.connect(self.reject)
        self._top_labels = labels
        if editing is not None:
            self.name_edit.setText(editing.name)
            self.name_edit.setReadOnly(True)
            self.kind_combo.setEnabled(False)
            self.page.load(editing.settings)
        self._on_kind_changed(self.kind_combo.currentIndex())
        self.setTabOrder(self.kind_combo, self.name_edit)

    # ------------------------------------------------------------------ API
    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    @property
    def page(self) -> KindPage:
        return self.kind_pages[self.kind]

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))

    def settings(self) -> dict[str, str]:
        """What is typed; when editing, settings the form does not show (e.g. allow_insecure_http) are kept."""
        kept = dict(self.editing.settings) if self.editing is not None else {}
        return {**kept, **self.page.settings()}

    def request_test(self) -> None:
        """Emit test_requested with what is typed (the settings must be complete)."""
        problem = self.page.problem()
        if problem is not None:
            self._show_problem(*problem)
            return
        self.test_result.clear()
        self.message.show_hint("Testing the connection…")
        self.test_button.setEnabled(False)
        self.test_requested.emit(self.name_edit.text().strip(), self.kind, self.settings(), self.page.secret())

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
        self.save_requested.emit(name, self.kind, self.settings(), self.page.secret())

    def show_test_result(self, ok: bool, message: str, problem: str = "") -> None:
        """The test's answer under the fields: what was checked, and on failure what failed and the fix."""
        self.test_button.setEnabled(True)
        self.message.clear()
        self.test_result.show_result(ok, self._checked(), message, fix_for(problem, self.page.info))
        self.fit_height()

    def show_error(self, message: str) -> None:
        """Saving failed: say why and keep everything typed."""
        self._set_saving(False)
        self.message.show_error(message)
        self.fit_height()

    def fit_height(self) -> None:
        """As tall as the content at the current width (wrapped help and results included): no empty
        band, nothing cut off. Qt does not do this itself for a window whose text wraps."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        height = max(wanted, layout.totalMinimumSize().height())
        if height != self.height():
            self.resize(self.width(), height)

    # ------------------------------------------------------------------ internals
    def _build_layout(self, name_help: QLabel) -> list[QLabel]:
        """Lay the form out; returns the shared fields' labels."""
        top = QFormLayout()
        top.setHorizontalSpacing(FORM_SPACING)
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        top.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        kind_label = QLabel("&Kind:", self)
        kind_label.setBuddy(self.kind_combo)
        name_label = QLabel("&Name *:", self)
        name_label.setBuddy(self.name_edit)
        name_box = QWidget(self)
        name_column = QVBoxLayout(name_box)
        name_column.setContentsMargins(0, 0, 0, 0)
        name_column.setSpacing(2)
        name_column.addWidget(self.name_edit)
        name_column.addWidget(name_help)
        top.addRow(kind_label, self.kind_combo)
        top.addRow(name_label, name_box)
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
        layout.addWidget(self.test_result)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return [kind_label, name_label]

    def _checked(self) -> str:
        """What a test checks, in words: the kind, where, and with which sign-in."""
        info = self.page.info
        hosts = [urlsplit(v).hostname for v in self.page.settings().values() if v.startswith(("http://", "https://"))]
        where = f" at {hosts[0]}" if hosts and hosts[0] else ""
        secret = split_label(info.secret_label)[0].lower()
        how = f", signing in with the {secret}" if secret and not info.interactive_sign_in else ""
        return f"{info.label}{where}{how}, with the settings above"

    def _align_labels(self) -> None:
        """One label column across the shared fields and the shown kind's fields."""
        labels = [*self._top_labels, *self.page.labels]
        for label in labels:
            label.setMinimumWidth(0)
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText("Saving…" if saving else "&Save")

    def _show_problem(self, text: str, edit: QLineEdit) -> None:
        self.message.show_error(text)
        self.fit_height()
        edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_kind_changed(self, _index: int) -> None:
        if self.kind_combo.count() == 0:
            return
        # Only the shown kind's fields are laid out: no empty band from a longer kind.
        for page in self.kind_pages.values():
            page.setVisible(page is self.page)
        self._align_labels()
        if not self._name_touched:
            self.name_edit.setText(suggest_name(self.kind, self._taken))
        self.message.clear()
        self.test_result.clear()
        self.fit_height()

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
