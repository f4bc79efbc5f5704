"""The system tray icon and its menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import tray_icon

_BADGE_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
BADGE_COLOR = QColor("#f59e0b")


def badged_icon(icon: QIcon, color: QColor = BADGE_COLOR) -> QIcon:
    """The icon with a warning dot in its top-right corner, painted at each size (crisp, not scaled)."""
    badged = QIcon()
    for size in _BADGE_SIZES:
        for ratio in (1.0, 2.0):
            pixmap = icon.pixmap(QSize(size, size), ratio)
            if pixmap.isNull():
                continue
            pixmap = QPixmap(pixmap)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            diameter = max(6.0, size * 0.46)
            outline = max(1.0, size / 16)
            rect = QRectF(size - diameter - outline / 2, outline / 2, diameter, diameter)
            painter.setPen(QPen(QColor("#262626"), outline))
            painter.setBrush(color)
            painter.drawEllipse(rect)
            if size >= 22:
                width = max(1.2, size / 14)
                painter.setPen(QPen(QColor("#262626"), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                center = rect.center().x()
                top, bottom = rect.top() + diameter * 0.25, rect.top() + diameter * 0.52
                painter.drawLine(QPointF(center, top), QPointF(center, bottom))
                painter.drawPoint(QPointF(center, rect.top() + diameter * 0.76))
            painter.end()
            badged.addPixmap(pixmap)
    return badged


class Tray(QObject):
    """Inflow in the system tray; a left click opens the capture window.

    The QSystemTrayIcon is created on show(), so a Tray can be built (and its menu tested) where there
    is no tray.

    Signals:
        new_moment_requested(): "New moment" was chosen or the icon was clicked.
        library_requested(): "Library" was chosen.
        settings_requested(): "Settings…" was chosen.
        welcome_requested(): "Getting started" was chosen (the first-run welcome again).
        quit_requested(): "Quit" was chosen.
        message_clicked(): the person clicked the last notification shown by show_message().
    """

    new_moment_requested = Signal()
    library_requested = Signal()
    settings_requested = Signal()
    welcome_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon: QSystemTrayIcon | None = None
        self._tooltip = "Inflow"
        self._attention = 0
        self._attention_text = ""
        self._badged: QIcon | None = None
        self.menu = QMenu()
        self.new_action = self._add("New moment", self.new_moment_requested)
        self.library_action = self._add("Library", self.library_requested)
        self.settings_action = self._add("Settings…", self.settings_requested)
        self.welcome_action = self._add("Getting started", self.welcome_requested)
        self.menu.addSeparator()
        self.quit_action = self._add("Quit Inflow", self.quit_requested)

    def _add(self, text: str, signal: SignalInstance) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(signal)
        return action

    @staticmethod
    def available() -> bool:
        """True when the desktop has a system tray to show the icon in."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def set_hotkey_hint(self, hotkey: str) -> None:
        """Name the capture hotkey in the tooltip and the menu."""
        self._tooltip = f"Inflow — press {hotkey} to capture"
        self.new_action.setText(f"New moment\t{hotkey}")
        self._apply()

    def set_attention(self, count: int, tooltip: str = "") -> None:
        """Deliveries that need the person (failed, paused): a warning dot on the icon and a tooltip line,
        e.g. set_attention(2, "2 deliveries need attention"); count 0 clears both."""
        self._attention = max(0, count)
        if self._attention:
            self._attention_text = tooltip or (f"{count} deliver{'y needs' if count == 1 else 'ies need'} attention")
        else:
            self._attention_text = ""
        self._apply()

    def icon(self) -> QIcon:
        """The icon the tray shows now (with the warning dot while something needs attention)."""
        if not self._attention:
            return tray_icon()
        if self._badged is None:
            self._badged = badged_icon(tray_icon())
        return self._badged

    def tooltip(self) -> str:
        """The tooltip the tray shows now."""
        return f"{self._tooltip}\n{self._attention_text}" if self._attention_text else self._tooltip

    def show(self) -> None:
        """Create (once) and show the tray icon."""
        if self._icon is None:
            self._icon = QSystemTrayIcon(self.icon(), self)
            self._icon.setContextMenu(self.menu)
            self._icon.activated.connect(self._on_icon_activated)
            self._icon.messageClicked.connect(self.message_clicked)
        self._apply()
        self._icon.show()

    def _apply(self) -> None:
        if self._icon is not None:
            self._icon.setIcon(self.icon())
            self._icon.setToolTip(self.tooltip())

    def hide(self) -> None:
        if self._icon is not None:
            self._icon.hide()

    def show_message(self, title: str, text: str) -> None:
        """A desktop notification from the tray icon (when it is showing)."""
        if self._icon is not None and self._icon.isVisible():
            self._icon.showMessage(title, text, tray_icon())

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.new_moment_requested.emit()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.library_requested.emit()
