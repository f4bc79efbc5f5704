"""The one writer: every storage write of a user intent runs here, on its own thread, in order.

A write is a `WriteOp`: a function over the writer's connection (one storage transaction, written in
`storage/`) plus what to do on the GUI thread with its result, or with the person-facing text of its
failure.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot
from sqlite_utils import Database

from storage.models import DraftError

log = logging.getLogger(__name__)
T = TypeVar("T")
Delivery = Callable[[], None]
"""A finished write's callback, bound to its result, to be called on the GUI thread."""

FAILURES = (DraftError, KeyError, ValueError, sqlite3.Error, OSError)
"""What a write may fail with and the person is told about (anything else is a bug and propagates)."""


def _ignore(_value: object) -> None:
    return None


@dataclass(frozen=True, slots=True)
class WriteOp(Generic[T]):
    """One user intent = one transaction: `run` on the writer thread, then `success(result)` or
    `failure(text)` on the GUI thread."""

    run: Callable[[Database], T]
    success: Callable[[T], None] = _ignore
    failure: Callable[[str], None] = _ignore
    name: str = "write"
    """For the log."""

    def perform(self, db: Database) -> Delivery:
        """Run the write; returns the callback to deliver on the GUI thread."""
        try:
            value = self.run(db)
        except FAILURES as exc:
            log.warning("%s failed: %s", self.name, exc)
            text = describe_failure(exc)
            return lambda: self.failure(text)
        return lambda: self.success(value)


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
    performed = Signal(object)  # a Delivery

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    @Slot(object)
    def run(self, op: WriteOp[object]) -> None:
        self.performed.emit(op.perform(self._db))


class StorageWriter(QObject):
    """Runs WriteOps on a background thread, one at a time, in the order they were submitted.

    Signals:
        finished(): a write ran and its callback was called on the GUI thread.
        changed(): a change submitted with `change` succeeded (the library shows something new).
        change_failed(str): a change submitted with `change` failed; the text is for the person.
    """

    finished = Signal()
    changed = Signal()
    change_failed = Signal(str)
    _submitted = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("inflow-writer")
        self._worker = _Worker(db)
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run)
        self._worker.performed.connect(self._on_worker_performed)
        self._thread.start()

    def submit(self, op: WriteOp[T]) -> None:
        """Queue a write; its callback runs on the GUI thread when it is done."""
        self._submitted.emit(op)

    def change(self, run: Callable[[Database], object], name: str = "change") -> None:
        """Queue a change asked for in the library: `changed` or `change_failed` reports it."""
        self.submit(
            WriteOp(run, success=lambda _value: self.changed.emit(), failure=self.change_failed.emit, name=name)
        )

    def _on_worker_performed(self, deliver: Delivery) -> None:
        deliver()
        self.finished.emit()

    def stop(self) -> None:
        """Finish queued writes, then stop the thread."""
        self._thread.quit()
        self._thread.wait()
