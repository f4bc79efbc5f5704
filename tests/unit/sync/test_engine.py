"""The engine's state machine against a scripted backend and a fake clock (no network, no Qt)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, delete_moments, get_moment, update_moment
from storage.pull import replies_for, set_answered
from sync import registry
from sync.connector import FeedItem, RemoteReply, Target
from sync.engine import SyncEngine, backoff_delay
from sync.errors import auth, permanent, transient
from sync.http import new_session
from tests.unit.storage.crashed import crashed_owner
from tests.unit.sync import fake_connector
from tests.unit.sync.fake_connector import FakeServer


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # moments carry real creation times; question age is measured from them

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setitem(registry._MODULES, "fake", "tests.unit.sync.fake_connector")
    fresh = FakeServer()
    monkeypatch.setattr(fake_connector, "SERVER", fresh)
    return fresh


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "inflow.db")


@pytest.fixture
def clock() -> Clock:
    return Clock()


TARGETS = [Target("team", "fake", {"url": "x"})]


@pytest.fixture
def engine(db: Database, server: FakeServer, clock: Clock) -> Iterator[SyncEngine]:
    eng = SyncEngine(db, lambda: TARGETS, lambda t: "secret", lambda: new_session("test"), clock=clock,
                     rng=lambda: 1.0)  # fmt: skip
    yield eng
    eng.close()


def share(db: Database, title: str = "a tip", kind: Kind = Kind.TIP) -> str:
    return add_moment(db, Draft(kind=kind, title=title, share_to=("team",))).id


def states(db: Database, moment_id: str) -> list[DeliveryState]:
    return [d.state for d in outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)]


def test_a_shared_moment_is_queued_in_the_same_transaction_and_delivered(
    db: Database, engine: SyncEngine, server: FakeServer
) -> None:
    moment_id = share(db)
    assert states(db, moment_id) == [DeliveryState.PENDING]
    assert get_moment(db, moment_id).visibility == "team"
    report = engine.run_pass()
    assert report.sent == 1
    (delivery,) = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)
    assert delivery.state is DeliveryState.SENT
    assert delivery.remote_link == "https://fake/r1"
    assert server.posts["r1"].title == "a tip"


def test_private_moments_are_not_queued(db: Database, engine: SyncEngine, server: FakeServer) -> None:
    add_moment(db, Draft(title="mine"))
    assert engine.run_pass().sent == 0
    assert server.posts == {}


def test_transient_failure_waits_for_retry_after_and_makes_no_request_before(
    db: Database, engine: SyncEngine, server: FakeServer, clock: Clock
) -> None:
    moment_id = share(db)
    server.failures.append(transient("rate limited", retry_after=30))
    report = engine.run_pass()
    assert report.retrying == 1
    (delivery,) = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)
    assert delivery.retrying
    assert delivery.last_error == "rate limited"
    assert delivery.next_attempt_at >= clock.now + 30
    assert report.next_due == delivery.next_attempt_at
    clock.now += 20
    engine.run_pass()
    assert server.requests == 1  # nothing before the deadline
    clock.now += 20
    assert engine.run_pass().sent == 1


def test_backoff_grows_is_capped_and_honours_the_server() -> None:
    assert backoff_delay(0, None, lambda: 1.0) == 5
    assert backoff_delay(3, None, lambda: 1.0) == 40
    assert backoff_delay(30, None, lambda: 1.0) == 3600
    assert backoff_delay(0, 90, lambda: 0.0) == 90
    assert 2.5 <= backoff_delay(0, None, lambda: 0.0) <= 5


def test_permanent_failure_is_dead_with_the_message_and_retry_works(
    db: Database, engine: SyncEngine, server: FakeServer
) -> None:
    moment_id = share(db)
    server.failures.append(permanent("The room does not exist"))
    assert engine.run_pass().dead == 1
    (delivery,) = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)
    assert delivery.state is DeliveryState.DEAD
    assert delivery.last_error == "The room does not exist"
    assert outbox.retry_now(db, delivery.id)
    assert engine.run_pass().sent == 1


def test_auth_failure_pauses_the_whole_target_and_loses_nothing(
    db: Database, engine: SyncEngine, server: FakeServer
) -> None:
    first, second = share(db, "one"), share(db, "two")
    server.failures.append(auth("token revoked"))
    report = engine.run_pass()
    assert report.paused == ["team"]
    assert states(db, first) == [DeliveryState.PAUSED]
    assert states(db, second) == [DeliveryState.PAUSED]
    assert server.requests == 1
    engine.run_pass()
    assert server.requests == 1  # a paused target is left alone
    engine.resume("team")
    assert engine.run_pass().sent == 2


def test_a_crash_while_inflight_resends_with_the_same_key_and_posts_once(
    db: Database, server: FakeServer, clock: Clock, tmp_path: Path
) -> None:
    moment_id = share(db)
    claimed = outbox.claim_due(db, clock.now, owner=crashed_owner())
    assert claimed is not None
    # the request reached the server, then the app died before recording it
    server.by_key[claimed.idempotency_key] = "r-first"
    db.conn.close()
    reopened = open_database(tmp_path / "inflow.db")
    assert states(reopened, moment_id) == [DeliveryState.INFLIGHT]
    engine = SyncEngine(reopened, lambda: TARGETS, lambda t: None, lambda: new_session("t"), clock=clock)
    assert engine.reconcile() == 1
    engine.run_pass()
    assert states(reopened, moment_id) == [DeliveryState.SENT]
    assert list(server.by_key.values()) == ["r-first"]
    assert outbox_status.deliveries_for(reopened, get_moment(reopened, moment_id).rowid)[0].remote_id == "r-first"
    engine.close()


def test_answers_to_a_question_are_pulled_stored_once_and_reported(
    db: Database, engine: SyncEngine, server: FakeServer, clock: Clock
) -> None:
    moment_id = share(db, "How do I rebase?", Kind.QUESTION)
    engine.run_pass()
    server.replies["r1"] = [RemoteReply("e1", "@bob", "Use -i", "2027-01-15T08:00:00Z")]
    clock.now += 61
    report = engine.run_pass()
    assert [(a.moment_id, a.title, a.count) for a in report.answers] == [(moment_id, "How do I rebase?", 1)]
    server.replies["r1"].append(RemoteReply("e2", "@carol", "And --onto", "2027-01-15T08:01:00Z"))
    clock.now += 61
    assert engine.run_pass().answers[0].count == 1
    clock.now += 61
    assert engine.run_pass().answers == []
    rowid = get_moment(db, moment_id).rowid
    assert [r.author for r in replies_for(db, rowid)] == ["@bob", "@carol"]
    assert set_answered(db, moment_id)
    requests_before = server.requests
    clock.now += 10_000
    engine.run_pass()
    assert server.requests == requests_before + 1  # the feed only: answered questions are not polled


def test_tips_are_not_polled_for_answers(db: Database, engine: SyncEngine, server: FakeServer) -> None:
    share(db, "a tip")
    engine.run_pass()
    assert outbox.next_due_at(db) is None


def test_the_feed_skips_our_own_echoes_and_moves_the_cursor(
    db: Database, engine: SyncEngine, server: FakeServer, clock: Clock
) -> None:
    mine = share(db, "my own tip")
    engine.run_pass()
    server.feed = [
        FeedItem("r1", "@me", "tip", "my own tip", "", None, (), "2027-01-01T00:00:00Z"),  # echo by remote id
        FeedItem("x9", "@me", "tip", "mine too", "", None, (), "2027-01-01T00:00:00Z", local_id=mine),
        FeedItem("f1", "@bob", "resource", "Great talk", "watch it", "https://v.example/1", ("talks",),
                 "2027-01-02T00:00:00Z"),
    ]  # fmt: skip
    clock.now += 301
    report = engine.run_pass()
    assert report.feed == {"team": 1}
    team = db.execute("SELECT title, author, origin, kind FROM moments WHERE origin = 'team'").fetchall()
    assert team == [("Great talk", "@bob", "team", "resource")]
    clock.now += 301
    assert engine.run_pass().feed == {"team": 0}


def test_editing_and_deleting_a_shared_moment_updates_and_retracts(
    db: Database, engine: SyncEngine, server: FakeServer
) -> None:
    moment_id = share(db)
    engine.run_pass()
    update_moment(db, moment_id, Draft(kind=Kind.TIP, title="better tip"))
    engine.run_pass()
    assert server.edits == ["r1"]
    delete_moments(db, [moment_id], retract=True)
    engine.run_pass()
    assert server.retracted == ["r1"]


def test_deleting_before_delivery_cancels_the_post(db: Database, engine: SyncEngine, server: FakeServer) -> None:
    moment_id = share(db)
    delete_moments(db, [moment_id])
    engine.run_pass()
    assert server.posts == {}


def test_a_removed_target_fails_its_deliveries_clearly(db: Database, server: FakeServer, clock: Clock) -> None:
    moment_id = share(db)
    engine = SyncEngine(db, lambda: [], lambda t: None, lambda: new_session("t"), clock=clock)
    assert engine.run_pass().dead == 1
    delivery = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)[0]
    assert "no longer configured" in (delivery.last_error or "")
    engine.close()


def test_connector_state_is_persisted(db: Database, engine: SyncEngine) -> None:
    share(db)
    engine.run_pass()
    assert outbox.get_target_state(db, "team") == {"device": "dev-1"}


def test_tracking_rows_are_queued_once_and_sent_with_their_activity(
    db: Database, engine: SyncEngine, server: FakeServer
) -> None:
    moment = add_moment(db, Draft(kind=Kind.QUESTION, title="tracked"), track_targets=("team",))
    assert outbox.track(db, moment.id, ["team"], "read") == 1
    assert outbox.track(db, moment.id, ["team"], "read") == 0  # once per moment, target and activity
    assert outbox.track(db, moment.id, ["team"], "answered") == 1
    assert engine.run_pass().sent == 3
    sent = sorted((m.activity or "", m.activity_at is not None) for m in server.posts.values())
    assert sent == [("answered", True), ("captured", True), ("read", True)]
    assert get_moment(db, moment.id).visibility == "private"  # tracking is not sharing


def test_a_complete_feed_read_replaces_the_reply_polls(
    db: Database, engine: SyncEngine, server: FakeServer, clock: Clock
) -> None:
    server.feed_complete = True
    engine.run_pass(pull_now=True)  # the feed starts "now"
    ids = [share(db, f"question {i}", Kind.QUESTION) for i in range(5)]
    engine.run_pass()
    assert server.reply_requests == 5  # the first poll of each question asks the backend directly
    remote = outbox_status.deliveries_for(db, get_moment(db, ids[2]).rowid)[0].remote_id
    assert remote is not None
    server.feed_replies = {remote: [RemoteReply("x1", "@bob", "seen in the feed", "2027-01-01T00:00:00Z")]}
    clock.now += 61
    report = engine.run_pass()
    assert server.reply_requests == 5  # no poll per question: one feed read covered all five
    assert [(a.moment_id, a.count) for a in report.answers] == [(ids[2], 1)]
    assert [r.body for r in replies_for(db, get_moment(db, ids[2]).rowid)] == ["seen in the feed"]


def test_an_incomplete_feed_read_keeps_the_polls(
    db: Database, engine: SyncEngine, server: FakeServer, clock: Clock
) -> None:
    engine.run_pass(pull_now=True)
    share(db, "question", Kind.QUESTION)
    engine.run_pass()
    clock.now += 61
    engine.run_pass()
    assert server.reply_requests == 2


def test_a_refreshed_secret_goes_back_to_the_store(db: Database, server: FakeServer, clock: Clock) -> None:
    keyring = {"team": "old"}
    engine = SyncEngine(db, lambda: TARGETS, lambda t: keyring[t.name], lambda: new_session("t"), clock=clock,
                        store_secret=lambda target, secret: keyring.__setitem__(target.name, secret))  # fmt: skip
    share(db)
    connector = engine._connector(TARGETS[0])
    connector.updated_secret = "refreshed"  # type: ignore[attr-defined]
    engine.run_pass()
    assert keyring == {"team": "refreshed"}
    assert engine._connector(TARGETS[0]) is connector  # no rebuild (and no new sign-in) for the new secret
    engine.close()
