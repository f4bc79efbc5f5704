"""Reading the X11 PRIMARY selection and CLIPBOARD with a deadline, off the GUI thread.

Qt's QClipboard blocks the GUI thread for up to 5 s when the selection's owner is slow or hung
(and a frozen capture window loses keystrokes). Here the request runs on a private python-xlib
connection with a timeout, so a hung owner only means "no context".
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from Xlib import X, error
from Xlib.display import Display

from storage.models import MAX_TEXT_BYTES

if TYPE_CHECKING:
    from app.xlib_types import XDisplay, XEvent, XWindow

DEFAULT_TIMEOUT_S = 0.3


def read_selection(name: str = "PRIMARY", timeout: float = DEFAULT_TIMEOUT_S) -> str:
    """The selection's text (UTF-8, at most MAX_TEXT_BYTES), or "" when none or too slow."""
    try:
        display: XDisplay = Display()
    except (error.DisplayError, OSError):
        return ""
    try:
        return _read(display, name, time.monotonic() + timeout)
    except (error.XError, error.ConnectionClosedError, OSError):
        return ""
    finally:
        display.close()


def _read(display: XDisplay, name: str, deadline: float) -> str:
    selection = display.intern_atom(name)
    if display.get_selection_owner(selection) == X.NONE:
        return ""
    window = display.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask)
    target = display.intern_atom("UTF8_STRING")
    prop = display.intern_atom("INFLOW_SELECTION")
    window.convert_selection(selection, target, prop, X.CurrentTime)
    display.flush()
    event = _wait_for(display, deadline, lambda e: e.type == X.SelectionNotify)
    if event is None or event.property == X.NONE:
        return ""
    data = window.get_full_property(prop, X.AnyPropertyType, sizehint=MAX_TEXT_BYTES // 4)
    if data is None:
        return ""
    if data.property_type == display.intern_atom("INCR"):
        return _read_incremental(display, window, prop, deadline)
    window.delete_property(prop)
    return _decode(bytes(data.value))


def _read_incremental(display: XDisplay, window: XWindow, prop: int, deadline: float) -> str:
    """Large selections arrive in chunks (the ICCCM INCR protocol); stop at MAX_TEXT_BYTES."""
    chunks: list[bytes] = []
    size = 0
    window.delete_property(prop)  # starts the transfer
    display.flush()
    while size <= MAX_TEXT_BYTES:
        event = _wait_for(display, deadline, lambda e: e.type == X.PropertyNotify and e.state == X.PropertyNewValue)
        if event is None:
            return ""
        data = window.get_full_property(prop, X.AnyPropertyType, sizehint=MAX_TEXT_BYTES // 4)
        window.delete_property(prop)
        display.flush()
        if data is None or not len(data.value):
            break
        chunk = bytes(data.value)
        chunks.append(chunk)
        size += len(chunk)
    return _decode(b"".join(chunks))


def _wait_for(display: XDisplay, deadline: float, wanted: Callable[[XEvent], bool]) -> XEvent | None:
    while True:
        while display.pending_events():
            event = display.next_event()
            if wanted(event):
                return event
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        readable, _, _ = select.select([display.fileno()], [], [], remaining)
        if not readable:
            return None


def _decode(raw: bytes) -> str:
    return raw[:MAX_TEXT_BYTES].decode("utf-8", "replace")


__all__ = ["DEFAULT_TIMEOUT_S", "read_selection"]
