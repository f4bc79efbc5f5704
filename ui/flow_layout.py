"""A layout that lays widgets out in a row and wraps them onto further rows when the width runs out."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget

_FALLBACK_SPACING = 6


class FlowLayout(QLayout):
    """Items left to right at their size hints (never below their minimum, never wider than a row); an item
    that does not fit starts the next row. A row's spare width goes to its horizontally expanding items, so
    an expanding spacer right-aligns what follows it. Hidden widgets take no room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def insert_widget(self, index: int, widget: QWidget) -> None:
        """Put a widget (already a child of the layout's widget) at this position."""
        self.addWidget(widget)
        self._items.insert(index, self._items.pop())
        self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        items = self._shown()
        width = sum(self._width(item, 1 << 20) for item in items) + self._spacing() * max(0, len(items) - 1)
        height = max((item.sizeHint().height() for item in items), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """As narrow as the widest item's minimum: the rest wraps."""
        items = self._shown()
        width = max((max(item.minimumSize().width(), 0) for item in items), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), self.heightForWidth(width) if items else 0)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _spacing(self) -> int:
        spacing = self.spacing()
        if spacing < 0:
            widget = self.parentWidget()
            style = widget.style() if widget is not None else None
            metric = QStyle.PixelMetric.PM_LayoutHorizontalSpacing
            spacing = style.pixelMetric(metric, None, widget) if style is not None else -1
        return spacing if spacing >= 0 else _FALLBACK_SPACING

    @staticmethod
    def _width(item: QLayoutItem, room: int) -> int:
        return min(max(item.sizeHint().width(), item.minimumSize().width()), room)

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        return item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height()

    def _rows(self, room: int) -> list[list[tuple[QLayoutItem, int]]]:
        rows: list[list[tuple[QLayoutItem, int]]] = [[]]
        used = 0
        for item in self._shown():
            width = self._width(item, room)
            if rows[-1] and used + self._spacing() + width > room:
                rows.append([])
                used = 0
            used += (self._spacing() if rows[-1] else 0) + width
            rows[-1].append((item, width))
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Place the items in `rect` (when `apply`); the height they take."""
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        room = max(1, inner.width())
        y = inner.top()
        for number, row in enumerate(self._rows(room)):
            spare = room - sum(width for _item, width in row) - self._spacing() * (len(row) - 1)
            growing = sum(1 for item, _width in row if _expands(item))
            widths = [width + (spare // growing if _expands(item) else 0) for item, width in row]
            height = max(self._height(item, width) for (item, _), width in zip(row, widths, strict=True))
            y += self._spacing() if number else 0
            x = inner.left()
            for (item, _), width in zip(row, widths, strict=True):
                if apply:
                    item_height = min(height, self._height(item, width))
                    top = y + (height - item_height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, item_height)))
                x += width + self._spacing()
            y += height
        return y - inner.top() + margins.top() + margins.bottom()


def _expands(item: QLayoutItem) -> bool:
    widget = item.widget()
    directions = widget.sizePolicy().expandingDirections() if widget is not None else item.expandingDirections()
    return bool(directions & Qt.Orientation.Horizontal)


def expanding_spacer(parent: QWidget) -> QWidget:
    """An empty widget that takes a row's spare width (what follows it sits at the right)."""
    spacer = QWidget(parent)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    spacer.setMinimumSize(0, 0)
    spacer.setFixedHeight(1)
    return spacer
