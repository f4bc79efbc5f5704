"""The 12-week chart of the weekly look back: moments per kind per week as stacked bars.

Drawn with QPainter in logical coordinates (crisp at any device pixel ratio), in the kinds' colours of
the library's icons. Keyboard: Left/Right (Home/End) move between weeks; the selected week's figures
are its accessible description, so a screen reader announces them, and `summary_text()` gives them
all as text.

Signals: `week_selected(int)` (index into the bars) after the selection moved.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from storage.models import Kind

KIND_COLORS = {Kind.RESOURCE: QColor("#2563eb"), Kind.TIP: QColor("#d97706"), Kind.QUESTION: QColor("#7c3aed")}
Bar = tuple[str, dict[Kind, int]]
"""One week: its label (2026-W49) and moments per kind."""

_LEFT, _BOTTOM, _TOP, _RIGHT = 32.0, 22.0, 8.0, 8.0


def describe(bar: Bar) -> str:
    label, counts = bar
    parts = ", ".join(f"{counts.get(kind, 0)} {kind.value}{'' if counts.get(kind, 0) == 1 else 's'}" for kind in Kind)
    return f"{label}: {sum(counts.values())} moments ({parts})"


class WeekChart(QWidget):
    """Stacked bars, one per week, oldest on the left; the newest is selected at first."""

    week_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[Bar] = []
        self._selected = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Moments per week, last 12 weeks")

    def sizeHint(self) -> QSize:
        return QSize(420, 160)

    def set_bars(self, bars: list[Bar]) -> None:
        self._bars = list(bars)
        self._selected = len(self._bars) - 1
        self._announce()
        self.update()

    def selected(self) -> int:
        return self._selected

    def summary_text(self) -> str:
        return "\n".join(describe(bar) for bar in self._bars)

    def scale_max(self) -> int:
        """The top of the axis: the largest week, at least 1."""
        return max([sum(c.values()) for _, c in self._bars] + [1])

    def plot_rect(self) -> QRectF:
        return QRectF(_LEFT, _TOP, max(1.0, self.width() - _LEFT - _RIGHT), max(1.0, self.height() - _TOP - _BOTTOM))

    def segment_rects(self, index: int) -> dict[Kind, QRectF]:
        """Where week `index`'s segments are drawn (logical coordinates), bottom to top in Kind order."""
        plot, (_, counts) = self.plot_rect(), self._bars[index]
        slot = plot.width() / len(self._bars)
        unit = plot.height() / self.scale_max()
        bottom, rects = plot.bottom(), {}
        for kind in Kind:
            height = counts.get(kind, 0) * unit
            rects[kind] = QRectF(plot.left() + index * slot + slot * 0.15, bottom - height, slot * 0.7, height)
            bottom -= height
        return rects

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves = {Qt.Key.Key_Left: self._selected - 1, Qt.Key.Key_Right: self._selected + 1, Qt.Key.Key_Home: 0}
        moves[Qt.Key.Key_End] = len(self._bars) - 1
        target = moves.get(Qt.Key(event.key()))
        if target is None or not self._bars:
            super().keyPressEvent(event)
            return
        target = min(max(target, 0), len(self._bars) - 1)
        if target != self._selected:
            self._selected = target
            self._announce()
            self.update()
            self.week_selected.emit(target)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def _announce(self) -> None:
        text = describe(self._bars[self._selected]) if self._bars else "No moments yet."
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        plot = self.plot_rect()
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 0))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.setPen(text)
        painter.drawText(QRectF(0, plot.top() - 6, _LEFT - 4, 14), Qt.AlignmentFlag.AlignRight, str(self.scale_max()))
        painter.drawText(QRectF(0, plot.bottom() - 8, _LEFT - 4, 14), Qt.AlignmentFlag.AlignRight, "0")
        slot = plot.width() / max(1, len(self._bars))
        for index, (label, _) in enumerate(self._bars):
            for kind, rect in self.segment_rects(index).items():
                if rect.height() > 0:
                    painter.fillRect(rect, KIND_COLORS[kind])
            if index % 3 == len(self._bars) % 3 or index == len(self._bars) - 1:  # every third label fits
                area = QRectF(plot.left() + (index - 1) * slot, plot.bottom() + 3, slot * 3, _BOTTOM - 3)
                painter.drawText(area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label[-3:])
        if 0 <= self._selected < len(self._bars) and self.hasFocus():
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), 2)
            painter.setPen(pen)
            painter.drawRect(QRectF(plot.left() + self._selected * slot + 1, plot.top(), slot - 2, plot.height()))
        painter.end()
