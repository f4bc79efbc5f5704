"""The library's top row: search as you type, the kind and tag filters, and New, Import and Settings.

Narrower than one row needs (docked at a screen's side), Import and Settings move into a More menu and the
rest wraps onto further rows, so nothing is cut off at any width the window allows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QComboBox, QLineEdit, QMenu, QPushButton, QToolButton, QWidget

from storage.models import Kind, MomentQuery
from ui.flow_layout import FlowLayout
from ui.widgets import tip

KIND_FILTERS = (
    ("All kinds", None),
    ("Resources", Kind.RESOURCE),
    ("Tips", Kind.TIP),
    ("Questions", Kind.QUESTION),
)
_SEARCH_ROOM = 48  # beside the placeholder: the frame and the clear button


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
        self.more_button = tip(QToolButton(self), "Import bookmarks, Settings")
        self.more_button.setText("More ▾")  # the style's own arrow overlaps the text of a text-only button
        self.more_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.more_button.setAccessibleName("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        menu.addAction("Import bookmarks…", self.import_button.click)
        menu.addAction("Settings…", self.settings_button.click)
        self.more_button.setMenu(menu)
        self._flow = FlowLayout(self)
        self._flow.setContentsMargins(0, 0, 0, 0)
        self.compact: bool | None = None
        self._fit_search()
        self._arrange(compact=False)

    def _fit_search(self) -> None:
        """The search box is never narrower than its placeholder (with the current font)."""
        metrics = self.search_edit.fontMetrics()
        self.search_edit.setMinimumWidth(metrics.horizontalAdvance(self.search_edit.placeholderText()) + _SEARCH_ROOM)

    def _wide_width(self) -> int:
        """The width the one-row layout needs: every widget at its size hint, the search box at its minimum."""
        widgets = (self.kind_combo, self.tag_combo, self.new_button, self.import_button, self.settings_button)
        spacing = self._flow.spacing() if self._flow.spacing() >= 0 else 6
        return self.search_edit.minimumWidth() + sum(w.sizeHint().width() + spacing for w in widgets)

    def _arrange(self, *, compact: bool) -> None:
        """One row when wide; narrower: search, New and More (Import, Settings) first, the filters after."""
        if compact == self.compact:
            return
        self.compact = compact
        wide = (self.search_edit, self.kind_combo, self.tag_combo, self.new_button, self.import_button,
                self.settings_button, self.more_button)  # fmt: skip
        narrow = (self.search_edit, self.new_button, self.more_button, self.kind_combo, self.tag_combo,
                  self.import_button, self.settings_button)  # fmt: skip
        widget: QWidget
        for widget in wide:
            self._flow.removeWidget(widget)
        for index, widget in enumerate(narrow if compact else wide):
            self._flow.insert_widget(index, widget)
        self.import_button.setVisible(not compact)
        self.settings_button.setVisible(not compact)
        self.more_button.setVisible(compact)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(compact=event.size().width() < self._wide_width())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() is QEvent.Type.FontChange:
            self._fit_search()

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

    def choose_tag(self, tag: str) -> None:
        """Choose this tag in the filter (offered there too if it was not)."""
        if self.tag_combo.findData(tag) < 0:
            self.tag_combo.addItem(f"#{tag}", tag)
        self.tag_combo.setCurrentIndex(self.tag_combo.findData(tag))


def shortcut(
    keys: str | QKeySequence.StandardKey, parent: QWidget, slot: Callable[[], object], context: Qt.ShortcutContext
) -> QShortcut:
    """A keyboard shortcut on `parent` in the given context, calling `slot`."""
    result = QShortcut(QKeySequence(keys), parent)
    result.setContext(context)
    result.activated.connect(slot)
    return result
