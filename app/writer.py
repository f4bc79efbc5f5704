"""The one writer: every storage write runs here, on its own thread, and reports back by signal."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from sqlite_utils import Database

from storage import outbox
from storage.models import Draft, DraftError
from storage.moments import add_moment, delete_moments, undelete_moments, update_moment
from storage.pull import set_answered
from storage.snapshots import request_refresh, retry_snapshot

log = logging.getLogger(__name__)
_ids = count(1)


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """One user intent = one transaction."""

    op: str  # add | update | delete | undelete | retry_delivery | cancel_delivery | answered | read | replies_seen
    draft: Draft | None = None
    moment_ids: tuple[str, ...] = ()
    retract: bool = False
    delivery_id: int = 0
    flag: bool = False
    track_targets: tuple[str, ...] = ()
    """Tracking (xAPI) targets that record this intent's activity (captured, answered, read)."""
    snapshot: bool = False
    """For add: queue an offline copy of a resource's page."""
    path: str = ""
    """For add_file: the file to keep (read on the writer thread, never on the GUI thread)."""
    request_id: int = field(default_factory=lambda: next(_ids))


@dataclass(frozen=True, slots=True)
class WriteResult:
    request: WriteRequest
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_failure(exc: BaseException) -> str:
    """What a person should read when a write fails (their text is kept by the caller)."""
    text = str(exc)
    if isinstance(exc, DraftError):
        return text
    if isinstance(exc, sqlite3.OperationalError) and "full" in text.lower():
        return "Could not save: the disk is full. Free some space and save again; your text is kept."
    if isinstance(exc, sqlite3.OperationalError) and ("readonly" in text.lower() or "read-only" in text):
        return "Could not save: the library is read-only. Check the data folder's permissions; your text is kept."
    if isinstance(exc, KeyError):
        return "That moment no longer exists."
    return f"Could not save: {text}. Your text is kept."


class _Worker(QObject):
    finished = Signal(object)

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    @Slot(object)
    def run(self, request: WriteRequest) -> None:
        try:
            value = self._perform(request)
        except (DraftError, KeyError, ValueError, sqlite3.Error, OSError) as exc:
            log.warning("write %s failed: %s", request.op, exc)
            self.finished.emit(WriteResult(request, error=describe_failure(exc)))
            return
        self.finished.emit(WriteResult(request, value=value))

    def _add_file(self, request: WriteRequest) -> Any:
        from pathlib import Path

        from storage.files import add_file_moment, check_size, extract_text, media_type_for

        path = Path(request.path)
        check_size(path.name, path.stat().st_size)
        data = path.read_bytes()
        media_type = media_type_for(path.name)
        assert request.draft is not None
        return add_file_moment(
            self._db, request.draft, path.name, media_type, data, extract_text(path.name, media_type, data),
            track_targets=request.track_targets,
        )  # fmt: skip

    def _perform(self, request: WriteRequest) -> Any:
        if request.op == "add" and request.draft is not None:
            return add_moment(self._db, request.draft, track_targets=request.track_targets, snapshot=request.snapshot)
        if request.op == "add_file" and request.draft is not None:
            return self._add_file(request)
        if request.op == "snapshot_refresh":
            return request_refresh(self._db, request.moment_ids[0])
        if request.op == "snapshot_retry":
            return retry_snapshot(self._db, request.moment_ids[0])
        if request.op == "update" and request.draft is not None:
            return update_moment(self._db, request.moment_ids[0], request.draft)
        if request.op == "delete":
            return delete_moments(self._db, request.moment_ids, retract=request.retract)
        if request.op == "undelete":
            return undelete_moments(self._db, request.moment_ids)
        if request.op == "retry_delivery":
            return outbox.retry_now(self._db, request.delivery_id)
        if request.op == "cancel_delivery":
            return outbox.cancel(self._db, request.delivery_id)
        if request.op == "answered":
            with self._db.atomic():
                changed = set_answered(self._db, request.moment_ids[0], request.flag)
                if changed and request.flag:
                    outbox.track(self._db, request.moment_ids[0], request.track_targets, "answered")
            return changed
        if request.op == "replies_seen":
            from storage.moments import get_moment
            from storage.pull import mark_replies_seen

            mark_replies_seen(self._db, get_moment(self._db, request.moment_ids[0]).rowid)
            return True
        if request.op == "read":
            return outbox.track(self._db, request.moment_ids[0], request.track_targets, "read")
        raise ValueError(f"unknown write {request.op}")


class StorageWriter(QObject):
    """Runs WriteRequests on a background thread, in order.

    Signals:
        finished(WriteResult): a request was carried out (or failed; see WriteResult.error).
    """

    finished = Signal(object)
    _submitted = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("inflow-writer")
        self._worker = _Worker(db)
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run)
        self._worker.finished.connect(self.finished)
        self._thread.start()

    def submit(self, request: WriteRequest) -> int:
        """Queue a write; its result arrives through `finished`. Returns the request id."""
        self._submitted.emit(request)
        return request.request_id

    def stop(self) -> None:
        """Finish queued writes, then stop the thread."""
        self._thread.quit()
        self._thread.wait()
