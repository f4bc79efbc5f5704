"""The sync thread: passes run off the GUI thread, a single-shot timer only when something is due."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.sync_worker import MAX_TIMER_MS, SyncWorker, timer_delay_ms
from storage.db import open_database
from storage.models import Draft
from storage.moments import add_moment
from sync import registry
from sync.connector import Target
from sync.engine import PassReport, SyncEngine
from sync.errors import transient
from sync.http import new_session
from tests.unit.sync import fake_connector
from tests.unit.sync.fake_connector import FakeConnector, FakeServer

TARGETS = [Target("team", "fake", {"url": "x"})]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setitem(registry._MODULES, "fake", "tests.unit.sync.fake_connector")
    monkeypatch.setattr(FakeConnector, "can_pull", False)  # push only: nothing to poll when idle
    fresh = FakeServer()
    monkeypatch.setattr(fake_connector, "SERVER", fresh)
    return fresh


@pytest.fixture
def worker(tmp_path: Path, server: FakeServer, qapp: object) -> Iterator[SyncWorker]:
    path = tmp_path / "inflow.db"
    open_database(path).conn.close()

    def make_engine() -> SyncEngine:
        return SyncEngine(
            open_database(path), lambda: TARGETS, lambda t: None, lambda: new_session("t"), rng=lambda: 0.0
        )

    sync = SyncWorker(make_engine)
    yield sync
    sync.stop()


def share(tmp_path: Path, title: str) -> None:
    add_moment(open_database(tmp_path / "inflow.db"), Draft(title=title, share_to=("team",)))


def test_a_wake_delivers_off_the_gui_thread(qtbot: QtBot, worker: SyncWorker, tmp_path: Path,
                                            server: FakeServer) -> None:  # fmt: skip
    share(tmp_path, "hello")
    with qtbot.waitSignal(worker.pass_finished, timeout=5000) as blocker:
        worker.wake()
    report = blocker.args[0]
    assert isinstance(report, PassReport)
    assert report.sent == 1
    assert not worker.timer_armed()  # nothing left to do: no timer at all


def test_a_retry_arms_one_timer_that_delivers_when_due(
    qtbot: QtBot, worker: SyncWorker, tmp_path: Path, server: FakeServer
) -> None:
    share(tmp_path, "later")
    server.failures.append(transient("busy", retry_after=0.4))
    with qtbot.waitSignal(worker.pass_finished, timeout=5000) as first:
        worker.wake()
    assert first.args[0].retrying == 1
    assert worker.timer_armed()
    with qtbot.waitSignal(worker.pass_finished, timeout=10000) as second:
        pass  # the timer fires after the backoff (2.5 s with this engine's jitter)
    assert second.args[0].sent == 1
    assert server.requests == 2
    assert not worker.timer_armed()


def test_offline_disarms_and_online_runs_a_pass(
    qtbot: QtBot, worker: SyncWorker, tmp_path: Path, server: FakeServer
) -> None:
    share(tmp_path, "x")
    server.failures.append(transient("down", retry_after=60))
    with qtbot.waitSignal(worker.pass_finished, timeout=5000):
        worker.wake()
    assert worker.timer_armed()
    worker.set_online(False)
    assert not worker.timer_armed()
    with qtbot.waitSignal(worker.pass_finished, timeout=5000):
        worker.set_online(True)


def test_sync_now_calls_back_with_the_report(qtbot: QtBot, worker: SyncWorker, tmp_path: Path) -> None:
    share(tmp_path, "now")
    reports: list[PassReport] = []
    with qtbot.waitSignal(worker.pass_finished, timeout=5000):
        worker.sync_now(reports.append)
    assert [r.sent for r in reports] == [1]


@pytest.mark.parametrize("remaining_s", [0.0, 0.4, 2.5, 60.0, 3600.0])
def test_the_retry_timer_never_fires_before_the_delivery_is_due(remaining_s: float) -> None:
    """A coarse QTimer may fire 5 % early; the armed delay leaves room for that (a pass woken early
    finds nothing due: that was the flaky second pass of the retry test above)."""
    delay_ms = timer_delay_ms(remaining_s)
    assert delay_ms * 0.95 >= remaining_s * 1000
    assert delay_ms <= remaining_s * 1000 * 1.06 + 50  # and not much later than due


def test_the_retry_timer_is_capped_at_what_qt_accepts() -> None:
    assert timer_delay_ms(10**9) == MAX_TIMER_MS
