"""X11 global hotkey: XGrabKey on the root window over a private python-xlib connection.

The connection's socket is watched by a QSocketNotifier, so an idle app makes no syscalls. The grab
covers every combination of CapsLock, NumLock and ScrollLock, which X counts as modifiers too.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier
from Xlib import XK, X, error
from Xlib.display import Display

from app.hotkey.base import HotkeyBackend, HotkeyError
from app.hotkey.keys import KeyCombo, Modifier, parse_sequence

if TYPE_CHECKING:
    from app.xlib_types import XDisplay, XEvent, XWindow

_PICK_ANOTHER = "Pick another shortcut in Settings."
_MODIFIER_KEYSYMS = {
    Modifier.ALT: (("Alt_L", "Alt_R"), X.Mod1Mask),
    Modifier.META: (("Super_L", "Super_R"), X.Mod4Mask),
}


class X11Hotkey(HotkeyBackend):
    """One global shortcut grabbed on the X server named by $DISPLAY (or `display_name`)."""

    name = "x11"

    def __init__(self, display_name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._display_name = display_name
        self._display: XDisplay | None = None  # opened on the first register()
        self._notifier: QSocketNotifier | None = None
        self._combo: KeyCombo | None = None
        self._grabs: list[tuple[int, int]] = []  # (keycode, modifier mask) pairs held on every root
        self._problem: str | None = None  # why the last register() failed, for state()
        self._down = False

    def register(self, sequence: str) -> None:
        combo = parse_sequence(sequence)
        self.unregister()
        self._problem = None
        try:
            self._grab(combo)
        except HotkeyError:
            self._problem = self._problem or f"{combo.text} could not be grabbed"
            raise
        self._combo, self._problem = combo, None

    def unregister(self) -> None:
        self._combo, self._down = None, False
        if self._display is None or not self._grabs:
            return
        self._ungrab(self._display)
        self._drain(self._display)

    def state(self) -> str:
        if self._combo is not None:
            return f"x11: {self._combo.text} grabbed"
        if self._problem:
            return f"x11: not registered ({self._problem})"
        return "x11: not registered"

    def close(self) -> None:
        self.unregister()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._display is not None:
            self._display.close()
            self._display = None

    # ------------------------------------------------------------------ X11

    def _connect(self) -> XDisplay:
        if self._display is None:
            try:
                display: XDisplay = Display(self._display_name)
            except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
                self._problem = f"cannot connect to the X server: {exc}"
                raise HotkeyError(
                    "Inflow cannot reach the X server to set up its global shortcut "
                    f"({exc}). Restart Inflow from your desktop session."
                ) from exc
            self._display = display
            self._notifier = QSocketNotifier(display.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._on_readable)
        return self._display

    def _grab(self, combo: KeyCombo) -> None:
        display = self._connect()
        keycode = int(display.keysym_to_keycode(XK.string_to_keysym(combo.keysym)))
        if not keycode:
            self._problem = f"{combo.text} has no key on this keyboard layout"
            raise HotkeyError(f"{combo.text} cannot be typed on this keyboard layout. {_PICK_ANOTHER}")
        masks = _lock_variants(display, _modifier_mask(display, combo))
        catcher = error.CatchError(error.BadAccess)
        for root in _roots(display):
            for mask in masks:
                root.grab_key(keycode, mask, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        self._grabs = [(keycode, mask) for mask in masks]
        display.sync()
        if catcher.get_error() is not None:
            self._ungrab(display)  # some lock variants may have succeeded
            self._problem = f"{combo.text} is taken by another program"
            raise HotkeyError(f"{combo.text} is already in use by another program. {_PICK_ANOTHER}")
        self._drain(display)

    def _ungrab(self, display: XDisplay) -> None:
        for root in _roots(display):
            for keycode, mask in self._grabs:
                root.ungrab_key(keycode, mask)
        self._grabs = []
        display.sync()

    def _on_readable(self) -> None:
        if self._display is None:  # the notifier is disabled when the connection goes
            return
        try:
            self._drain(self._display)
        except error.ConnectionClosedError:
            self._problem = "lost the connection to the X server"
            self._combo, self._grabs, self._display = None, [], None
            if self._notifier is not None:
                self._notifier.setEnabled(False)

    def _drain(self, display: XDisplay) -> None:
        """Handle every queued event (python-xlib may hold some after a sync, with the socket idle)."""
        events: list[XEvent] = []
        while display.pending_events():
            events.append(display.next_event())
        keycode = self._grabs[0][0] if self._grabs else None
        skip = False
        for index, event in enumerate(events):
            if skip:
                skip = False
                continue
            if event.type == X.MappingNotify:
                self._on_mapping_notify(display, event)
            elif event.type == X.KeyRelease and event.detail == keycode:
                follower = events[index + 1] if index + 1 < len(events) else None
                # Auto-repeat arrives as Release+Press with the same timestamp: swallow both.
                skip = _is_repeat(event, follower)
                self._down = self._down and skip
            elif event.type == X.KeyPress and event.detail == keycode and self._combo and not self._down:
                self._down = True
                self.activated.emit()

    def _on_mapping_notify(self, display: XDisplay, event: XEvent) -> None:
        display.refresh_keyboard_mapping(event)
        if event.request in (X.MappingKeyboard, X.MappingModifier) and self._combo is not None:
            combo = self._combo
            self._ungrab(display)
            try:
                self._grab(combo)
            except HotkeyError:
                self._combo = None


def _roots(display: XDisplay) -> list[XWindow]:
    return [display.screen(i).root for i in range(display.screen_count())]


def _is_repeat(release: XEvent, follower: XEvent | None) -> bool:
    return bool(
        follower is not None
        and follower.type == X.KeyPress
        and follower.detail == release.detail
        and follower.time == release.time
    )


def _mask_of(display: XDisplay, keysyms: tuple[str, ...]) -> int:
    """The Mod1..Mod5 bit a key (e.g. Num_Lock) is mapped to, or 0."""
    codes = {int(display.keysym_to_keycode(XK.string_to_keysym(name))) for name in keysyms} - {0}
    for index, keycodes in enumerate(display.get_modifier_mapping()):
        if index >= 3 and codes & set(keycodes):
            return 1 << index
    return 0


def _modifier_mask(display: XDisplay, combo: KeyCombo) -> int:
    mask = 0
    if Modifier.CTRL in combo.modifiers:
        mask |= X.ControlMask
    if Modifier.SHIFT in combo.modifiers:
        mask |= X.ShiftMask
    for modifier, (keysyms, default) in _MODIFIER_KEYSYMS.items():
        if modifier in combo.modifiers:
            mask |= _mask_of(display, keysyms) or default
    return int(mask)


def _lock_variants(display: XDisplay, base: int) -> list[int]:
    """`base` plus every combination of CapsLock, NumLock and ScrollLock (where they are modifiers)."""
    locks = {int(X.LockMask), _mask_of(display, ("Num_Lock",)), _mask_of(display, ("Scroll_Lock",))}
    locks = {lock for lock in locks if lock and not lock & base}
    variants = {base}
    for count in range(1, len(locks) + 1):
        for subset in itertools.combinations(sorted(locks), count):
            variants.add(base | sum(subset))
    return sorted(variants)
