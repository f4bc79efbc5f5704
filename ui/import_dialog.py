"""Progress of an import (browser bookmarks or an Inflow export), with Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ui.icons import app_icon

FETCHING_TEXT = "Fetching offline copies in the background…"
PROGRESS_STEPS = 1000
"""The bar follows how much of the file was read, in these steps."""


class ImportDialog(QDialog):
    """Shows how far an import is; the app drives it with set_progress() and finish().

    Cancel (or Esc, or closing the window) before the end emits cancel_requested once and says
    "Cancelling…"; the dialog stays until finish() tells what was imported, then Cancel becomes Close.

    Signals:
        cancel_requested(): stop the import (it is one transaction: nothing of it is kept).
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, noun: str = "bookmarks") -> None:
        super().__init__(parent)
        self.setWindowTitle("Import — Inflow")
        self.setWindowIcon(app_icon())
        self._noun = noun
        self._finished = False
        self._cancelling = False
        self.status_label = QLabel(f"Reading {noun}…", self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 0)  # busy until the total is known
        self.progress_bar.setTextVisible(True)
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = QPushButton("Cancel", self)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    @property
    def is_finished(self) -> bool:
        """True after finish()."""
        return self._finished

    def set_progress(self, done: int, fraction: float) -> None:
        """`done` items read so far, `fraction` (0..1) of the file; at 1.0 the background fetching is named."""
        if self._finished:
            return
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(round(PROGRESS_STEPS * max(0.0, min(fraction, 1.0))))
        if self._cancelling:
            return
        if fraction >= 1.0:
            self.status_label.setText(f"Imported {done:,} {self._noun}. {FETCHING_TEXT}")
        else:
            self.status_label.setText(f"Reading {self._noun}… {done:,} so far")

    def set_status(self, text: str) -> None:
        """Any other status line (e.g. "Reading bookmarks.html…")."""
        self.status_label.setText(text)

    def finish(self, summary: str) -> None:
        """The import is over: show the summary; Cancel becomes Close."""
        self._finished = True
        if self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(1)
        else:
            self.progress_bar.setValue(self.progress_bar.maximum())
        self.status_label.setText(summary)
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        """Cancel, Esc or the window's close button: ask to stop (once); close only when finished."""
        if self._finished:
            super().reject()
            return
        if not self._cancelling:
            self._cancelling = True
            self.status_label.setText("Cancelling… nothing of this import will be kept.")
            self.cancel_button.setEnabled(False)
            self.cancel_requested.emit()
