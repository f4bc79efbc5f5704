"""The python-xlib members Inflow uses, as Protocols (python-xlib ships no type hints).

Only for type checking: the X11 modules import these under TYPE_CHECKING and hold python-xlib's own
objects, so nothing wraps them at run time. Atoms, keysyms, keycodes and masks are ints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class XEvent(Protocol):
    """An event from the queue. Only `type` is on every event; the others on the types named."""

    type: int
    detail: int
    """KeyPress/KeyRelease: the keycode."""
    time: int
    """KeyPress/KeyRelease: the server time, the same on both halves of an auto-repeat."""
    request: int
    """MappingNotify: X.MappingKeyboard, X.MappingModifier or X.MappingPointer."""
    property: int
    """SelectionNotify: the property the selection was written to, or X.NONE."""
    state: int
    """PropertyNotify: X.PropertyNewValue or X.PropertyDelete."""


class XProperty(Protocol):
    """A window property as get_full_property returns it."""

    format: int
    """8, 16 or 32 bits per item."""
    property_type: int
    value: Sequence[int]
    """bytes for format 8, an array of ints for 16 and 32."""


class XWindow(Protocol):
    def get_full_property(self, property: int, property_type: int, sizehint: int = 10) -> XProperty | None: ...

    def delete_property(self, property: int) -> None: ...

    def grab_key(  # noqa: PLR0917 (python-xlib's signature)
        self, key: int, modifiers: int, owner_events: bool, pointer_mode: int, keyboard_mode: int, onerror: object
    ) -> None: ...

    def ungrab_key(self, key: int, modifiers: int) -> None: ...

    def create_window(  # noqa: PLR0917 (python-xlib's signature)
        self, x: int, y: int, width: int, height: int, border_width: int, depth: int, *, event_mask: int
    ) -> XWindow: ...

    def convert_selection(self, selection: int, target: int, property: int, time: int) -> None: ...


class XScreen(Protocol):
    root: XWindow


class XDisplay(Protocol):
    """One connection to an X server (Xlib.display.Display)."""

    def fileno(self) -> int: ...

    def close(self) -> None: ...

    def flush(self) -> None: ...

    def sync(self) -> None: ...

    def pending_events(self) -> int: ...

    def next_event(self) -> XEvent: ...

    def screen(self, sno: int | None = None) -> XScreen: ...

    def screen_count(self) -> int: ...

    def intern_atom(self, name: str) -> int: ...

    def create_resource_object(self, type: str, id: int) -> XWindow: ...

    def get_selection_owner(self, selection: int) -> XWindow | int:
        """The owner's window, or X.NONE."""
        ...

    def keysym_to_keycode(self, keysym: int) -> int: ...

    def get_modifier_mapping(self) -> Sequence[Sequence[int]]:
        """Per modifier (Shift, Lock, Control, Mod1..Mod5), the keycodes mapped to it."""
        ...

    def refresh_keyboard_mapping(self, evt: XEvent) -> None: ...
