"""Sign in again: the secret of a paused target typed anew (a short label with a mnemonic, help under
the field, Show/Hide), laid out as the Add-target form's secret is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.icons import app_icon
from ui.ports import TargetInfo
from ui.target_fields import ShowButton, secret_row, split_label, with_help, with_mnemonic
from ui.widgets import InlineMessage


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
        taken = {"s", "c"}  # &Sign in, &Cancel
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setToolTip("Kept in your system's keyring, never in the settings file")
        short, note = split_label(secret_label or "Password")
        self.secret_label = QLabel(with_mnemonic(f"{short}:", taken), self)
        self.secret_label.setBuddy(self.secret_edit)
        self.show_button = ShowButton(self.secret_edit, taken, self)
        self.message = InlineMessage(self)
        self.ok_button = QPushButton("&Sign in", self)
        self.ok_button.setDefault(True)
        cancel = QPushButton("&Cancel", self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.secret_label, with_help(secret_row(self.secret_edit, self.show_button, self), note, self))
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
