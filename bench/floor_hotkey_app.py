"""The floor for hotkey -> painted window: the least a PySide6 app can do for the same job.

    python -m bench.floor_hotkey_app [--key j]

Grabs Ctrl+Alt+KEY on the root window over a python-xlib connection watched by a QSocketNotifier
(the same mechanism, lock-key variants included, as app/hotkey/x11.py), and on the key press shows
an empty QWidget titled "Floor window". Its first paint after each show is written to stderr as
`painted at <unix time>` (one event-loop turn after the Paint event, as the app logs it). Escape
hides the window. `ready` is written once the event loop is about to start.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget
from Xlib import XK, X
from Xlib.display import Display


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


class Floor(QObject):
    def __init__(self, key: str) -> None:
        super().__init__()
        self.window = QWidget()
        self.window.setWindowTitle("Floor window")
        self.window.resize(480, 360)
        self.window.installEventFilter(self)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.window, self.window.hide)
        self.awaiting = False
        self.display: Any = Display()
        root = self.display.screen().root
        self.keycode = self.display.keysym_to_keycode(XK.string_to_keysym(key))
        base = X.ControlMask | X.Mod1Mask
        for locks in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
            root.grab_key(self.keycode, base | locks, False, X.GrabModeAsync, X.GrabModeAsync)
        self.display.sync()
        self.notifier = QSocketNotifier(self.display.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self.drain)

    def drain(self) -> None:
        while self.display.pending_events():
            event = self.display.next_event()
            if event.type == X.KeyPress and event.detail == self.keycode:
                self.awaiting = True
                self.window.show()
                self.window.raise_()
                self.window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint and self.awaiting:
            self.awaiting = False
            QTimer.singleShot(0, lambda: say(f"painted at {time.time():.6f}"))
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--key", default="j")
    args = parser.parse_args()
    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    floor = Floor(args.key)
    say("ready")
    code = qapp.exec()
    del floor
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
