"""Small shared widgets: inline messages and dismissable bars (instead of modal dialogs)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

_TONES = {
    # tone: (background, light-theme text, dark-theme text)
    "error": ("rgba(220, 38, 38, 0.12)", "#b91c1c", "#fca5a5"),
    "hint": ("rgba(127, 127, 127, 0.12)", "", ""),
    "info": ("rgba(37, 99, 235, 0.12)", "", ""),
    "success": ("rgba(22, 163, 74, 0.14)", "#15803d", "#86efac"),
    "warning": ("rgba(217, 119, 6, 0.16)", "#92400e", "#fcd34d"),
}


def tone_style(widget: QWidget, tone: str) -> str:
    """A style sheet fragment (background, text colour, rounded corners) for a tone on this widget."""
    return _style(widget, tone)


def tone_color(widget: QWidget, tone: str) -> str:
    """The text colour of a tone (error, success, warning) on the widget's palette."""
    _background, light, dark = _TONES[tone]
    is_dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return (dark if is_dark else light) or widget.palette().color(QPalette.ColorRole.WindowText).name()


def _style(widget: QWidget, tone: str) -> str:
    background, light, dark = _TONES[tone]
    is_dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    color = (dark if is_dark else light) or widget.palette().color(QPalette.ColorRole.WindowText).name()
    return f"background-color: {background}; color: {color}; border-radius: 4px;"


def human_size(size: int) -> str:
    """A byte count for people (decimal units, as file managers show them): 512 bytes, 184 KB, 2.1 MB."""
    if size < 1000:
        return f"{size:,} byte{'s' if size != 1 else ''}"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        value = size / scale
        if value < 999.5 or unit == "GB":
            return f"{value:.1f} {unit}" if value < 9.95 and unit != "KB" else f"{value:,.0f} {unit}"
    return f"{size:,} bytes"  # pragma: no cover (the loop always returns)


_W = TypeVar("_W", bound=QWidget)


def tip(widget: _W, text: str) -> _W:
    """Set a tooltip and return the widget (keeps construction one line)."""
    widget.setToolTip(text)
    return widget


def muted(widget: _W) -> _W:
    """Draw a label in the palette's muted (disabled) text colour."""
    widget.setEnabled(False)
    return widget


def last_word_span(text: str, cursor: int) -> tuple[int, int]:
    """Start and end of the comma/space separated word that ends at the cursor."""
    start = cursor
    while start > 0 and text[start - 1] not in ", \t":
        start -= 1
    end = cursor
    while end < len(text) and text[end] not in ", \t":
        end += 1
    return start, end


class TagCompleter(QCompleter):
    """Completes the tag being typed (the last comma/space separated word) in a tags line edit."""

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self._edit = edit
        self._model = QStringListModel(self)
        self.setModel(self._model)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setWidget(edit)
        self.activated.connect(self._on_self_activated)
        edit.textEdited.connect(self._on_edit_text_edited)

    def set_tags(self, tags: list[str]) -> None:
        self._model.setStringList(list(tags))

    def _hide_popup(self) -> None:
        popup = self.popup()
        if popup is not None:
            popup.hide()

    def _on_edit_text_edited(self, text: str) -> None:
        start, end = last_word_span(text, self._edit.cursorPosition())
        prefix = text[start:end].lstrip("#")
        if not prefix:
            self._hide_popup()
            return
        self.setCompletionPrefix(prefix)
        if self.completionCount() > 0:
            self.complete()
        else:
            self._hide_popup()

    def _on_self_activated(self, tag: str) -> None:
        text = self._edit.text()
        start, end = last_word_span(text, self._edit.cursorPosition())
        self._edit.setText(f"{text[:start]}{tag}, {text[end:].lstrip(', ')}")
        self._edit.setCursorPosition(start + len(tag) + 2)


class InlineMessage(QLabel):
    """An inline error or hint under a form; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setContentsMargins(8, 6, 8, 6)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.tone = ""
        self.hide()

    def show_error(self, message: str) -> None:
        self._show(message, "error")

    def show_hint(self, message: str) -> None:
        self._show(message, "hint")

    def show_success(self, message: str) -> None:
        self._show(message, "success")

    def show_warning(self, message: str) -> None:
        self._show(message, "warning")

    def clear(self) -> None:
        super().clear()
        self.tone = ""
        self.hide()

    def _show(self, message: str, tone: str) -> None:
        self.tone = tone
        self.setStyleSheet(_style(self, tone))
        self.setText(message)
        self.show()


class InlineBar(QFrame):
    """A dismissable one-line bar with an optional action button (banner, undo, error).

    Signals:
        action_triggered(): the action button was pressed.
        dismissed(): the close button was pressed.
    """

    action_triggered = Signal()
    dismissed = Signal()

    def __init__(self, tone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InlineBar")
        self._tone = tone
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.action_button = QPushButton(self)
        self.action_button.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.action_button.clicked.connect(self.action_triggered)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.setStyleSheet("#InlineBar {" + _style(self, tone) + "} QLabel { background: transparent; }")
        self.hide()

    def show_message(self, text: str, action: str | None = None) -> None:
        """Show text, with an action button when an action label is given."""
        self.label.setText(text)
        self.action_button.setVisible(action is not None)
        self.action_button.setText(action or "")
        self.show()

    def _on_close_button_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()
