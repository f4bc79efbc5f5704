"""The app's controller as a Wayland client, driven from inside (a headless compositor has no seat to
type on): the capture window is asked for as `inflow capture --window` asks, a moment is typed and
saved with Ctrl+Return, the library is opened, and a capture is handed over as `inflow capture` does.
Prints one JSON line with what it saw.

    QT_QPA_PLATFORM=wayland WAYLAND_DISPLAY=... python -m tests.desktop.wayland_client BASEDIR
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget


def wait(app: QApplication, predicate: Callable[[], Any], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.01)
    return False


def exposed(widget: QWidget) -> bool:
    """Mapped by the compositor: Qt marks a Wayland window exposed once the surface is configured."""
    handle = widget.windowHandle()
    return widget.isVisible() and handle is not None and handle.isExposed()


def main(basedir: str) -> int:
    from app.config import load_config
    from app.controller import AppController
    from app.paths import resolve_paths
    from storage.db import open_database
    from storage.moments import count_moments

    app = QApplication([sys.argv[0]])
    app.setDesktopFileName("inflow")
    paths = resolve_paths(basedir)
    db = open_database(paths.database)
    ctrl = AppController(app, paths, load_config(paths), db, open_database(paths.database, readonly=True))
    ctrl.start(open_capture=False, notices=[])
    seen: dict[str, Any] = {"platform": app.platformName(), "hotkey": ctrl.hotkey_state()}
    replies: list[object] = []
    ctrl.handle_command({"cmd": "capture-window"}, replies.append)
    capture = ctrl._capture
    seen["capture_exposed"] = wait(app, lambda: exposed(capture))
    QTest.keyClicks(capture.focusWidget() or capture, "Read the weston docs")
    QTest.keyClick(capture.focusWidget() or capture, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    seen["saved"] = wait(app, lambda: count_moments(db) == 1)
    seen["capture_hidden_after_save"] = wait(app, lambda: not capture.isVisible())
    ctrl.handle_command({"cmd": "show-library"}, replies.append)
    library = ctrl._library
    seen["library_exposed"] = library is not None and wait(app, lambda: exposed(library))
    seen["library_rows"] = library.model.rowCount() if library is not None else 0
    # As `inflow capture TEXT` hands it over: stored, then "Saved to Inflow" through the notification service.
    ctrl.handle_command({"cmd": "capture", "draft": {"kind": "tip", "title": "Told under weston"}}, replies.append)
    seen["cli_saved"] = wait(app, lambda: len(replies) == 3 and count_moments(db) == 2)
    seen["replies"] = replies
    ctrl.shutdown()
    print(json.dumps(seen), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
