"""Start-up of the tray app: Qt, the single-instance guard, the tray and hotkey, then (on the event
loop's first turn) the database and the controller."""

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
    from PySide6.QtWidgets import QApplication
    from sqlite_utils import Database

    from app.config import Config
    from app.controller import AppController
    from app.instance_server import InstanceServer, Reply
    from app.start_shell import StartShell

log = logging.getLogger(__name__)


def start_or_hand_over(paths: Paths, *, json_logging: bool, open_capture: bool = False) -> int:
    """Run the tray app, or hand over to the running one (it opens the library, or the capture window)."""
    from app.instance_client import InstanceError

    try:
        reply = send_command(paths.socket_path, {"cmd": "capture-window" if open_capture else "show-library"})
    except InstanceError:
        reply = None
    if reply is not None:
        return 0
    return run_app(paths, json_logging=json_logging, open_capture=open_capture)


def run_app(paths: Paths, *, json_logging: bool, open_capture: bool = False) -> int:
    """Run until Quit. Returns the process exit code.

    The tray icon and the hotkey come first (app/start_shell.py); the library, the capture window
    and sync load on the event loop's first turn (`_finish_start`)."""
    started = time.perf_counter()
    config = load_config(paths)
    setup_logging(paths.log_file, level=config.get_str("log_level"), json_to_stderr=json_logging)
    for problem in config.problems:
        log.warning("config: %s", problem)
    for problem in config.policy.problems:
        log.warning("policy: %s", problem)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.instance_server import InstanceServer
    from app.start_shell import show_shell
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
    early = _EarlyCommands()
    server.command_received.connect(early.keep)
    shell = show_shell(qapp, config.get_str("hotkey"))
    log.info("tray shown in %.0f ms", (time.perf_counter() - started) * 1000)

    running = _Running()

    def finish() -> None:
        running.code = _finish_start(
            qapp,
            paths,
            config,
            server,
            early=early,
            shell=shell,
            open_capture=open_capture,
            notices=notices,
            running=running,
        )
        if running.code is not None:
            qapp.exit(running.code)
        else:
            log.info("ready in %.0f ms (pid %d)", (time.perf_counter() - started) * 1000, _pid())

    QTimer.singleShot(0, finish)
    code = qapp.exec()
    if running.controller is None:
        server.stop()
        return running.code if running.code is not None else int(code)
    running.controller.shutdown()
    server.stop()
    if _damage.repair_requested and running.databases:
        for db in running.databases:
            db.conn.close()
        return _repair_and_restart(paths)
    return int(code)


class _EarlyCommands:
    """Commands from other `inflow` processes that arrive before the controller is up, kept in order."""

    def __init__(self) -> None:
        self.kept: list[tuple[dict[str, object], Reply]] = []

    def keep(self, message: dict[str, object], reply: Reply) -> None:
        self.kept.append((message, reply))


class _Running:
    """What the deferred part of start-up made: the controller and its databases, or an exit code."""

    controller: AppController | None = None
    databases: tuple[Database, ...] = ()
    code: int | None = None


def _finish_start(
    qapp: QApplication,
    paths: Paths,
    config: Config,
    server: InstanceServer,
    *,
    early: _EarlyCommands,
    shell: StartShell,
    open_capture: bool,
    notices: list[str],
    running: _Running,
) -> int | None:
    """Everything after the tray icon: policy's autostart entry, the library, the controller. None
    when the app runs on; an exit code when it cannot (the reason was shown)."""
    from PySide6.QtWidgets import QMessageBox

    from app.autostart import user_config_home
    from app.policy.provisioning import enforce_autostart
    from storage.db import NewerDatabaseError, StorageError, open_database, open_or_recover

    applied = enforce_autostart(config, paths, user_config_home())
    if applied:
        log.info("policy: %s", applied)
    try:
        db, recovered = open_or_recover(paths.database)
        read_db = open_database(paths.database, readonly=True)
    except (NewerDatabaseError, StorageError) as exc:
        log.error("%s", exc)
        QMessageBox.critical(None, "Inflow cannot open your library", str(exc))
        return 1

    from app.controller import AppController

    _damage.paths = paths
    running.databases = (db, read_db)
    try:
        controller = AppController(qapp, paths, config, db, read_db, shell=shell)
        controller.start(open_capture=open_capture, notices=notices + [m for m in (recovered,) if m])
    except sqlite3.DatabaseError as exc:
        running.databases = ()
        return _offer_repair(paths, exc, running=False)
    running.controller = controller
    server.command_received.disconnect(early.keep)
    server.command_received.connect(controller.handle_command)
    for message, reply in early.kept:
        controller.handle_command(message, reply)
    early.kept.clear()
    return None


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
