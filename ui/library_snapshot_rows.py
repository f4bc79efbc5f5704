"""The detail pane's offline-copy and kept-file lines: state and reason, with Read, Retry and Refresh."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from storage.models import KeptFile, Snapshot, SnapshotState
from ui.moment_view import file_status, snapshot_status
from ui.widgets import tip, tone_color


def link_button(text: str, tooltip: str, parent: QWidget) -> QToolButton:
    button = tip(QToolButton(parent), tooltip)
    button.setText(text)
    button.setAutoRaise(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class SnapshotRows(QWidget):
    """One line for the offline copy (what state it is in and why), one for a kept file; hidden when
    the moment has neither.

    Signals:
        read_clicked(), retry_clicked(), refresh_clicked(), open_file_clicked(): the line's buttons.
    """

    read_clicked = Signal()
    retry_clicked = Signal()
    refresh_clicked = Signal()
    open_file_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.online = True
        self.snapshot_label = QLabel(self)
        self.snapshot_label.setTextFormat(Qt.TextFormat.PlainText)
        self.snapshot_label.setWordWrap(True)
        self.snapshot_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.read_button = link_button("Read", "Read the offline copy (Ctrl+R)", self)
        self.retry_button = link_button("Retry", "Try to save an offline copy again", self)
        self.refresh_button = link_button(
            "Refresh copy", "Fetch the page again; the saved copy is kept if it fails", self
        )
        self.file_label = QLabel(self)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.file_label.setWordWrap(True)
        self.open_file_button = link_button("Open", "Open the kept file with its usual application", self)
        self.read_button.clicked.connect(self.read_clicked)
        self.retry_button.clicked.connect(self.retry_clicked)
        self.refresh_button.clicked.connect(self.refresh_clicked)
        self.open_file_button.clicked.connect(self.open_file_clicked)
        snapshot_row = QHBoxLayout()
        snapshot_row.setContentsMargins(0, 0, 0, 0)
        snapshot_row.setSpacing(2)
        snapshot_row.addWidget(self.snapshot_label, 1)
        for button in (self.read_button, self.retry_button, self.refresh_button):
            snapshot_row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        file_row = QHBoxLayout()
        file_row.setContentsMargins(0, 0, 0, 0)
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.open_file_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(snapshot_row)
        layout.addLayout(file_row)
        self.hide()

    def show_state(
        self,
        snapshot: Snapshot | None,
        kept: KeptFile | None,
        override: tuple[str, str, tuple[str, ...]] | None = None,
    ) -> None:
        """Show a copy's state (or, with `override`, a (text, tone, actions) line of the caller's)."""
        text, tone, actions = override or snapshot_status(snapshot, online=self.online)
        self.snapshot_label.setText(text)
        self.snapshot_label.setStyleSheet(f"color: {tone_color(self, tone)};" if tone else "")
        waiting = snapshot is not None and snapshot.state is SnapshotState.PENDING
        self.retry_button.setText("Retry now" if waiting else "Retry")
        buttons = {"read": self.read_button, "retry": self.retry_button, "refresh": self.refresh_button}
        for action, button in buttons.items():
            button.setVisible(action in actions)
        self.snapshot_label.setVisible(bool(text))
        file_text = file_status(kept)
        self.file_label.setText(file_text)
        self.file_label.setVisible(bool(file_text))
        self.open_file_button.setVisible(bool(file_text))
        self.setVisible(bool(text or file_text))
