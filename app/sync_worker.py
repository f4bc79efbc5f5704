"""Runs the sync engine off the GUI thread and wakes it only when there is something to do.

No polling: a single-shot timer is armed for the engine's next due time (a retry, an answer poll,
a feed pull) and re-armed after each pass; nothing is armed while there is nothing to do or while
the network is down (Qt's network reachability says when it comes back).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from sync.engine import PassReport, SyncEngine

if TYPE_CHECKING:
    from sqlite_utils import Database

    from sync.snapshots.runner import SnapshotRunner

log = logging.getLogger(__name__)
MAX_TIMER_MS = 2**31 - 1


class _Runner(QObject):
    """Lives on the sync thread; owns the engine and its database connection."""

    finished = Signal(object, object)  # PassReport, request id (or None)

    def __init__(
        self,
        make_engine: Callable[[], SyncEngine],
        make_snapshots: Callable[[], SnapshotRunner] | None,
        has_work: Callable[[Database], bool] | None = None,
        open_db: Callable[[], Database] | None = None,
    ) -> None:
        super().__init__()
        self._make_engine = make_engine
        self._make_snapshots = make_snapshots
        self._has_work = has_work
        self._open_db = open_db
        self._probe_db: Database | None = None
        self.stopping = threading.Event()
        """Set by SyncWorker.stop() from the GUI thread: a pass in progress ends early."""
        self._engine: SyncEngine | None = None
        self._snapshots: SnapshotRunner | None = None

    def _get(self) -> SyncEngine:
        if self._engine is None:
            self._engine = self._make_engine()
            self._engine.reconcile()
        return self._engine

    def _get_snapshots(self) -> SnapshotRunner | None:
        """The fetcher (trafilatura and friends) is loaded the first time a page copy is due."""
        if self._snapshots is None and self._make_snapshots is not None and self._snapshots_due():
            self._snapshots = self._make_snapshots()
            self._snapshots.reconcile()
        return self._snapshots

    def _snapshots_due(self) -> bool:
        if self._open_db is None:
            return True
        from storage.snapshots import next_snapshot_due

        if self._probe_db is None:
            self._probe_db = self._open_db()
        row = self._probe_db.execute("SELECT 1 FROM snapshots WHERE state = 'fetching' LIMIT 1").fetchone()
        return row is not None or next_snapshot_due(self._probe_db) is not None

    def _idle(self) -> bool:
        """Nothing to do and nothing loaded yet: the engine is not built (nor its imports paid)."""
        if self._engine is not None or self._has_work is None or self._open_db is None:
            return False
        if self._probe_db is None:
            self._probe_db = self._open_db()
        return not self._has_work(self._probe_db)

    @Slot(object, bool)
    def run(self, request_id: object, full: bool) -> None:
        try:
            if self._idle():
                self.finished.emit(PassReport(), request_id)
                return
            report = self._get().run_pass(pull_now=full, stop=self.stopping.is_set)
            snapshots = self._get_snapshots()
            if snapshots is not None:  # offline copies, after the (small, urgent) deliveries
                copies = snapshots.run_pass(stop=self.stopping.is_set)
                report.snapshots_saved, report.snapshots_failed = copies.saved, copies.failed
                due = [t for t in (report.next_due, copies.next_due) if t is not None]
                report.next_due = min(due) if due else None
        except Exception as exc:  # a bug must not kill the sync thread: report it, try again later
            log.exception("sync pass failed")
            report = PassReport(problems=[f"sync failed: {exc}"], next_due=time.time() + 300)
        self.finished.emit(report, request_id)

    @Slot(str)
    def forget(self, target: str) -> None:
        if self._engine is not None:
            self._engine.forget(target)

    @Slot(str)
    def resume(self, target: str) -> None:
        self._get().resume(target)

    @Slot()
    def reset_snapshots(self) -> None:
        """The settings changed: the fetcher is rebuilt (policy, size cap, budget) before the next pass."""
        if self._snapshots is not None:
            self._snapshots.close()
            self._snapshots = None

    @Slot()
    def close(self) -> None:
        if self._probe_db is not None:
            self._probe_db.conn.close()
            self._probe_db = None
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._snapshots is not None:
            self._snapshots.close()
            self._snapshots = None


def timer_delay_ms(remaining_s: float) -> int:
    """The single-shot delay that wakes the worker no earlier than `remaining_s` from now.

    Qt's default (coarse) timers may fire up to 5 % early so that the system can group wake-ups; a pass
    that woke early finds nothing due and only arms the timer again. So the delay is stretched by 1/19
    (95 % of it is the full wait) plus 50 ms, and capped at MAX_TIMER_MS.
    """
    remaining_ms = max(0, int(remaining_s * 1000))
    return min(MAX_TIMER_MS, remaining_ms + remaining_ms // 19 + 50)


class SyncWorker(QObject):
    """The GUI thread's handle on the sync thread.

    Signals:
        pass_finished(PassReport): a pass ended (deliveries, answers, feed, problems).
    """

    pass_finished = Signal(object)
    _run = Signal(object, bool)
    _forget = Signal(str)
    _resume = Signal(str)
    _close = Signal()
    _reset_snapshots = Signal()

    def __init__(
        self,
        make_engine: Callable[[], SyncEngine],
        parent: QObject | None = None,
        *,
        make_snapshots: Callable[[], SnapshotRunner] | None = None,
        has_work: Callable[[Database], bool] | None = None,
        open_db: Callable[[], Database] | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("inflow-sync")
        self._runner = _Runner(make_engine, make_snapshots, has_work, open_db)
        self._runner.moveToThread(self._thread)
        self._run.connect(self._runner.run)
        self._forget.connect(self._runner.forget)
        self._resume.connect(self._runner.resume)
        self._close.connect(self._runner.close)
        self._reset_snapshots.connect(self._runner.reset_snapshots)
        self._runner.finished.connect(self._on_runner_finished)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.wake)
        self._running = False
        self._again = False
        self._online = True
        self._waiting: dict[int, Callable[[PassReport], None]] = {}
        self._next_request = 0
        self._thread.start()

    # ------------------------------------------------------------------ requests
    @Slot()
    def wake(self) -> None:
        """Run a pass soon (coalesced: at most one runs, one more is queued)."""
        if self._running:
            self._again = True
            return
        self._start(None, full=False)

    def sync_now(self, done: Callable[[PassReport], None]) -> None:
        """A full pass (everything pulled now); `done` is called with its report."""
        self._next_request += 1
        self._waiting[self._next_request] = done
        if self._running:
            self._again = True
            return
        self._start(self._next_request, full=True)

    def forget(self, target: str) -> None:
        self._forget.emit(target)
        self.wake()

    def resume(self, target: str) -> None:
        self._resume.emit(target)
        self.wake()

    def reset_snapshots(self) -> None:
        self._reset_snapshots.emit()
        self.wake()

    def set_online(self, online: bool) -> None:
        """Offline: no timers. Back online: a pass right away."""
        self._online = online
        if online:
            self.wake()
        else:
            self._timer.stop()

    def timer_armed(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Quit promptly: a pass in progress stops starting new work (fetches in flight finish)."""
        self._timer.stop()
        self._runner.stopping.set()
        self._close.emit()
        self._thread.quit()
        self._thread.wait()

    # ------------------------------------------------------------------ internals
    def _start(self, request_id: int | None, *, full: bool) -> None:
        self._running = True
        self._timer.stop()
        self._run.emit(request_id, full)

    def _on_runner_finished(self, report: PassReport, request_id: int | None) -> None:
        self._running = False
        done = self._waiting.pop(request_id, None) if request_id is not None else None
        if done is not None:
            done(report)
        self.pass_finished.emit(report)
        if self._waiting:
            self._start(min(self._waiting), full=True)
        elif self._again:
            self._again = False
            self._start(None, full=False)
        else:
            self._arm(report.next_due)

    def _arm(self, due: float | None) -> None:
        if due is None or not self._online:
            self._timer.stop()
            return
        self._timer.start(timer_delay_ms(due - time.time()))
