"""The in-place editor of a moment in the library: its fields, filled from a draft and read back as one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storage.models import Draft, Kind, normalize_tags
from ui.flow_layout import FlowLayout, expanding_spacer
from ui.icons import kind_icon
from ui.widgets import InlineMessage, TagCompleter, muted, tip


class MomentEditor(QWidget):
    """Kind, title, notes, link and tags of one moment, with Save and Cancel.

    Signals:
        save_requested(): Save (or Enter in the title) was pressed.
        cancel_requested(): Cancel was pressed.
    """

    save_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = QComboBox(self)
        for kind in Kind:
            self.kind_combo.addItem(kind_icon(kind), kind.label, kind.value)
        self.title_edit = QLineEdit(self)
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setTabChangesFocus(True)
        self.url_edit = QLineEdit(self, placeholderText="Link (optional)")
        self.tags_edit = QLineEdit(self, placeholderText="Tags, separated by commas or spaces")
        self.tag_completer = TagCompleter(self.tags_edit)
        self.message = InlineMessage(self)
        self.cancel_button = tip(QPushButton("Cancel", self), "Discard the changes (Esc)")
        self.save_button = tip(QPushButton("Save", self), "Save the changes (Ctrl+Enter)")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.title_edit.returnPressed.connect(self.save_requested)
        form = QFormLayout()
        form.addRow("&Kind", self.kind_combo)
        form.addRow("&Title", self.title_edit)
        form.addRow("&Notes", self.body_edit)
        form.addRow("&Link", self.url_edit)
        form.addRow("T&ags", self.tags_edit)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: the field below its label
        buttons = FlowLayout()  # wraps when the pane is narrow
        hint = muted(QLabel("Ctrl+Enter saves · Esc cancels", self))
        hint.setWordWrap(True)
        for widget in (hint, expanding_spacer(self)):
            buttons.addWidget(widget)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def fill(self, draft: Draft) -> None:
        """Show this draft in the fields and clear any message."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(Kind(draft.kind).value))
        self.title_edit.setText(draft.title)
        self.body_edit.setPlainText(draft.body)
        self.url_edit.setText(draft.url or "")
        self.tags_edit.setText(", ".join(draft.tags))
        self.message.clear()

    def draft(self, *, source_app: str | None = None, source_window: str | None = None) -> Draft:
        """What the fields hold now (the source is the edited moment's: the editor does not change it)."""
        return Draft(
            kind=Kind(self.kind_combo.currentData()),
            title=self.title_edit.text(),
            body=self.body_edit.toPlainText(),
            url=self.url_edit.text().strip() or None,
            tags=normalize_tags(self.tags_edit.text()),
            source_app=source_app,
            source_window=source_window,
        )
