"""What the library window's count, no-match message, empty state and offline mark say, and their labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QVBoxLayout, QWidget

from storage.models import MomentQuery
from ui.widgets import tone_color

OFFLINE_TEXT = "Offline: waiting for the network"


def count_text(count: int, query: MomentQuery, *, truncated: bool) -> str:
    """ "1,204 moments", "0 moments" for a search without matches, "" for an empty library."""
    if not count and not (query.text or query.kind or query.tag):
        return ""
    note = " (the newest matches)" if truncated else ""
    return f"{count:,} moment{'s' if count != 1 else ''}{note}"


def no_match_text(query: MomentQuery) -> str:
    what = f"“{query.text}”" if query.text else "these filters"
    return f"No moments match {what}.\n\nTry fewer words or another filter."


def empty_library_text(hotkey: str) -> str:
    return f"Your library is empty.\n\nPress {hotkey} anywhere to capture a learning moment,\nor Ctrl+N here."


def no_match_overlay(view: QAbstractScrollArea) -> QLabel:
    """A hidden message label laid over the view's viewport (the list and its frame stay in place)."""
    label = QLabel(view.viewport())
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setMargin(24)
    QVBoxLayout(view.viewport()).addWidget(label)
    label.hide()
    return label


def offline_mark(parent: QWidget) -> QLabel:
    """The status bar's hidden "Offline" label, in the warning colour."""
    label = QLabel(OFFLINE_TEXT, parent)
    label.setStyleSheet(f"color: {tone_color(parent, 'warning')};")
    label.setToolTip("Sharing and offline copies wait, and go out when the network is back.")
    label.hide()
    return label
