"""What the library window asks for beyond editing: offline copies, kept files, import, reader state."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.background import Background
from app.config import Config
from app.drafts import load_ui_state, save_ui_state
from app.gui_import import GuiImport
from app.paths import Paths
from app.writer import StorageWriter, WriteOp
from storage.pull import mark_replies_seen
from storage.snapshots import request_refresh, retry_snapshot

if TYPE_CHECKING:
    from ui.library import LibraryWindow


class LibraryActions(QObject):
    """Connects a LibraryWindow's requests to the writer, the importer and the file system."""

    def __init__(
        self,
        paths: Paths,
        config: Config,
        writer: StorageWriter,
        changed: Callable[[], None],
        has_unseen_replies: Callable[[str], bool],
    ) -> None:
        super().__init__()
        self._paths = paths
        self._has_unseen_replies = has_unseen_replies
        self._writer = writer
        self._library: LibraryWindow | None = None
        self._background = Background(self)
        self._import = GuiImport(paths, config, changed)

    def attach(self, library: LibraryWindow) -> None:
        self._library = library
        library.snapshot_retry_requested.connect(self._on_library_snapshot_retry_requested)
        library.snapshot_refresh_requested.connect(self._on_library_snapshot_refresh_requested)
        library.file_open_requested.connect(self._on_library_file_open_requested)
        library.import_requested.connect(self._on_library_import_requested)
        library.reader_font_size_changed.connect(self._on_library_reader_font_size_changed)
        library.moment_shown.connect(self._on_library_moment_shown)
        size = load_ui_state(self._paths).get("reader_font_size")
        if isinstance(size, int):
            library.set_reader_font_size(size)

    def _on_library_snapshot_retry_requested(self, moment_id: str) -> None:
        self._writer.change(lambda db: retry_snapshot(db, moment_id), "retry offline copy")

    def _on_library_snapshot_refresh_requested(self, moment_id: str) -> None:
        self._writer.change(lambda db: request_refresh(db, moment_id), "refresh offline copy")

    def _on_library_file_open_requested(self, moment_id: str) -> None:
        """Write the kept file to a private temporary folder (off the GUI thread) and open it."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        def done(path: str | None, error: BaseException | None) -> None:
            if error is not None and self._library is not None:
                self._library.show_error(f"Could not open the file: {error}")
            elif path is not None:
                QDesktopServices.openUrl(QUrl.fromLocalFile(path))

        self._background.run(lambda: self.write_kept_file(moment_id), done)

    def write_kept_file(self, moment_id: str) -> str:
        from storage.db import open_database
        from storage.moments import get_moment
        from storage.snapshots import file_data, get_file

        db = open_database(self._paths.database, readonly=True)
        rowid = get_moment(db, moment_id).rowid
        kept, data = get_file(db, rowid), file_data(db, rowid)
        if kept is None or data is None:
            raise KeyError(moment_id)
        target = Path(tempfile.mkdtemp(prefix="inflow-file-")) / Path(kept.name).name
        target.write_bytes(data)
        return str(target)

    def _on_library_moment_shown(self, moment_id: str) -> None:
        """Answers shown once are no longer "new" (a write only when there are new ones)."""
        if self._has_unseen_replies(moment_id):
            self._writer.submit(WriteOp(lambda db: mark_replies_seen(db, moment_id), name="replies seen"))

    def _on_library_import_requested(self, path: str) -> None:
        self._import.start(path, self._library)

    def _on_library_reader_font_size_changed(self, size: int) -> None:
        save_ui_state(self._paths, {"reader_font_size": size})
