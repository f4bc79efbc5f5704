"""The capture window's saves: the secret check off the GUI thread, the write, and the draft file."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from sqlite_utils import Database

from app.background import Background
from app.config import Config
from app.drafts import clear_draft, load_draft, save_draft
from app.writer import StorageWriter, WriteOp
from storage.files import add_file_from_path
from storage.models import Draft, Moment
from storage.moments import add_moment
from ui.ports import SaveRequest

if TYPE_CHECKING:
    from ui.capture import CaptureWindow

log = logging.getLogger(__name__)
SecretCheck = Callable[[Draft, str], list[str]]
"""What the secret check found in a draft about to be shared, and the kept file's name (empty: fine)."""


def adding(config: Config, draft: Draft) -> Callable[[Database], Moment]:
    """The write that stores a new moment, with its tracking and offline-copy settings."""
    targets = config.tracking_targets("captured")
    snapshot = config.get_bool("snapshots_enabled")
    return lambda db: add_moment(db, draft, track_targets=targets, snapshot=snapshot)


class CaptureSaves(QObject):
    """Turns the capture window's save requests into stored moments, and keeps its draft file.

    A share (unless the person chose "Share anyway") is first checked for secrets by `check` on a
    background thread, so that a 1 MiB note does not freeze the window; meanwhile the window says it
    is checking and takes no second save. Findings go back to the window, nothing is stored. Then the
    moment, with its file if one is attached (read on the writer thread), goes through the writer.

    Signals:
        saved(Moment): a moment from the window was stored.
    """

    saved = Signal(object)

    def __init__(
        self,
        capture: CaptureWindow,
        writer: StorageWriter,
        config: Config,
        draft_file: Path,
        *,
        check: SecretCheck,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._capture = capture
        self._writer = writer
        self._config = config
        self._draft_file = draft_file
        self._check = check
        self._background = Background(self)
        draft = load_draft(draft_file)
        if draft is not None:
            capture.restore_draft(draft)
        capture.save_requested.connect(self._on_capture_save_requested)
        capture.draft_changed.connect(self._on_capture_draft_changed)

    def _on_capture_save_requested(self, request: SaveRequest) -> None:
        if not request.draft.share_to or request.despite_findings:
            self._store(request)
            return
        self._capture.show_checking()
        draft, file_name = request.draft, Path(request.file).name if request.file else ""
        self._background.run(
            lambda: self._check(draft, file_name), lambda found, error: self._on_checked(request, found, error)
        )

    def _on_checked(self, request: SaveRequest, findings: list[str] | None, error: BaseException | None) -> None:
        if error is not None:
            log.warning("secret check failed: %s", error)
            self._capture.show_error(
                f"Not saved: the check for secrets failed ({error}). Your text is kept: save again, or choose"
                " Only me to keep it on this computer."
            )
        elif findings:
            self._capture.show_secret_warning(findings)
        else:
            self._store(request)

    def _store(self, request: SaveRequest) -> None:
        """The moment, or the file with its moment, is stored on the writer thread."""
        draft = request.draft
        if request.file is None:
            run, name = adding(self._config, draft), "add"
        else:
            path, targets = Path(request.file), self._config.tracking_targets("captured")
            run, name = (lambda db: add_file_from_path(db, draft, path, track_targets=targets)), "add file"
        self._writer.submit(WriteOp(run, success=self._on_stored, failure=self._capture.show_error, name=name))

    def _on_stored(self, moment: Moment) -> None:
        self._capture.mark_saved()
        clear_draft(self._draft_file)
        self.saved.emit(moment)

    def _on_capture_draft_changed(self, draft: Draft) -> None:
        save_draft(self._draft_file, draft)
