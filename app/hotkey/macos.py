"""macOS global hotkey: Carbon RegisterEventHotKey (no Accessibility permission), through app.carbon.

The handler is installed on the application event target, which the main run loop (the one Qt's
Cocoa event dispatcher runs) dispatches to: `activated` is emitted on the GUI thread, no polling.
Key codes are the ANSI (US) key positions of Events.h (kVK_ANSI_*); Qt's "Ctrl" is ⌘ on macOS and
"Meta" is ⌃, as in Qt's own shortcuts. macOS 15 ignores hotkeys whose only modifiers are ⌥ and ⇧.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from app import carbon
from app.hotkey.base import HotkeyBackend, HotkeyError
from app.hotkey.keys import KeyCombo, Modifier, parse_sequence

SIGNATURE = carbon.four_cc("Infl")
HOTKEY_ID = 1
_PICK_ANOTHER = "Pick another shortcut in Settings."
_MODIFIERS = {
    Modifier.CTRL: carbon.CMD_KEY,
    Modifier.META: carbon.CONTROL_KEY,
    Modifier.ALT: carbon.OPTION_KEY,
    Modifier.SHIFT: carbon.SHIFT_KEY,
}
_LETTERS = "asdfhgzxcv?bqweryt"  # 0x00..0x11 ('?' is 0x0A, the ISO section key)
_KEYCODES = {char: code for code, char in enumerate(_LETTERS) if char != "?"} | {
    "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "equal": 0x18, "9": 0x19, "7": 0x1A,
    "minus": 0x1B, "8": 0x1C, "0": 0x1D, "bracketright": 0x1E, "o": 0x1F, "u": 0x20, "bracketleft": 0x21,
    "i": 0x22, "p": 0x23, "Return": 0x24, "l": 0x25, "j": 0x26, "apostrophe": 0x27, "k": 0x28,
    "semicolon": 0x29, "backslash": 0x2A, "comma": 0x2B, "slash": 0x2C, "n": 0x2D, "m": 0x2E, "period": 0x2F,
    "Tab": 0x30, "space": 0x31, "grave": 0x32, "BackSpace": 0x33, "Escape": 0x35, "KP_Enter": 0x4C,
    "Insert": 0x72, "Home": 0x73, "Prior": 0x74, "Delete": 0x75, "End": 0x77, "Next": 0x79,
    "Left": 0x7B, "Right": 0x7C, "Down": 0x7D, "Up": 0x7E,
    "F1": 0x7A, "F2": 0x78, "F3": 0x63, "F4": 0x76, "F5": 0x60, "F6": 0x61, "F7": 0x62, "F8": 0x64, "F9": 0x65,
    "F10": 0x6D, "F11": 0x67, "F12": 0x6F, "F13": 0x69, "F14": 0x6B, "F15": 0x71, "F16": 0x6A, "F17": 0x40,
    "F18": 0x4F, "F19": 0x50, "F20": 0x5A,
}  # fmt: skip


class MacHotkey(HotkeyBackend):
    """One global shortcut registered with the Carbon Event Manager."""

    name = "macos"

    def __init__(self, api: carbon.Carbon | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._api = api or carbon.Carbon()
        self._handler: int | None = None
        self._ref: int | None = None
        self._combo: KeyCombo | None = None
        self._problem: str | None = None

    def register(self, sequence: str) -> None:
        combo = parse_sequence(sequence)
        modifiers, keycode = _keys(combo)
        self.unregister()
        self._problem = None
        if self._handler is None:
            status, handler = self._api.install_hotkey_handler(self._on_pressed)
            if status != carbon.NO_ERR:
                self._problem = f"the hotkey handler could not be installed (OSStatus {status})"
                raise HotkeyError(f"macOS refused Inflow's hotkey handler (OSStatus {status}). Restart Inflow.")
            self._handler = handler
        status, ref = self._api.register_hotkey(keycode, modifiers, SIGNATURE, HOTKEY_ID)
        if status == carbon.EVENT_HOT_KEY_EXISTS_ERR:
            self._problem = f"{combo.text} is taken by another program"
            raise HotkeyError(f"{combo.text} is already in use by another program. {_PICK_ANOTHER}")
        if status != carbon.NO_ERR:
            self._problem = f"{combo.text} was refused (OSStatus {status})"
            raise HotkeyError(f"macOS refused the shortcut {combo.text} (OSStatus {status}). {_PICK_ANOTHER}")
        self._ref, self._combo = ref, combo

    def unregister(self) -> None:
        if self._ref is not None:
            self._api.unregister_hotkey(self._ref)
        self._ref, self._combo = None, None

    def state(self) -> str:
        if self._combo is not None:
            return f"macos: {self._combo.text} registered"
        if self._problem:
            return f"macos: not registered ({self._problem})"
        return "macos: not registered"

    def close(self) -> None:
        self.unregister()
        if self._handler is not None:
            self._api.remove_handler(self._handler)
            self._handler = None

    def _on_pressed(self, signature: int, hotkey_id: int) -> bool:
        if signature != SIGNATURE or hotkey_id != HOTKEY_ID or self._combo is None:
            return False
        self.activated.emit()
        return True


def _keys(combo: KeyCombo) -> tuple[int, int]:
    """(Carbon modifier mask, virtual key code); HotkeyError for a combo macOS will not deliver."""
    if not combo.modifiers & {Modifier.CTRL, Modifier.META}:
        raise HotkeyError(
            f"{combo.text} does not work as a global shortcut on macOS (macOS 15 ignores shortcuts with only "
            f"⌥ Option and ⇧ Shift); add Ctrl (⌘) or Meta (⌃), e.g. Ctrl+Alt+J. {_PICK_ANOTHER}"
        )
    keycode = _KEYCODES.get(combo.keysym)
    if keycode is None:
        raise HotkeyError(f"{combo.text} has no key on a Mac keyboard. {_PICK_ANOTHER}")
    modifiers = 0
    for modifier in combo.modifiers:
        modifiers |= _MODIFIERS[modifier]
    return modifiers, keycode
