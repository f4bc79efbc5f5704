"""The capture window's form: the kind row (with where the moment comes from), the text fields and the
size shown near the limit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storage.models import MAX_TEXT_BYTES, Kind
from ui.icons import kind_icon
from ui.widgets import TagCompleter

LONG_LINE = 5_000
"""Pasted lines longer than this switch the body to wrap-anywhere (word wrap is quadratic on them)."""


class BodyEdit(QPlainTextEdit):
    """The Markdown body; a paste with a huge unbroken line switches to cheap wrapping first."""

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.prepare_for(source.text())
        super().insertFromMimeData(source)

    def prepare_for(self, text: str) -> None:
        if len(text) > LONG_LINE and max(map(len, text.split("\n"))) > LONG_LINE:
            self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)


class KindRow(QWidget):
    """Resource, Tip and Question as toggle buttons, and on the right where the moment comes from.

    Signals:
        chosen(Kind): a kind was selected (by a click, a shortcut or set_kind()).
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source: tuple[str | None, str | None] = (None, None)
        """The app and window the moment comes from, as shown."""
        self.group = QButtonGroup(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.buttons: dict[Kind, QToolButton] = {}
        for number, kind in enumerate(Kind, start=1):
            button = QToolButton(self)
            button.setText(kind.label)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setIcon(kind_icon(kind))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{kind.label} (Ctrl+{number})")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.group.addButton(button, number)
            self.buttons[kind] = button
            row.addWidget(button)
        row.addStretch(1)
        self.context_label = QLabel(self)
        self.context_label.setTextFormat(Qt.TextFormat.PlainText)
        self.context_label.setEnabled(False)  # the palette's muted text colour
        row.addWidget(self.context_label, 0, Qt.AlignmentFlag.AlignRight)
        self.group.idToggled.connect(self._on_group_id_toggled)

    def current(self) -> Kind | None:
        checked = self.group.checkedId()
        return list(Kind)[checked - 1] if checked > 0 else None

    def set_kind(self, kind: Kind | str) -> None:
        self.buttons[Kind(kind)].setChecked(True)

    def show_source(self, app_name: str | None, window_title: str | None) -> None:
        """ "from: Firefox — Docs", cut in the middle when long (the whole text in the tooltip)."""
        self.source = (app_name or None, window_title or None)
        parts = [p for p in self.source if p]
        text = "from: " + " — ".join(parts) if parts else ""
        metrics = self.context_label.fontMetrics()
        self.context_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, 280))
        self.context_label.setToolTip(text)

    def _on_group_id_toggled(self, number: int, checked: bool) -> None:
        if checked:
            self.chosen.emit(list(Kind)[number - 1])


class SizeLabel(QLabel):
    """ "900 KiB of 1,024 KiB" once the text nears the most a moment may hold (greyed out above it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEnabled(False)
        self.hide()

    def show_size(self, title: str, body: str) -> None:
        size = len(title.encode("utf-8", "replace")) + len(body.encode("utf-8", "replace"))
        if size < MAX_TEXT_BYTES * 0.8:
            self.hide()
            return
        self.setText(f"{size / 1024:,.0f} KiB of {MAX_TEXT_BYTES // 1024:,} KiB")
        self.setEnabled(size <= MAX_TEXT_BYTES)
        self.show()


class TextFields(QWidget):
    """Title, Markdown body, link and tags, one under the other; beside the link, a "Use link" chip when
    the notes hold a web link and the Link field is empty (offer_link(), with link_finder set).

    Signals:
        edited(): any of them changed.
        submitted(): Enter was pressed in the title or the link.
    """

    edited = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_edit = QLineEdit(self, placeholderText="Title — what did you learn?")
        self.body_edit = BodyEdit(self)
        self.body_edit.setPlaceholderText("Notes (Markdown)")
        self.body_edit.setTabChangesFocus(True)
        self.url_edit = QLineEdit(self, placeholderText="Link (optional)")
        self.tags_edit = QLineEdit(self, placeholderText="Tags, separated by commas or spaces")
        self.tag_completer = TagCompleter(self.tags_edit)
        self.link_finder: Callable[[str], str | None] | None = None
        """The first web link in a text, or None (the app's; without it no chip is offered)."""
        self.link_chip = QToolButton(self)
        self.link_chip.setText("Use link from notes")
        self.link_chip.hide()
        self.link_chip.clicked.connect(self._on_link_chip_clicked)
        self._offered: str | None = None
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.link_chip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title_edit)
        layout.addWidget(self.body_edit, 1)
        layout.addLayout(url_row)
        layout.addWidget(self.tags_edit)
        for edit in self._line_edits():
            edit.textChanged.connect(self._on_line_edit_text_changed)
        self.body_edit.textChanged.connect(self.edited)
        self.title_edit.returnPressed.connect(self.submitted)
        self.url_edit.returnPressed.connect(self.submitted)

    def offer_link(self) -> None:
        """Show the chip when the notes hold a link and Link is empty; hide it otherwise."""
        found = None
        if self.link_finder is not None and not self.url_edit.text().strip():
            found = self.link_finder(self.body_edit.toPlainText())
        self._offered = found
        self.link_chip.setToolTip(f"Put {found} in the Link field" if found else "")
        self.link_chip.setVisible(found is not None)

    def _on_link_chip_clicked(self) -> None:
        if self._offered:
            self.url_edit.setText(self._offered)
        self.offer_link()

    def fill(self, title: str, body: str, url: str, tags: str) -> None:
        self.title_edit.setText(title)
        self.set_body(body)
        self.url_edit.setText(url)
        self.tags_edit.setText(tags)

    def set_body(self, text: str) -> None:
        self.body_edit.prepare_for(text)
        self.body_edit.setPlainText(text)

    def clear(self) -> None:
        for edit in self._line_edits():
            edit.clear()
        self.body_edit.clear()
        self.body_edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def set_read_only(self, read_only: bool) -> None:
        for edit in self._line_edits():
            edit.setReadOnly(read_only)
        self.body_edit.setReadOnly(read_only)

    def has_text(self) -> bool:
        """A title or a note has been typed."""
        return bool(self.title_edit.text()) or not self.body_edit.document().isEmpty()

    def is_blank(self) -> bool:
        """Nothing at all has been typed."""
        return not (self.has_text() or self.url_edit.text() or self.tags_edit.text())

    def _line_edits(self) -> tuple[QLineEdit, ...]:
        return (self.title_edit, self.url_edit, self.tags_edit)

    def _on_line_edit_text_changed(self, _text: str) -> None:
        if self.link_chip.isVisible() and self.url_edit.text().strip():
            self.link_chip.hide()
        self.edited.emit()
