"""Idle processes that load one more piece of Inflow's stack per stage, for the RSS breakdown.

    python -m bench.rss_probe STAGE      # writes `ready` to stderr, then idles until killed

Stages are cumulative: 0 bare python; 1 + QApplication (QtWidgets); 2 + a QSystemTrayIcon shown
(the minimal tray app); 3 + python-xlib with a grabbed hotkey watched by a QSocketNotifier; 4 +
sqlite_utils (imported and an in-memory database opened); 5 + everything the app imports at start-up (app.gui,
app.controller, the capture window, tray, instance server, storage), imported but not run.
Stages 2 and 3 are also the start-up floor of bench.app_bench (spawn -> icon docked).
"""

from __future__ import annotations

import sys
import time
from typing import Any

STAGES = (
    "bare python",
    "+ QApplication (QtWidgets)",
    "+ QSystemTrayIcon shown",
    "+ python-xlib hotkey grab",
    "+ sqlite_utils (a database open)",
    "+ Inflow's start-up modules imported",
)


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def main() -> int:
    stage = int(sys.argv[1])
    keep: list[Any] = []
    if stage == 0:
        say("ready")
        time.sleep(3600)
        return 0
    from PySide6.QtWidgets import QApplication

    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    if stage >= 2:
        from PySide6.QtGui import QColor, QIcon, QPixmap
        from PySide6.QtWidgets import QSystemTrayIcon

        pixmap = QPixmap(22, 22)
        pixmap.fill(QColor("teal"))
        tray = QSystemTrayIcon(QIcon(pixmap))
        keep.append(tray)
    if stage >= 3:
        from PySide6.QtCore import QSocketNotifier
        from Xlib import XK, X
        from Xlib.display import Display

        display = Display()
        keycode = display.keysym_to_keycode(XK.string_to_keysym("l"))
        display.screen().root.grab_key(keycode, X.ControlMask | X.Mod1Mask, False, X.GrabModeAsync, X.GrabModeAsync)
        display.sync()
        notifier = QSocketNotifier(display.fileno(), QSocketNotifier.Type.Read)
        notifier.activated.connect(lambda: [display.next_event() for _ in range(display.pending_events())])
        keep += [display, notifier]
    if stage >= 4:
        from sqlite_utils import Database

        keep.append(Database(memory=True))
    if stage >= 5:
        import app.controller
        import app.gui
        import app.hotkey.x11
        import app.instance_server
        import storage.db
        import ui.capture
        import ui.tray

        keep += [
            app.controller,
            app.gui,
            app.hotkey.x11,
            app.instance_server,
            storage.db,
            ui.capture,
            ui.tray,
        ]
    if stage >= 2:
        # Last, as Inflow does (controller.start): the icon docks as soon as show() has asked the
        # tray, even before the event loop runs, so docking marks "everything above is done".
        keep[0].show()
    say("ready")
    return int(qapp.exec())


if __name__ == "__main__":
    sys.exit(main())
