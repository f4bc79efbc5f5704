"""Windows global hotkey: RegisterHotKey, with WM_HOTKEY read by a Qt native event filter.

The hotkey is bound to a hidden native window created on the GUI thread, so WM_HOTKEY is posted to
the queue Qt's event loop reads: the filter sees it there ("windows_generic_MSG"), and also when a
native modal loop (a message box, moving a window) dispatches it to the window instead, which a
thread-bound (hWnd NULL) hotkey would lose. No polling and no keyboard hook. MOD_NOREPEAT keeps a held
key from repeating. All Win32 calls go through app.win32.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication, QObject
from PySide6.QtGui import QWindow

from app import win32
from app.hotkey.base import HotkeyBackend, HotkeyError
from app.hotkey.keys import PUNCTUATION_BY_KEYSYM, KeyCombo, Modifier, parse_sequence

HOTKEY_ID = 0x1F10
"""Inflow's hotkey id, in the range RegisterHotKey leaves to applications (0x0000-0xBFFF)."""
_PICK_ANOTHER = "Pick another shortcut in Settings."
_EVENT_TYPES = (b"windows_generic_MSG", b"windows_dispatcher_MSG")
_MODIFIERS = {
    Modifier.CTRL: win32.MOD_CONTROL,
    Modifier.ALT: win32.MOD_ALT,
    Modifier.SHIFT: win32.MOD_SHIFT,
    Modifier.META: win32.MOD_WIN,
}
_VIRTUAL_KEYS = {
    "space": 0x20, "Return": 0x0D, "KP_Enter": 0x0D, "Tab": 0x09, "Escape": 0x1B, "BackSpace": 0x08,
    "Insert": 0x2D, "Delete": 0x2E, "Home": 0x24, "End": 0x23, "Prior": 0x21, "Next": 0x22,
    "Left": 0x25, "Up": 0x26, "Right": 0x27, "Down": 0x28, "Print": 0x2C, "Pause": 0x13,
}  # fmt: skip
_VK_F1 = 0x70


class WindowsHotkey(HotkeyBackend):
    """One global shortcut registered with RegisterHotKey on a hidden window of the GUI thread."""

    name = "windows"

    def __init__(
        self,
        api: win32.Win32 | None = None,
        window_handle: Callable[[], int] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api or win32.Win32()
        self._window_handle = window_handle or self._hidden_window
        self._window: QWindow | None = None
        self._hwnd: int | None = None
        self._filter: _HotkeyFilter | None = None
        self._combo: KeyCombo | None = None
        self._problem: str | None = None

    def register(self, sequence: str) -> None:
        combo = parse_sequence(sequence)
        modifiers, vk = self._keys(combo)
        self.unregister()
        self._problem = None
        if self._hwnd is None:
            self._hwnd = self._window_handle()
        error = self._api.register_hotkey(self._hwnd, HOTKEY_ID, modifiers | win32.MOD_NOREPEAT, vk)
        if error == win32.ERROR_HOTKEY_ALREADY_REGISTERED:
            self._problem = f"{combo.text} is taken by another program"
            raise HotkeyError(f"{combo.text} is already in use by another program. {_PICK_ANOTHER}")
        if error:
            self._problem = f"{combo.text} was refused (Windows error {error})"
            raise HotkeyError(f"Windows refused the shortcut {combo.text} (error {error}). {_PICK_ANOTHER}")
        self._install_filter()
        self._combo = combo

    def unregister(self) -> None:
        if self._combo is not None:
            self._api.unregister_hotkey(self._hwnd, HOTKEY_ID)
            self._combo = None

    def state(self) -> str:
        if self._combo is not None:
            return f"windows: {self._combo.text} registered"
        if self._problem:
            return f"windows: not registered ({self._problem})"
        return "windows: not registered"

    def close(self) -> None:
        self.unregister()
        app = QCoreApplication.instance()
        if self._filter is not None and app is not None:
            app.removeNativeEventFilter(self._filter)
        self._filter = None
        if self._window is not None:
            self._window.destroy()
            self._window = None
        self._hwnd = None

    def handle_message(self, address: int) -> bool:
        """A native MSG (by address) from the event loop: True when it is our WM_HOTKEY."""
        msg = win32.read_msg(address)
        if msg.message != win32.WM_HOTKEY or msg.wParam != HOTKEY_ID or self._combo is None:
            return False
        self.activated.emit()
        return True

    def _keys(self, combo: KeyCombo) -> tuple[int, int]:
        """(MOD_* flags, virtual-key code) for a combo; HotkeyError when Windows has no such hotkey."""
        modifiers = 0
        for modifier in combo.modifiers:
            modifiers |= _MODIFIERS[modifier]
        keysym = combo.keysym
        if keysym == "F12":  # Microsoft: F12 is reserved for the debugger at all times
            raise HotkeyError(f"{combo.text} cannot be used on Windows: F12 is reserved for debuggers. {_PICK_ANOTHER}")
        if len(keysym) == 1 and keysym.isascii() and keysym.isalnum():
            return modifiers, ord(keysym.upper())
        if keysym[0] == "F" and keysym[1:].isdigit():
            return modifiers, _VK_F1 + int(keysym[1:]) - 1
        if keysym in _VIRTUAL_KEYS:
            return modifiers, _VIRTUAL_KEYS[keysym]
        char = PUNCTUATION_BY_KEYSYM.get(keysym)
        vk = self._api.virtual_key(char) if char else None
        if vk is None:
            raise HotkeyError(f"{combo.text} cannot be typed on this keyboard layout. {_PICK_ANOTHER}")
        return modifiers, vk

    def _install_filter(self) -> None:
        app = QCoreApplication.instance()
        if self._filter is None and app is not None:
            self._filter = _HotkeyFilter(self.handle_message)
            app.installNativeEventFilter(self._filter)  # Qt keeps no reference: self._filter does

    def _hidden_window(self) -> int:
        """A native window that is never shown, created on this (the GUI) thread."""
        self._window = QWindow()
        return int(self._window.winId())


class _HotkeyFilter(QAbstractNativeEventFilter):
    """Hands every Windows MSG the event loop sees to `handle(address)`; swallows ours."""

    def __init__(self, handle: Callable[[int], bool]) -> None:
        super().__init__()
        self._handle = handle

    def nativeEventFilter(self, eventType: QByteArray | bytes | bytearray | memoryview, message: int) -> object:  # noqa: N803 - Qt's name
        kind = eventType.data() if isinstance(eventType, QByteArray) else bytes(eventType)
        if kind in _EVENT_TYPES and self._handle(int(message)):
            return True, 0
        return False, 0
