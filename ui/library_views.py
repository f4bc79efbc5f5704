"""The library's views side by side as tabs: all moments first, then Today (and any view added later)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget


class LibraryViews(QTabWidget):
    """Tabs over the library's views; Ctrl+Tab / Ctrl+Shift+Tab switch between them (Qt's own keys)."""

    def __init__(self, moments: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self.addTab(moments, "All moments")

    def add_view(self, widget: QWidget, title: str) -> None:
        """Add a view after the others."""
        self.addTab(widget, title)

    def show_view(self, widget: QWidget) -> None:
        """Bring a view to the front (e.g. Today, from a notification)."""
        self.setCurrentWidget(widget)
