"""The global hotkey seam: one QObject per backend, and the backend for desktops without one."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.hotkey.keys import HotkeyError

__all__ = ["HotkeyBackend", "HotkeyError", "NullHotkey"]


class HotkeyBackend(QObject):
    """A system-wide shortcut that emits `activated` once per key press, whichever window has focus,
    and `state_changed` when `state()` changes later on its own (a desktop answering after register())."""

    activated = Signal()
    state_changed = Signal()
    name: str = "base"

    def register(self, sequence: str) -> None:
        """Grab `sequence` (Qt PortableText, "Ctrl+Alt+J"), replacing any previous one; HotkeyError if not."""
        raise NotImplementedError

    def unregister(self) -> None:
        """Release the shortcut (a no-op when none is registered)."""
        raise NotImplementedError

    def state(self) -> str:
        """One line for `inflow doctor`, e.g. "x11: Ctrl+Alt+J grabbed"."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the shortcut and any connection the backend holds."""
        self.unregister()


class NullHotkey(HotkeyBackend):
    """No global hotkey on this desktop: `register` explains what to do instead."""

    name = "none"

    def __init__(self, reason: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reason = reason

    def register(self, sequence: str) -> None:
        raise HotkeyError(self._reason)

    def unregister(self) -> None:
        pass

    def state(self) -> str:
        return f"none: {self._reason}"
