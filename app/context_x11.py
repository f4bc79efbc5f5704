"""The active window's title and application on X11 (EWMH), over a private python-xlib connection.

The connection opens on first use (not at start-up) and is kept: four round trips, well under 5 ms.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from typing import TYPE_CHECKING

from Xlib import X, Xatom, error
from Xlib.display import Display

if TYPE_CHECKING:
    from app.xlib_types import XDisplay, XProperty, XWindow

_display: XDisplay | None = None
_lock = threading.Lock()  # reads come from short-lived threads; two at once share one connection


def active_window() -> tuple[str | None, str | None]:
    """(title, application class) of the focused window, or (None, None): never raises.

    Windows of this process (Inflow's own capture window) do not count.
    """
    global _display  # noqa: PLW0603 - one lazily opened connection per process
    with _lock:
        try:
            if _display is None:
                _display = Display()
                atexit.register(close)
            return _read(_display)
        except (error.XError, error.DisplayError, error.ConnectionClosedError, OSError):
            _close()  # a dead connection is closed (its socket too) and replaced next time
            return None, None


def close() -> None:
    """Close the kept connection (at exit; a later call opens a new one)."""
    with _lock:
        _close()


def _close() -> None:
    global _display  # noqa: PLW0603
    if _display is not None:
        with contextlib.suppress(Exception):
            _display.close()
        _display = None


def _read(display: XDisplay) -> tuple[str | None, str | None]:
    root = display.screen().root
    active = _property(root, display.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW)
    if active is None or not len(active.value) or not active.value[0]:
        return None, None
    window = display.create_resource_object("window", int(active.value[0]))
    pid = _property(window, display.intern_atom("_NET_WM_PID"), Xatom.CARDINAL)
    if pid is not None and len(pid.value) and int(pid.value[0]) == os.getpid():
        return None, None
    title = _text(_property(window, display.intern_atom("_NET_WM_NAME"), display.intern_atom("UTF8_STRING")))
    if title is None:
        title = _text(_property(window, Xatom.WM_NAME, X.AnyPropertyType))
    wm_class = _text(_property(window, Xatom.WM_CLASS, Xatom.STRING))
    app = None
    if wm_class:
        parts = [part for part in wm_class.split("\x00") if part]
        app = parts[-1] if parts else None  # "instance\0Class\0": the class part
    return title or None, app


def _property(window: XWindow, atom: int, kind: int) -> XProperty | None:
    try:
        return window.get_full_property(atom, kind)
    except (error.BadWindow, error.BadAtom, error.BadValue):
        return None


def _text(prop: XProperty | None) -> str | None:
    if prop is None or prop.format != 8:
        return None
    value = prop.value
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
    return raw.decode("latin-1" if prop.property_type == Xatom.STRING else "utf-8", "replace")
