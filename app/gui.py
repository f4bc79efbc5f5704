"""Start-up of the tray app: Qt, the single-instance guard, the database, then the controller."""

from __future__ import annotations

import logging
import signal
import sys
import time
from types import TracebackType

from app.config import load_config
from app.instance_client import send_command
from app.logs import setup_logging
from app.paths import Paths

log = logging.getLogger(__name__)


def run_app(paths: Paths, *, json_logging: bool, open_capture: bool = False) -> int:
    """Run until Quit. Returns the process exit code."""
    started = time.perf_counter()
    config = load_config(paths)
    setup_logging(paths.log_file, level=config.get_str("log_level"), json_to_stderr=json_logging)
    for problem in config.problems:
        log.warning("config: %s", problem)

    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.instance_server import InstanceServer
    from storage.db import NewerDatabaseError, StorageError, open_database, open_or_recover
    from ui.icons import app_icon

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in a terminal ends the app
    sys.excepthook = _log_unexpected  # an exception in a slot is logged; the app keeps running
    qapp = QApplication(sys.argv[:1])
    qapp.setApplicationName("Inflow")
    qapp.setApplicationDisplayName("Inflow")
    qapp.setDesktopFileName("inflow")
    qapp.setQuitOnLastWindowClosed(False)
    qapp.setWindowIcon(app_icon())

    server = InstanceServer(paths.socket_path, paths.lock_path)
    if not server.start():
        log.info("another Inflow is running for this basedir; handing over")
        send_command(paths.socket_path, {"cmd": "capture-window" if open_capture else "show-library"})
        return 0

    try:
        db, recovered = open_or_recover(paths.database)
        read_db = open_database(paths.database, readonly=True)
    except (NewerDatabaseError, StorageError) as exc:
        log.error("%s", exc)
        QMessageBox.critical(None, "Inflow cannot open your library", str(exc))
        server.stop()
        return 1

    from app.controller import AppController

    controller = AppController(qapp, paths, config, db, read_db)
    controller.start(open_capture=open_capture, notices=[m for m in (recovered,) if m])
    server.command_received.connect(controller.handle_command)
    log.info("ready in %.0f ms (pid %d)", (time.perf_counter() - started) * 1000, _pid())
    code = qapp.exec()
    controller.shutdown()
    server.stop()
    return int(code)


def _log_unexpected(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    log.critical("unexpected error", exc_info=(kind, value, tb))


def _pid() -> int:
    import os

    return os.getpid()
