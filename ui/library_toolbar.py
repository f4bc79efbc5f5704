"""The library's top row: search as you type, the kind and tag filters, and New, Import and Settings."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from storage.models import Kind, MomentQuery
from ui.widgets import tip

KIND_FILTERS = (
    ("All kinds", None),
    ("Resources", Kind.RESOURCE),
    ("Tips", Kind.TIP),
    ("Questions", Kind.QUESTION),
)


class LibraryToolbar(QWidget):
    """The search box and filters (what `query()` describes) and the window's three buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = QLineEdit(self, placeholderText="Search (Ctrl+F)", clearButtonEnabled=True)
        self.kind_combo = tip(QComboBox(self), "Show one kind of moment")
        for label, kind in KIND_FILTERS:
            self.kind_combo.addItem(label, kind.value if kind else None)
        self.tag_combo = tip(QComboBox(self), "Show moments with this tag")
        self.tag_combo.setMinimumContentsLength(10)
        self.tag_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.new_button = tip(QPushButton("New moment", self), "Capture a new moment (Ctrl+N)")
        self.import_button = tip(
            QPushButton("Import bookmarks…", self), "Import a browser's bookmarks file or an Inflow export"
        )
        self.settings_button = tip(QPushButton("Settings…", self), "Settings (Ctrl+,)")
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.kind_combo)
        top.addWidget(self.tag_combo)
        top.addSpacing(12)
        top.addWidget(self.new_button)
        top.addWidget(self.import_button)
        top.addWidget(self.settings_button)

    def query(self) -> MomentQuery:
        """The query the search box and filters describe."""
        kind = self.kind_combo.currentData()
        tag = self.tag_combo.currentData()
        return MomentQuery(text=self.search_edit.text().strip(), kind=Kind(kind) if kind else None, tag=tag)

    def set_tags(self, tags: list[str]) -> None:
        """The tags offered in the filter (most used first); the chosen one stays chosen if still there."""
        current = self.tag_combo.currentData()
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        self.tag_combo.addItem("All tags", None)
        for tag in tags:
            self.tag_combo.addItem(f"#{tag}", tag)
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(current)) if current else 0)
        self.tag_combo.blockSignals(False)
