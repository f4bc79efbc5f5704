"""The library's Today view: the moments brought back today, each answered with 1/2/3 (Still useful,
Not now, Done with it) or set to Never resurface. Widgets only: the data and the answers go through a
`TodaySource` the app layer provides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

ANSWER_LABELS = ("Still useful", "Not now", "Done with it")
"""Keys 1, 2, 3, in this order."""
EMPTY_TEXT = "Nothing to look back at today"
_DIGITS = {Qt.Key.Key_1: 1, Qt.Key.Key_2: 2, Qt.Key.Key_3: 3}


@dataclass(frozen=True, slots=True)
class TodayItem:
    """One moment brought back today."""

    moment_id: str
    title: str
    kind: str


class TodaySource(Protocol):
    """What the Today view reads and asks for (the app layer: reads are quick, writes go to the writer)."""

    def today(self) -> list[TodayItem]:
        """Today's moments, oldest due first."""
        ...

    def answer(self, moment_id: str, choice: int) -> None:
        """Record answer 1, 2 or 3 (ANSWER_LABELS) for the moment."""
        ...

    def never(self, moment_id: str) -> None:
        """Never bring this moment back."""
        ...


class TodayView(QWidget):
    """A list of today's moments; 1/2/3 answer the selected one, which then leaves the list."""

    def __init__(self, source: TodaySource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self.list = QListWidget(self)
        self.list.setAccessibleName("Today")
        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setMargin(24)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty_label)
        self.hint = hint = QLabel("Press 1, 2 or 3 to answer the selected moment.", self)
        self.list.setSpacing(3)
        buttons = QHBoxLayout()
        self.answer_buttons: list[QPushButton] = []
        for number, label in enumerate(ANSWER_LABELS, start=1):
            button = QPushButton(f"&{number} {label}", self)
            button.clicked.connect(lambda _checked=False, n=number: self.answer_current(n))
            buttons.addWidget(button)
            self.answer_buttons.append(button)
        buttons.addStretch(1)
        self.never_button = QPushButton("&Never resurface", self)
        self.never_button.clicked.connect(self.never_current)
        buttons.addWidget(self.never_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        for widget in (self.list, *self.answer_buttons, self.never_button):
            widget.installEventFilter(self)  # the list would take digits for its type-ahead search
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            choice = _DIGITS.get(Qt.Key(event.key()))
            if choice is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                self.answer_current(choice)
                return True
        return super().eventFilter(watched, event)

    def refresh(self) -> None:
        """Reload today's moments from the source."""
        self.list.clear()
        for item in self._source.today():
            row = QListWidgetItem(f"{item.title or '(untitled)'}  ·  {item.kind}")
            row.setData(Qt.ItemDataRole.UserRole, item.moment_id)
            self.list.addItem(row)
        self._update_state()
        if self.list.count():
            self.list.setCurrentRow(0)

    def _update_state(self) -> None:
        empty = self.list.count() == 0
        self.stack.setCurrentWidget(self.empty_label if empty else self.list)
        self.hint.setVisible(not empty)
        for button in (*self.answer_buttons, self.never_button):
            button.setEnabled(not empty)

    def _take_current(self) -> str | None:
        row = self.list.currentRow()
        if row < 0:
            return None
        item = self.list.takeItem(row)
        self._update_state()
        return str(item.data(Qt.ItemDataRole.UserRole))

    def answer_current(self, choice: int) -> None:
        """Answer the selected moment (1, 2 or 3) and take it off today's list."""
        moment_id = self._take_current()
        if moment_id is not None:
            self._source.answer(moment_id, choice)

    def never_current(self) -> None:
        """Never bring the selected moment back."""
        moment_id = self._take_current()
        if moment_id is not None:
            self._source.never(moment_id)
