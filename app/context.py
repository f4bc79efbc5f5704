"""What was on screen when a capture started: selection, clipboard, a URL, the active window."""

from __future__ import annotations

import contextlib
import logging
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from app.context_prefill import PrefillGate
from app.context_urls import find_url
from storage.models import MAX_TEXT_BYTES, clean_text
from ui.ports import CaptureContext

log = logging.getLogger(__name__)
__all__ = ["ContextFeed", "ContextReader", "find_url", "read_context", "read_context_x11"]


def read_context_x11() -> CaptureContext:
    """The same as read_context, over private X connections with a deadline (safe off the GUI thread)."""
    from app.context_x11 import active_window
    from app.selection_x11 import read_selection

    title, app = active_window()
    return _context(read_selection("PRIMARY"), read_selection("CLIPBOARD"), title, app)


class ContextReader(QObject):
    """Reads the screen context without ever blocking the GUI thread.

    Signals:
        context_read(CaptureContext): the context is ready (delivered on the GUI thread).
    """

    context_read = Signal(object)

    def read(self, clipboard: QClipboard) -> None:
        """On X11 read on a worker thread (a hung selection owner cannot freeze the window)."""
        if QGuiApplication.platformName() != "xcb":
            self.context_read.emit(read_context(clipboard))
            return
        threading.Thread(target=self._read_x11, name="inflow-context", daemon=True).start()

    def _read_x11(self) -> None:
        try:
            context = read_context_x11()
        except Exception:  # context is a nicety: never let it take the app down
            log.exception("could not read the screen context")
            context = CaptureContext()
        # The app may have quit while the context was being read: then nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            self.context_read.emit(context)


class ContextFeed(QObject):
    """The capture window's context: read without blocking (ContextReader), then only what may prefill
    (PrefillGate: not Inflow's own text, new since the last capture, fresh).

    Signals:
        admitted(CaptureContext): the context to apply (delivered on the GUI thread).
    """

    admitted = Signal(object)

    def __init__(self, qapp: QGuiApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._qapp = qapp
        self.reader = ContextReader(self)
        self.reader.context_read.connect(self._on_reader_context_read)
        self.gate = PrefillGate()
        self._owned = (False, False)  # Inflow owned the selection, the clipboard, when the read began
        qapp.clipboard().changed.connect(self._on_clipboard_changed)

    def read(self) -> None:
        """Read the context now; `admitted` follows."""
        clipboard = self._qapp.clipboard()
        self._owned = (clipboard.ownsSelection(), clipboard.ownsClipboard())
        self.reader.read(clipboard)

    def _on_reader_context_read(self, context: CaptureContext) -> None:
        own_selection, own_clipboard = self._owned
        live = QGuiApplication.platformName() == "cocoa"  # the frontmost app's current highlight
        self.admitted.emit(
            self.gate.admit(context, own_selection=own_selection, own_clipboard=own_clipboard, live_selection=live)
        )

    def _on_clipboard_changed(self, mode: QClipboard.Mode) -> None:
        self.gate.changed("selection" if mode == QClipboard.Mode.Selection else "clipboard")


def read_context(clipboard: QClipboard) -> CaptureContext:
    """The selection (X11; macOS with the Accessibility permission), the clipboard, the first http(s) URL
    in them and the active window (X11, Windows, macOS)."""
    selection = clipboard.text(QClipboard.Mode.Selection) if clipboard.supportsSelection() else ""
    title: str | None = None
    app: str | None = None
    platform = QGuiApplication.platformName()
    if platform == "xcb":
        from app.context_x11 import active_window

        title, app = active_window()
    elif platform == "windows":
        from app.context_windows import active_window as foreground_window

        title, app = foreground_window()
    elif platform == "cocoa":
        from app.context_macos import frontmost

        title, app, selection = frontmost()
    return _context(selection, clipboard.text(QClipboard.Mode.Clipboard), title, app)


def _context(selection: str, clipboard: str, title: str | None, app: str | None) -> CaptureContext:
    """Cleaned, capped context with the first URL found in the selection, else the clipboard."""
    selection, clipboard = _capped(selection), _capped(clipboard)
    return CaptureContext(
        selection=selection,
        clipboard=clipboard,
        url=find_url(selection) or find_url(clipboard),
        window_title=_capped(title) if title is not None else None,
        app_name=_capped(app) if app is not None else None,
    )


def _capped(text: str) -> str:
    """Clean text (NUL bytes, invalid UTF-8) cut to at most MAX_TEXT_BYTES of UTF-8."""
    text = clean_text(text)
    if len(text) * 4 <= MAX_TEXT_BYTES:
        return text
    return text.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
