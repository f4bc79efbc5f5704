"""Start-up of the tray app: Qt, the single-instance guard, the database, then the controller."""

from __future__ import annotations

import logging
import signal
import sqlite3
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from app.config import load_config
from app.instance_client import send_command
from app.logs import setup_logging
from app.paths import Paths

if TYPE_CHECKING:
    from app.instance_server import InstanceServer

log = logging.getLogger(__name__)


def run_app(paths: Paths, *, json_logging: bool, open_capture: bool = False) -> int:
    """Run until Quit. Returns the process exit code."""
    started = time.perf_counter()
    config = load_config(paths)
    setup_logging(paths.log_file, level=config.get_str("log_level"), json_to_stderr=json_logging)
    for problem in config.problems:
        log.warning("config: %s", problem)
    for problem in config.policy.problems:
        log.warning("policy: %s", problem)
    from app.autostart import user_config_home
    from app.policy.provisioning import enforce_autostart

    applied = enforce_autostart(config, paths, user_config_home())
    if applied:
        log.info("policy: %s", applied)

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
    notices = claim_instance(server, paths, open_capture=open_capture)
    if notices is None:
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

    _damage.paths = paths
    try:
        controller = AppController(qapp, paths, config, db, read_db)
        controller.start(open_capture=open_capture, notices=notices + [m for m in (recovered,) if m])
    except sqlite3.DatabaseError as exc:
        server.stop()
        return _offer_repair(paths, exc, running=False)
    server.command_received.connect(controller.handle_command)
    log.info("ready in %.0f ms (pid %d)", (time.perf_counter() - started) * 1000, _pid())
    code = qapp.exec()
    controller.shutdown()
    server.stop()
    if _damage.repair_requested:
        db.conn.close()
        read_db.conn.close()
        return _repair_and_restart(paths)
    return int(code)


def claim_instance(server: InstanceServer, paths: Paths, *, open_capture: bool) -> list[str] | None:
    """Start the single-instance server. None when another Inflow answers (it got the request and
    this one exits); else what to tell the person: why this one cannot listen, if it cannot."""
    from app.instance_server import Started

    started_as = server.start()
    if started_as is Started.OTHER_INSTANCE:
        log.info("another Inflow is running for this basedir; handing over")
        send_command(paths.socket_path, {"cmd": "capture-window" if open_capture else "show-library"})
        return None
    if started_as is Started.CANNOT_LISTEN:
        return [
            f"Inflow runs without its single-instance link ({server.problem}): other `inflow` "
            "commands cannot reach this copy, and starting Inflow again opens a second one."
        ]
    return []


class _Damage:
    """A damaged library met while running: told once; a repair runs after the app has quit."""

    paths: Paths | None = None
    told = False
    repair_requested = False


_damage = _Damage()


def _log_unexpected(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    log.critical("unexpected error", exc_info=(kind, value, tb))
    from storage.db import looks_corrupt

    if isinstance(value, sqlite3.DatabaseError) and looks_corrupt(value) and _damage.paths and not _damage.told:
        _damage.told = True
        _offer_repair(_damage.paths, value, running=True)


def _offer_repair(paths: Paths, exc: sqlite3.DatabaseError, *, running: bool) -> int:
    """The same line the CLI prints, in a message box with Repair (quit, repair, start again)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.commands_repair import library_problem

    text = library_problem(paths, exc).replace("Run `inflow repair` to recover it", "Repair it now")
    box = QMessageBox(QMessageBox.Icon.Critical, "Your Inflow library is damaged", text)
    repair = box.addButton("Repair and restart", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Later" if running else "Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not repair:
        return 1
    if running:
        _damage.repair_requested = True
        QApplication.quit()
        return 0
    return _repair_and_restart(paths)


def _repair_and_restart(paths: Paths) -> int:
    """Repair (backup, or salvage), say how it went, and start Inflow again on success."""
    import subprocess

    from PySide6.QtWidgets import QMessageBox

    from app.commands_library import backup_folder
    from app.paths import launch_command
    from storage.db import StorageError
    from storage.repair import repair_library

    try:
        result = repair_library(paths.database, backup_folder(paths))
    except StorageError as exc:
        log.error("repair failed: %s", exc)
        QMessageBox.critical(None, "Inflow could not repair your library", str(exc))
        return 1
    log.warning("library repaired: %s", result.describe())
    QMessageBox.information(None, "Inflow repaired your library", result.describe())
    subprocess.Popen(launch_command(paths), start_new_session=True)
    return 0


def _pid() -> int:
    import os

    return os.getpid()
