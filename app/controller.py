"""Wires the running app together: tray, capture window, library, settings, hotkey, writer.

Windows only emit intents; this controller turns them into writes (through the one writer thread)
and turns the results back into what the windows show.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QApplication
from sqlite_utils import Database

from app.capture_saves import CaptureSaves, adding
from app.config import Config
from app.context import ContextFeed, find_url
from app.instance_server import Reply
from app.library_actions import LibraryActions
from app.library_source import DatabaseLibrarySource
from app.maintenance import Maintenance
from app.paths import Paths
from app.settings_controller import SettingsController
from app.shared_edits import refuse_secret_in_shared_edit
from app.sharing import Sharing
from app.welcome import Welcome
from app.writer import StorageWriter, WriteOp
from storage.interchange.json_format import moment_to_dict
from storage.models import MAX_FILE_BYTES, Draft, DraftError, Kind, Moment, validate_draft
from storage.moments import delete_moments, undelete_moments, update_moment
from ui.ports import CaptureContext

if TYPE_CHECKING:
    from app.notify import Notifier
    from app.start_shell import StartShell
    from ui.library import LibraryWindow

log = logging.getLogger(__name__)


class AppController(QObject):
    """The running app's behaviour; owns every window and the hotkey."""

    _notification_clicked = Signal(int)  # from the notifier's thread

    def __init__(
        self,
        qapp: QApplication,
        paths: Paths,
        config: Config,
        db: Database,
        read_db: Database,
        *,
        shell: StartShell | None = None,
    ) -> None:
        """`shell`: the tray and hotkey start-up already showed and armed (app/start_shell.py); without
        it the controller makes its own, shown and registered in start()."""
        super().__init__()
        from app.hotkey import create_hotkey_backend
        from ui.capture import CaptureWindow
        from ui.tray import Tray

        self._qapp = qapp
        self._paths, self._read_db = paths, read_db
        self._config = config
        self._source = DatabaseLibrarySource(read_db, lambda: list(config.targets))
        self._writer = StorageWriter(db, self)
        self._writer.changed.connect(self._on_writer_changed)
        self._writer.change_failed.connect(self._on_writer_change_failed)
        self._library: LibraryWindow | None = None
        self._notifier: Notifier | None = None
        self._notified: dict[int, str] = {}  # notification id -> moment id (for clicks)
        self._last_answered: str | None = None

        self._capture = CaptureWindow()
        self._awaiting_paint = False
        self._stopped = False
        self._capture.installEventFilter(self)
        self._capture.set_default_kind(Kind(config.get_str("default_kind")))

        self._shell = shell
        self._tray = shell.tray if shell is not None else Tray(self)
        self._connect_tray()
        self._welcome = Welcome(paths, open_library=self.open_library, open_team=self._open_team_targets)
        self._tray.quit_requested.connect(self._qapp.quit)
        self._tray.message_clicked.connect(self._on_tray_message_clicked)

        self._sharing = Sharing(paths, config, self._writer, read_db, self._tray)
        self._sharing.answers_arrived.connect(self._on_sharing_answers_arrived)
        self._sharing.synced.connect(self._on_sharing_synced)
        self._saves = CaptureSaves(
            self._capture, self._writer, config, paths.draft_file, check=self._sharing.secret_findings, parent=self
        )
        self._saves.saved.connect(self._on_saved)
        self._maintenance = Maintenance(paths, config, self)
        self._library_actions = LibraryActions(
            paths, config, self._writer, self._on_library_changed, self._source.has_unseen_replies
        )
        self._settings = SettingsController(
            paths, config, self._sharing, self._register_hotkey, self._tell, hotkey_state=self.hotkey_state
        )
        self._settings.applied.connect(self._on_settings_applied)
        self._capture.set_targets(self._sharing.target_infos(), self._sharing.sharing_defaults())
        self._capture.set_file_limit(MAX_FILE_BYTES)
        self._capture.fields.link_finder = find_url
        self._tray.set_hotkey_hint(config.get_str("hotkey"))
        self._capture.settings_requested.connect(self._open_team_targets)
        self._notification_clicked.connect(self._on_notification_clicked)

        self._context = ContextFeed(qapp, self)
        self._context.admitted.connect(self._on_context_admitted)
        self._from_inflow = False  # the capture was asked for from one of Inflow's own windows
        self._hotkey = shell.hotkey if shell is not None else create_hotkey_backend(qapp.platformName())
        self._connect_hotkey()

    def _connect_tray(self) -> None:
        self._tray.new_moment_requested.connect(self.open_capture)
        self._tray.library_requested.connect(self.open_library)
        self._tray.settings_requested.connect(self.open_settings)
        self._tray.welcome_requested.connect(self.open_welcome)

    # ------------------------------------------------------------------ start and stop
    def start(self, *, open_capture: bool, notices: list[str]) -> None:
        shell = self._shell
        if shell is None:
            self._register_hotkey(self._config.get_str("hotkey"))
        elif shell.hotkey_problem is not None:
            self._settings.hotkey_problem = shell.hotkey_problem
            self._tell(shell.hotkey_problem)
        self._sharing.start()
        self._maintenance.start()
        if self._config.targets:
            self._sharing.preload_scanner()
        has_tray = self._tray.available() if shell is None else shell.has_tray
        if has_tray and shell is None:
            self._tray.show()
        if shell is not None and shell.hand_over():
            open_capture = True  # the hotkey was pressed (or the icon clicked) while Inflow was loading
        for notice in notices + self._config.problems:
            self._tell(notice)
        hotkey, problem = self._config.get_str("hotkey"), self._settings.hotkey_problem
        self._welcome.first_start(hotkey, problem, has_tray=has_tray, tell=self._tell)
        if not has_tray:
            self.open_library()
        if open_capture:
            self.open_capture()

    def shutdown(self) -> None:
        self._stopped = True  # a context read still under way finds the windows gone
        self._maintenance.stop()
        self._welcome.close()
        self._hotkey.close()
        self._sharing.stop()
        self._writer.stop()
        if self._notifier is not None:
            self._notifier.close()

    # ------------------------------------------------------------------ windows
    def open_capture(self) -> None:
        """Show the capture window, then its context (none when an Inflow window had the focus)."""
        self._from_inflow = self._qapp.activeWindow() is not None
        self._awaiting_paint = True
        self._capture.open_blank()
        QTimer.singleShot(0, self._apply_context)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Logs the capture window's first paint after each open (what the latency benchmark reads)."""
        if watched is self._capture and event.type() == QEvent.Type.Paint and self._awaiting_paint:
            self._awaiting_paint = False
            QTimer.singleShot(0, lambda: log.debug("capture window painted at %.6f", time.time()))
        return False

    def _apply_context(self) -> None:
        if not self._from_inflow:
            self._context.read()
        self._capture.set_tag_completions(self._source.tags())

    def _on_context_admitted(self, context: CaptureContext) -> None:
        if not self._stopped and self._capture.isVisible():
            self._capture.apply_context(context)

    def open_library(self) -> None:
        library = self._ensure_library()
        library.refresh()
        library.show()
        library.raise_()
        library.activateWindow()

    def _ensure_library(self) -> LibraryWindow:
        if self._library is None:
            from ui.library import LibraryWindow

            self._library = LibraryWindow(self._source, self._source, self._source)
            from app.resurface_source import ResurfaceSource
            from ui.today_view import TodayView

            today_source = ResurfaceSource(self._config, self._read_db, self._writer)
            today = TodayView(today_source)
            today_source.done = today.refresh
            self._library.views.add_view(today, "Today")
            self._library_actions.attach(self._library)
            self._library.set_hotkey_hint(self._config.get_str("hotkey"))
            self._library.set_online(self._sharing.online())
            self._sharing.online_changed.connect(self._library.set_online)
            self._library.retry_delivery_requested.connect(self._sharing.retry_delivery)
            self._library.cancel_delivery_requested.connect(self._sharing.cancel_delivery)
            self._library.answered_requested.connect(self._sharing.set_answered)
            self._library.moment_shown.connect(self._sharing.moment_read)
            self._library.edit_requested.connect(self._on_library_edit_requested)
            self._library.delete_requested.connect(self._on_library_delete_requested)
            self._library.undelete_requested.connect(self._on_library_undelete_requested)
            self._library.new_moment_requested.connect(self.open_capture)
            self._library.settings_requested.connect(self.open_settings)
            if not self._tray.available():
                self._library.set_welcome(
                    self._welcome.html(self._config.get_str("hotkey"), self._settings.hotkey_problem)
                )
                self._library.empty_label.linkActivated.connect(self._open_team_targets)
                self._library.set_banner(
                    "No system tray found: this window is Inflow's home. Press "
                    f"{self._config.get_str('hotkey')} anywhere to capture, or bind "
                    "`inflow capture --window` to a keyboard shortcut in your desktop settings."
                )
        return self._library

    def open_settings(self, *, show_targets: bool = False) -> None:
        self._settings.open(show_targets=show_targets)

    def _open_team_targets(self, _link: str = "") -> None:
        self.open_settings(show_targets=True)

    def open_welcome(self) -> None:
        """The first-run welcome (also the tray's "Getting started")."""
        self._welcome.show(self._config.get_str("hotkey"), self._settings.hotkey_problem)

    def _on_library_changed(self) -> None:
        self._sharing.wake()
        if self._library is not None:
            self._library.refresh()

    def _on_settings_applied(self) -> None:
        self._sharing.settings_changed()
        hotkey = self._config.get_str("hotkey")
        self._tray.set_hotkey_hint(hotkey)
        if self._library is not None:
            self._library.set_hotkey_hint(hotkey)
        self._capture.set_default_kind(Kind(self._config.get_str("default_kind")))
        self._capture.set_targets(self._sharing.target_infos(), self._sharing.sharing_defaults())

    # ------------------------------------------------------------------ hotkey
    def _register_hotkey(self, sequence: str) -> str | None:
        """Grab the hotkey; the problem, written for the person, when another program holds it."""
        from app.hotkey import HotkeyError

        try:
            self._hotkey.register(sequence)
        except HotkeyError as exc:
            self._settings.hotkey_problem = str(exc)
            log.warning("hotkey: %s", exc)
            self._tell(str(exc))
            return str(exc)
        self._settings.hotkey_problem = None
        return None

    def _connect_hotkey(self) -> None:
        self._hotkey.activated.connect(self.open_capture)
        self._hotkey.state_changed.connect(self._settings.refresh_hotkey)  # an open Settings follows it
        problem = getattr(self._hotkey, "problem", None)  # the portal's later "declined" or "lost"
        if isinstance(problem, SignalInstance):
            problem.connect(self._on_hotkey_problem)

    def hotkey_state(self) -> str:
        return str(self._hotkey.state())

    def _on_hotkey_problem(self, message: str) -> None:
        """The desktop declined or ended the hotkey after register() had returned (the portal)."""
        self._settings.hotkey_problem = message
        log.warning("hotkey: %s", message)
        self._tell(message)

    # ------------------------------------------------------------------ writes
    def _on_library_edit_requested(self, moment_id: str, draft: Draft) -> None:
        def run(db: Database) -> object:
            refuse_secret_in_shared_edit(db, moment_id, draft)
            return update_moment(db, moment_id, draft)

        self._writer.change(run, "update")

    def _on_library_delete_requested(self, moment_ids: list[str], retract: bool) -> None:
        ids = tuple(moment_ids)
        self._writer.change(lambda db: delete_moments(db, ids, retract=retract), "delete")

    def _on_library_undelete_requested(self, moment_ids: list[str]) -> None:
        ids = tuple(moment_ids)
        self._writer.change(lambda db: undelete_moments(db, ids), "undelete")

    def _on_writer_changed(self) -> None:
        """A new share, an edit, a retraction, a retry: the sync thread looks, the library shows it."""
        self._sharing.wake()
        if self._library is not None and self._library.isVisible():
            self._library.refresh()
            self._library.refresh_details()

    def _on_writer_change_failed(self, message: str) -> None:
        if self._library is not None:
            self._library.show_error(message)

    def _on_command_captured(self, moment: Moment, reply: Reply) -> None:
        reply({"ok": True, "moment": moment_to_dict(moment)})
        self._on_saved(moment)

    def _on_saved(self, moment: Moment) -> None:
        """Stored from the window or another process: a brief "Saved" notice (a click shows it)."""
        self._tell(moment.display_title, summary="Saved to Inflow", moment_id=moment.id)
        self._on_writer_changed()

    # ------------------------------------------------------------------ other processes
    def handle_command(self, message: dict[str, object], reply: Reply) -> None:
        """A command from another `inflow` process (see app.instance_client)."""
        command = message.get("cmd")
        if command == "ping":
            reply({"ok": True, "pid": os.getpid()})
        elif command == "show-library":
            self.open_library()
            reply({"ok": True})
        elif command == "capture-window":
            self.open_capture()
            reply({"ok": True})
        elif command == "capture":
            self._command_capture(message.get("draft"), reply)
        elif command == "status":
            reply(
                {
                    "ok": True,
                    "pid": os.getpid(),
                    "hotkey": self.hotkey_state(),
                    "tray": self._tray.available(),
                }
            )
        elif command == "sync-now":
            self._sharing.sync_now(reply)
        elif command == "library-changed":  # another process wrote (import, capture --file, refresh)
            self._sharing.wake()
            if self._library is not None and self._library.isVisible():
                self._library.refresh()
                self._library.refresh_details()
            reply({"ok": True})
        elif command == "targets-changed":
            self._sharing.reload_targets()
            self._settings.refresh_targets()
            self._on_settings_applied()
            reply({"ok": True})
        elif command == "quit":
            reply({"ok": True})
            QTimer.singleShot(0, self._qapp.quit)
        else:
            reply({"ok": False, "error": f"unknown command {command!r}"})

    def _command_capture(self, payload: object, reply: Reply) -> None:
        try:
            if not isinstance(payload, dict):
                raise DraftError("malformed capture request")
            draft = validate_draft(
                Draft(
                    kind=Kind(payload.get("kind", "tip")),
                    title=str(payload.get("title") or ""),
                    body=str(payload.get("body") or ""),
                    url=payload.get("url") or None,
                    tags=tuple(str(t) for t in payload.get("tags") or ()),
                    source_app=payload.get("source_app"),
                    source_window=payload.get("source_window"),
                    share_to=tuple(str(t) for t in payload.get("share_to") or ()),
                )
            )
        except (DraftError, ValueError) as exc:
            reply({"ok": False, "error": str(exc)})
            return
        self._writer.submit(
            WriteOp(adding(self._config, draft), success=lambda moment: self._on_command_captured(moment, reply),
                    failure=lambda error: reply({"ok": False, "error": error}), name="capture command")
        )  # fmt: skip

    # ------------------------------------------------------------------ telling the person
    def _tell(self, body: str, *, summary: str = "Inflow", moment_id: str | None = None) -> None:
        """A desktop notification; the tray balloon where there is no notification service.

        With a moment id, clicking it opens that moment in the library.
        """
        if self._notifier is None:
            from app.notify import Notifier

            self._notifier = Notifier(on_click=self._notification_clicked.emit)
        if self._notifier.notify(summary, body, clickable=moment_id is not None):
            if moment_id is not None:
                self._notified[self._notifier.last_id] = moment_id
        else:
            self._tray.show_message(summary, body)

    def _on_sharing_answers_arrived(self, moment_id: str, title: str, count: int) -> None:
        self._last_answered = moment_id
        word = "answer" if count == 1 else "answers"
        self._tell("Click to read them in the library.", summary=f"{count} {word} to: {title}", moment_id=moment_id)

    def _on_notification_clicked(self, notification_id: int) -> None:
        moment_id = self._notified.get(notification_id)
        if moment_id is not None:
            self.show_moment(moment_id)

    def _on_tray_message_clicked(self) -> None:
        if self._last_answered is not None:
            self.show_moment(self._last_answered)

    def show_moment(self, moment_id: str) -> None:
        self.open_library()
        self._ensure_library().select_moment(moment_id)

    def _on_sharing_synced(self) -> None:
        self._capture.set_targets(self._sharing.target_infos(), self._sharing.sharing_defaults())
        if self._library is not None and self._library.isVisible():
            self._library.refresh()
            self._library.refresh_details()
