"""The capture window's secret warning: what the check found, and Edit, Keep private or Share anyway."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.widgets import tone_style

MAX_FINDINGS_SHOWN = 3


def secret_warning_text(findings: list[str]) -> str:
    """ "This looks like it contains a secret: AWS access key on line 3, …" for up to three findings."""
    shown = ", ".join(findings[:MAX_FINDINGS_SHOWN]) or "a password or key"
    more = len(findings) - MAX_FINDINGS_SHOWN
    if more > 0:
        shown += f" and {more} more"
    noun = "a secret" if len(findings) <= 1 else "secrets"
    return f"This looks like it contains {noun}: {shown}. Shared moments leave this computer."


class SecretWarningBar(QFrame):
    """An inline warning with Edit, Keep private and Share anyway; nothing in the fields is touched."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SecretWarningBar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton("&Edit", self, autoDefault=True)
        self.edit_button.setToolTip("Go back to the note to remove the secret")
        self.private_button = QPushButton("&Keep private", self, autoDefault=True)
        self.private_button.setToolTip("Save it on this computer only")
        self.share_button = QPushButton("Share an&yway", self, autoDefault=True)
        self.share_button.setToolTip("Save and share it as it is")
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        for button in (self.edit_button, self.private_button, self.share_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.setStyleSheet(
            "#SecretWarningBar {" + tone_style(self, "warning") + "} QLabel { background: transparent; }"
        )
        self.hide()

    def show_findings(self, findings: list[str]) -> None:
        self.label.setText(secret_warning_text(findings))
        self.show()
        self.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)
