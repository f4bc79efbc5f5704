"""The snapshot pass against loopback servers and a real library database."""

from __future__ import annotations

import datetime
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.db import open_database
from storage.models import Draft, Kind, SnapshotState
from storage.moments import add_moment
from storage.snapshots import SnapshotJob, claim_snapshot, get_asset, get_snapshot, request_refresh
from sync.http import InflowSession
from sync.snapshots import SnapshotPolicy, SnapshotRunner
from sync.snapshots.runner import BUDGET_MESSAGE

from .conftest import PageServer, serving


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "inflow.db")
    yield database
    database.conn.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runner_for(
    db: Database, clock: Clock, make_session: Callable[[], InflowSession]
) -> Iterator[Callable[..., SnapshotRunner]]:
    runners: list[SnapshotRunner] = []

    def build(**options: object) -> SnapshotRunner:
        options.setdefault("per_host_interval", 0.0)
        runner = SnapshotRunner(db, make_session, clock=clock, rng=lambda: 0.0, **options)  # type: ignore[arg-type]
        runners.append(runner)
        return runner

    yield build
    for runner in runners:
        runner.close()


def resource(db: Database, url: str) -> int:
    return add_moment(db, Draft(kind=Kind.RESOURCE, title="A page", url=url), snapshot=True).rowid


def state(db: Database, rowid: int) -> tuple[SnapshotState, str | None]:
    snap = get_snapshot(db, rowid)
    assert snap is not None
    return snap.state, snap.error


def test_a_pass_saves_pages_with_their_images(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    article = resource(db, f"{server.base}/article.html")
    pdf = resource(db, f"{server.base}/report.pdf")
    report = runner_for().run_pass()
    assert (report.saved, report.failed, report.retrying, report.next_due) == (2, 0, 0, None)
    snap = get_snapshot(db, article)
    assert snap is not None
    assert snap.state is SnapshotState.SAVED
    assert snap.title == "How the write-ahead log keeps SQLite fast"
    assert snap.html is not None
    assert '<img src="inflow-asset:1"' in snap.html
    assert get_asset(db, article, "1") is not None
    assert "Teams that write down" in (get_snapshot(db, pdf).text or "")  # type: ignore[union-attr]


def test_two_hosts_are_fetched_in_parallel_and_each_host_is_paced(
    db: Database, runner_for: Callable[..., SnapshotRunner]
) -> None:
    interval = 0.4
    with serving("127.0.0.1") as first, serving("127.0.0.2") as second:
        for host in (first, second):
            for n in range(3):
                resource(db, f"{host.base}/notes.txt?n={n}&delay=0.15")
        started = time.monotonic()
        report = runner_for(concurrency=2, per_host_interval=interval).run_pass()
        elapsed = time.monotonic() - started
    assert report.saved == 6
    for host in (first, second):
        times = sorted(hit.at for hit in host.hits)
        assert len(times) == 3
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= interval - 0.02 for gap in gaps), gaps  # never two requests to one host too close
    assert max(first.max_active, second.max_active) == 1
    both = sorted([(h.at, h.host) for h in first.hits + second.hits])
    assert {host for _, host in both[:2]} == {"127.0.0.1", "127.0.0.2"}  # the two hosts start together
    assert elapsed < 6 * 0.15 + 4 * interval  # faster than one host after the other


def test_concurrency_is_limited(db: Database, runner_for: Callable[..., SnapshotRunner]) -> None:
    servers = []
    with serving("127.0.0.1") as a, serving("127.0.0.2") as b, serving("127.0.0.3") as c:
        servers = [a, b, c]
        for host in servers:
            resource(db, f"{host.base}/notes.txt?delay=0.3")
        report = runner_for(concurrency=2).run_pass()
    assert report.saved == 3
    starts = sorted(hit.at for host in servers for hit in host.hits)
    assert starts[2] - starts[0] >= 0.25  # the third waited for a free worker


def test_a_transient_failure_is_retried_later(
    db: Database, server: PageServer, clock: Clock, runner_for: Callable[..., SnapshotRunner]
) -> None:
    rowid = resource(db, f"{server.base}/flaky/a")
    runner = runner_for()
    first = runner.run_pass()
    assert (first.saved, first.retrying, first.failed) == (0, 1, 0)
    assert state(db, rowid) == (
        SnapshotState.PENDING,
        "The server answered 503 Service Unavailable; Inflow tries again later.",
    )
    assert first.next_due is not None
    assert first.next_due >= clock.now + 2.5  # backoff (5 s, with the test's jitter of 50 %)
    assert runner.run_pass().saved == 0  # not due yet: no request
    assert len(server.hits) == 1
    clock.now = first.next_due + 1
    second = runner.run_pass()
    assert second.saved == 1
    assert state(db, rowid) == (SnapshotState.SAVED, None)


def test_retry_after_is_honoured(
    db: Database, server: PageServer, clock: Clock, runner_for: Callable[..., SnapshotRunner]
) -> None:
    server.retry_after = "600"
    resource(db, f"{server.base}/flaky/b")
    report = runner_for().run_pass()
    assert report.next_due is not None
    assert report.next_due >= clock.now + 600


def test_a_permanent_failure_is_failed_with_its_message(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    gone = resource(db, f"{server.base}/status/404")
    wall = resource(db, f"{server.base}/login.html")
    report = runner_for().run_pass()
    assert (report.saved, report.failed, report.retrying) == (0, 2, 0)
    assert state(db, gone) == (SnapshotState.FAILED, "The page is gone (404 Not Found).")
    assert state(db, wall) == (
        SnapshotState.FAILED,
        "The page needs a sign-in: it shows a login form instead of the article.",
    )
    assert len(report.problems) == 2
    assert report.next_due is None


def test_a_failed_refresh_keeps_the_old_copy(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    rowid = resource(db, f"{server.base}/article.html")
    runner = runner_for()
    assert runner.run_pass().saved == 1
    moment_id = db.execute("SELECT id FROM moments WHERE rowid = ?", [rowid]).fetchone()[0]
    server.overrides["/article.html"] = 500
    assert request_refresh(db, moment_id)
    report = runner.run_pass()
    assert report.retrying == 1
    snap = get_snapshot(db, rowid)
    assert snap is not None
    assert snap.state is SnapshotState.SAVED
    assert "SQLite is the most widely deployed database engine" in (snap.text or "")
    assert snap.error == "The server answered 500 Internal Server Error; Inflow tries again later."
    assert get_asset(db, rowid, "1") is not None
    del server.overrides["/article.html"]
    assert request_refresh(db, moment_id)
    assert runner.run_pass().saved == 1
    assert state(db, rowid) == (SnapshotState.SAVED, None)


def test_a_denied_domain_fails_without_any_request(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    denied = resource(db, f"{server.base}/article.html")
    report = runner_for(policy=SnapshotPolicy(deny_domains=("127.0.0.1",))).run_pass()
    assert (report.saved, report.failed) == (0, 1)
    assert state(db, denied) == (SnapshotState.FAILED, "Snapshots of 127.0.0.1 are not allowed by policy (deny list).")
    assert server.hits == []


def test_snapshots_turned_off_by_policy_make_no_request(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    rowid = resource(db, f"{server.base}/article.html")
    runner_for(policy=SnapshotPolicy(enabled=False)).run_pass()
    assert state(db, rowid) == (SnapshotState.FAILED, "Page snapshots are turned off by policy.")
    assert server.hits == []


def test_the_daily_budget_defers_to_tomorrow_without_a_request(
    db: Database, server: PageServer, clock: Clock, runner_for: Callable[..., SnapshotRunner]
) -> None:
    allowed = resource(db, f"{server.base}/notes.txt?first")
    deferred = resource(db, f"{server.base}/notes.txt?second")
    seen: list[SnapshotJob] = []

    def budget(job: SnapshotJob) -> bool:
        seen.append(job)
        return len(seen) <= 1

    report = runner_for(budget=budget).run_pass()
    assert (report.saved, report.deferred) == (1, 1)
    assert state(db, allowed)[0] is SnapshotState.SAVED
    assert state(db, deferred) == (SnapshotState.PENDING, BUDGET_MESSAGE)
    tomorrow = datetime.datetime.combine(
        datetime.date.fromtimestamp(clock.now) + datetime.timedelta(days=1), datetime.time()
    ).timestamp()
    assert report.next_due == tomorrow
    assert server.paths() == ["/notes.txt?first"]


def test_a_stopped_pass_claims_nothing_more(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    for n in range(4):
        resource(db, f"{server.base}/notes.txt?n={n}")
    report = runner_for(concurrency=1).run_pass(stop=lambda: True)
    assert (report.saved, report.next_due) == (0, 0.0)
    assert server.hits == []


def test_reconcile_puts_interrupted_fetches_back(
    db: Database, server: PageServer, clock: Clock, runner_for: Callable[..., SnapshotRunner]
) -> None:
    rowid = resource(db, f"{server.base}/notes.txt")
    assert claim_snapshot(db, clock.now) is not None  # a crash after the claim
    runner = runner_for()
    assert runner.run_pass().saved == 0
    assert runner.reconcile() == 1
    assert runner.run_pass().saved == 1
    assert state(db, rowid)[0] is SnapshotState.SAVED


def test_a_database_factory_is_opened_once_and_closed_by_the_runner(
    tmp_path: Path, server: PageServer, make_session: Callable[[], InflowSession]
) -> None:
    path = tmp_path / "library.db"
    setup = open_database(path)
    resource(setup, f"{server.base}/notes.txt")
    opened: list[Database] = []

    def factory() -> Database:
        opened.append(open_database(path))
        return opened[-1]

    runner = SnapshotRunner(factory, make_session, per_host_interval=0)
    try:
        assert runner.run_pass().saved == 1
        assert runner.run_pass().saved == 0
    finally:
        runner.close()
    assert len(opened) == 1
    assert state(setup, 1)[0] is SnapshotState.SAVED
    setup.conn.close()


def test_a_stop_gives_back_claims_waiting_for_their_host(
    db: Database, server: PageServer, runner_for: Callable[..., SnapshotRunner]
) -> None:
    rows = [resource(db, f"{server.base}/notes.txt?n={n}") for n in range(3)]
    started = time.monotonic()
    report = runner_for(concurrency=2, per_host_interval=30.0).run_pass(stop=lambda: bool(server.hits))
    assert time.monotonic() - started < 5  # did not wait 30 s for the host's next slot
    assert report.saved == 1
    assert len(server.hits) == 1
    assert [state(db, rowid) for rowid in rows[1:]] == [(SnapshotState.PENDING, None)] * 2
    assert report.next_due == 0.0
