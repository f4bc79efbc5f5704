"""Importing bookmarks from the library window: parsing and storing off the GUI thread, with a
progress dialog and a Cancel (the import is one transaction: cancelled, nothing of it is kept)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.config import Config
from app.paths import Paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ui.import_dialog import ImportDialog

log = logging.getLogger(__name__)


class GuiImport(QObject):
    """One import at a time.

    Signals:
        finished(str): the summary (or the problem), after the last batch was stored.
    """

    finished = Signal(str)
    _progress = Signal(int, float)
    _done = Signal(str)

    def __init__(self, paths: Paths, config: Config, on_imported: Callable[[], None]) -> None:
        super().__init__()
        self._paths = paths
        self._config = config
        self._on_imported = on_imported
        self._cancel = threading.Event()
        self._dialog: ImportDialog | None = None
        self._progress.connect(self._on_progress)
        self._done.connect(self._on_done)

    def start(self, path: str, parent: QWidget | None = None) -> None:
        from ui.import_dialog import ImportDialog

        if self._dialog is not None and not self._dialog.is_finished:
            self._dialog.raise_()
            return
        self._cancel.clear()
        self._dialog = dialog = ImportDialog(parent)
        dialog.cancel_requested.connect(self._cancel.set)
        dialog.show()
        threading.Thread(target=self._run, args=(Path(path),), name="inflow-import", daemon=True).start()

    def _run(self, path: Path) -> None:
        from storage.db import open_database
        from storage.importing import import_path

        try:
            db = open_database(self._paths.database)
            report = import_path(
                db, path, snapshot=self._config.get_bool("snapshots_enabled"),
                on_progress=self._progress.emit, cancelled=self._cancel.is_set,
            )  # fmt: skip
            db.conn.close()
        except Exception as exc:  # a bad file or a full disk: said in the dialog
            log.warning("import of %s failed: %s", path, exc)
            self._done.emit(f"Could not import {path.name}: {exc}")
            return
        if report.cancelled:
            self._done.emit("Cancelled: nothing was imported.")
            return
        merged = f" ({report.merged:,} merged duplicates)" if report.merged else ""
        tail = "; offline copies are being saved in the background" if report.snapshots_queued else ""
        self._done.emit(f"Imported {report.added:,}{merged}{tail}.")

    def _on_progress(self, done: int, fraction: float) -> None:
        if self._dialog is not None:
            self._dialog.set_progress(done, fraction)

    def _on_done(self, summary: str) -> None:
        if self._dialog is not None:
            self._dialog.finish(summary)
        self._on_imported()
        self.finished.emit(summary)
