"""One snapshot pass: claim due snapshots, fetch and extract them in a small thread pool, record results.

Like the sync engine: claim (one short transaction) -> fetch with no transaction open -> record (one
transaction). All database work happens on the thread that calls `run_pass`; the pool threads only
download and extract (each with a session of its own, borrowed from a small pool). Requests to the
same host are spaced `per_host_interval` seconds apart: a claimed job whose host is not free yet is
held (a few at most) while jobs for other hosts go first, so one slow-paced host never idles a worker
that could fetch from another. A stopped pass gives held claims back.
"""

from __future__ import annotations

import datetime
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from sqlite_utils import Database

from storage.snapshots import (
    SnapshotContent,
    SnapshotJob,
    claim_snapshot,
    next_snapshot_due,
    reconcile_fetching,
    request_refresh,
    save_snapshot,
    snapshot_failed,
)
from sync.engine import backoff_delay
from sync.errors import ErrorKind, SyncError, permanent
from sync.http import InflowSession
from sync.snapshots.extract import ImageBudget, extract
from sync.snapshots.fetch import (
    IMAGE_ACCEPT,
    MAX_PAGE_BYTES,
    PAGE_DEADLINE_S,
    Fetched,
    SnapshotPolicy,
    fetch_page,
    host_of,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # transient failures in a row before a snapshot is given up (the person can Retry)
IMAGE_DEADLINE_S = 15.0
BUDGET_MESSAGE = "The daily snapshot budget is reached; Inflow saves this page tomorrow."


@dataclass
class SnapshotReport:
    """What one pass did, and when there is next something to fetch (unix seconds; None: nothing queued)."""

    saved: int = 0
    failed: int = 0
    retrying: int = 0
    deferred: int = 0  # refused by the daily budget (due again tomorrow)
    problems: list[str] = field(default_factory=list)  # "<moment id>: <message>" of permanent failures
    next_due: float | None = None

    def summary(self) -> str:
        return f"{self.saved} saved, {self.retrying} retrying, {self.failed} failed, {self.deferred} deferred"


class HostPacer:
    """Spaces requests to the same host by `interval` seconds (thread-safe; a reservation is final)."""

    def __init__(self, interval: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._monotonic = monotonic
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def ready_at(self, host: str) -> float:
        """The monotonic time from which the next request to this host may start."""
        with self._lock:
            return self._next.get(host, 0.0)

    def reserve(self, host: str) -> float:
        """Take the host's next slot: the monotonic time at which this request may start."""
        with self._lock:
            now = self._monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self._interval
            if len(self._next) > 1024:  # forget hosts whose slot has long passed
                self._next = {h: t for h, t in self._next.items() if t > now}
            return start


class _SessionPool:
    """Sessions are not shared between threads at the same time: each job borrows one."""

    def __init__(self, factory: Callable[[], InflowSession]) -> None:
        self._factory = factory
        self._idle: list[InflowSession] = []
        self._all: list[InflowSession] = []
        self._lock = threading.Lock()

    def acquire(self) -> InflowSession:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        session = self._factory()
        with self._lock:
            self._all.append(session)
        return session

    def release(self, session: InflowSession) -> None:
        with self._lock:
            self._idle.append(session)

    def close(self) -> None:
        with self._lock:
            sessions, self._all, self._idle = self._all, [], []
        for session in sessions:
            session.close()


class SnapshotRunner:
    """Fetches pending snapshots. One per app; `run_pass` is called from one thread at a time."""

    def __init__(
        self,
        db: Database | Callable[[], Database],
        session_factory: Callable[[], InflowSession],
        *,
        clock: Callable[[], float] = time.time,
        policy: SnapshotPolicy | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
        concurrency: int = 2,
        per_host_interval: float = 1.0,
        deadline: float = PAGE_DEADLINE_S,
        images: ImageBudget | None = None,
        budget: Callable[[SnapshotJob], bool] | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._db_source = db
        self._db: Database | None = db if isinstance(db, Database) else None
        self._sessions = _SessionPool(session_factory)
        self._clock = clock
        self.policy = policy or SnapshotPolicy()  # the app may replace it when the policy changes
        self._max_bytes = max_bytes
        self._concurrency = max(1, concurrency)
        self._pacer = HostPacer(per_host_interval)
        self._deadline = deadline
        self._images = images or ImageBudget()
        self._budget = budget
        self._rng = rng
        self._lookahead = max(8, 4 * self._concurrency)  # claims held while their hosts are paced

    # ------------------------------------------------------------------ lifecycle
    @property
    def db(self) -> Database:
        if self._db is None:
            factory = self._db_source
            assert callable(factory)
            self._db = factory()
        return self._db

    def reconcile(self) -> int:
        """At start-up: fetches a crash interrupted are due again."""
        count = reconcile_fetching(self.db)
        if count:
            log.info("reconciled %d snapshot fetch(es) left unfinished", count)
        return count

    def next_due(self) -> float | None:
        return next_snapshot_due(self.db)

    def close(self) -> None:
        """Close the sessions (and the database, when this runner opened it through a factory)."""
        self._sessions.close()
        if self._db is not None and not isinstance(self._db_source, Database):
            self._db.conn.close()
            self._db = None

    # ------------------------------------------------------------------ one pass
    def run_pass(self, *, stop: Callable[[], bool] = lambda: False) -> SnapshotReport:
        """Fetch everything that is due (at most `concurrency` at once). `stop` ends the pass early:
        nothing new starts, fetches in flight finish (bounded by their deadline)."""
        db = self.db
        report = SnapshotReport()
        in_flight: dict[Future[SnapshotContent], SnapshotJob] = {}
        held: list[SnapshotJob] = []  # claimed, waiting for their host's next slot
        exhausted = False
        with ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="inflow-snapshot") as pool:
            while True:
                if stop():
                    self._release(db, held)
                    held.clear()
                else:
                    while len(in_flight) < self._concurrency:
                        job = self._ready(held)
                        if job is None and not exhausted and len(held) < self._lookahead:
                            claimed = claim_snapshot(db, self._clock())
                            exhausted = claimed is None
                            if claimed is not None and self._admit(db, claimed, report):
                                held.append(claimed)
                            continue
                        if job is None:
                            break
                        self._pacer.reserve(host_of(job.url))
                        in_flight[pool.submit(self._work, job)] = job
                if not in_flight and not held:
                    break
                # Until a fetch finishes or the next held job's host is free again (checking `stop`).
                timeout = 0.1
                if held and len(in_flight) < self._concurrency:  # a free worker waits for a host's slot
                    wake = min(self._pacer.ready_at(host_of(j.url)) for j in held)
                    timeout = min(timeout, max(0.0, wake - time.monotonic()))
                if in_flight:
                    done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._record(db, in_flight.pop(future), future, report)
                else:
                    time.sleep(timeout)
        report.next_due = next_snapshot_due(db)
        return report

    def _ready(self, held: list[SnapshotJob]) -> SnapshotJob | None:
        """The first held job whose host may be asked now (claim order otherwise)."""
        now = time.monotonic()
        for index, job in enumerate(held):
            if self._pacer.ready_at(host_of(job.url)) <= now:
                return held.pop(index)
        return None

    def _release(self, db: Database, held: list[SnapshotJob]) -> None:
        """A stopped pass gives back what it claimed but did not start (due again at once)."""
        for job in held:
            request_refresh(db, job.moment_id)

    def _admit(self, db: Database, job: SnapshotJob, report: SnapshotReport) -> bool:
        """Policy and budget, on the pass thread, before any request. A refresh (asked for by the person)
        is not counted against the daily budget."""
        try:
            self.policy.check(job.url)
        except SyncError as exc:
            self._failed(db, job, exc, report)
            return False
        if self._budget is not None and not job.refresh and not self._budget(job):
            snapshot_failed(db, job.moment_rowid, BUDGET_MESSAGE, retry_at=_next_midnight(self._clock()))
            report.deferred += 1
            return False
        return True

    def _work(self, job: SnapshotJob) -> SnapshotContent:
        """On a pool thread: download and extract. No database here."""
        session = self._sessions.acquire()
        try:
            fetched = fetch_page(
                session, job.url, max_bytes=self._max_bytes, policy=self.policy, deadline=self._deadline
            )

            def fetch_image(url: str, max_bytes: int) -> Fetched:
                return fetch_page(
                    session, url, max_bytes=max_bytes, policy=self.policy, deadline=IMAGE_DEADLINE_S,
                    accept=IMAGE_ACCEPT,
                )  # fmt: skip

            return extract(fetched, fetch_image=fetch_image, images=self._images)
        finally:
            self._sessions.release(session)

    def _record(self, db: Database, job: SnapshotJob, future: Future[SnapshotContent], report: SnapshotReport) -> None:
        try:
            content = future.result()
        except SyncError as exc:
            self._failed(db, job, exc, report)
            return
        except Exception as exc:  # a bug or a page that breaks a parser: this page fails, the pass goes on
            log.exception("snapshot of %s failed", job.url)
            self._failed(db, job, permanent(f"Inflow could not read this page ({type(exc).__name__})."), report)
            return
        save_snapshot(db, job.moment_rowid, content)
        report.saved += 1

    def _failed(self, db: Database, job: SnapshotJob, exc: SyncError, report: SnapshotReport) -> None:
        log.info("snapshot of %s: %r", job.url, exc)
        message = exc.message
        if exc.kind is ErrorKind.TRANSIENT and job.attempts + 1 >= MAX_ATTEMPTS:
            exc, message = permanent(message), f"{message} (gave up after {MAX_ATTEMPTS} tries)"
        if exc.kind is ErrorKind.TRANSIENT:
            delay = backoff_delay(job.attempts, exc.retry_after, self._rng)
            snapshot_failed(db, job.moment_rowid, message, retry_at=self._clock() + delay)
            report.retrying += 1
        else:
            snapshot_failed(db, job.moment_rowid, message, retry_at=None)
            report.failed += 1
            report.problems.append(f"{job.moment_id}: {message}")


def _next_midnight(now: float) -> float:
    """The start of the next local day."""
    today = datetime.datetime.fromtimestamp(now).date()
    return datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()).timestamp()
