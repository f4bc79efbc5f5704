"""The system tray icon and its menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import tray_icon


class Tray(QObject):
    """Inflow in the system tray; a left click opens the capture window.

    The QSystemTrayIcon is created on show(), so a Tray can be built (and its menu tested) where there
    is no tray.

    Signals:
        new_moment_requested(): "New moment" was chosen or the icon was clicked.
        library_requested(): "Library" was chosen.
        settings_requested(): "Settings…" was chosen.
        quit_requested(): "Quit" was chosen.
    """

    new_moment_requested = Signal()
    library_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon: QSystemTrayIcon | None = None
        self._tooltip = "Inflow"
        self.menu = QMenu()
        self.new_action = self._add("New moment", self.new_moment_requested)
        self.library_action = self._add("Library", self.library_requested)
        self.settings_action = self._add("Settings…", self.settings_requested)
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
        if self._icon is not None:
            self._icon.setToolTip(self._tooltip)

    def show(self) -> None:
        """Create (once) and show the tray icon."""
        if self._icon is None:
            self._icon = QSystemTrayIcon(tray_icon(), self)
            self._icon.setContextMenu(self.menu)
            self._icon.setToolTip(self._tooltip)
            self._icon.activated.connect(self._on_icon_activated)
        self._icon.show()

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
