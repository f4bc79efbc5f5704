"""The whole sharing loop against real servers: storage -> engine -> Matrix (Synapse) / xAPI (Ralph).

These are the engine-level guarantees of the sync issue: idempotent resend after a crash, answers
pulled and reported, the feed without our echoes, 429 honoured with no request before the deadline,
a stopped server retried until it is back, a bad token pausing the target without losing anything.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, get_moment
from storage.pull import replies_for
from sync.connector import Target
from sync.connectors.matrix.connector import forget_logins
from sync.engine import SyncEngine
from sync.http import new_session
from tests.integration.servers.ralph import Ralph
from tests.integration.servers.synapse import Account, Synapse
from tests.unit.storage.crashed import crashed_owner

pytestmark = pytest.mark.integration


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Counter:
    """Counts the HTTP requests the engine's session makes (to prove none went out early)."""

    requests: int = 0
    sessions: list[requests.Session] = field(default_factory=list)

    def session(self) -> requests.Session:
        session = new_session("Inflow-test")
        session.hooks["response"].append(self._count)
        self.sessions.append(session)
        return session

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.requests += 1


@dataclass
class Room:
    synapse: Synapse
    me: Account
    colleague: Account
    room_id: str
    target: Target


@pytest.fixture
def room(synapse: Synapse) -> Iterator[Room]:
    forget_logins()
    me = synapse.register(unique("me"), "me-pw")
    colleague = synapse.register(unique("bob"), "bob-pw")
    room_id = synapse.create_room(colleague, unique("learning"))
    synapse.join(me, room_id)
    yield Room(synapse, me, colleague, room_id, Target("team", "matrix", {"url": synapse.base_url, "room": room_id}))
    forget_logins()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "inflow.db")


def engine_for(db: Database, targets: list[Target], secrets: dict[str, str], counter: Counter) -> SyncEngine:
    return SyncEngine(db, lambda: targets, lambda t: secrets.get(t.name), counter.session, rng=lambda: 0.0)


def room_messages(room: Room) -> list[dict[str, Any]]:
    with new_session("t") as http:
        response = http.get(
            f"{room.synapse.base_url}/_matrix/client/v3/rooms/{room.room_id}/messages",
            params={"dir": "b", "limit": 100},
            headers={"Authorization": f"Bearer {room.colleague.access_token}"},
        )
    return [e for e in response.json()["chunk"] if e["type"] == "m.room.message"]


def delivery(db: Database, moment_id: str) -> Any:
    return outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)[0]


def test_a_shared_tip_lands_in_the_room_once_even_after_a_crash(room: Room, db: Database, tmp_path: Path) -> None:
    counter = Counter()
    moment_id = add_moment(db, Draft(kind=Kind.TIP, title="Crash-proof tip", share_to=("team",))).id
    claimed = outbox.claim_due(db, time.time(), owner=crashed_owner())  # the app that is killed below
    assert claimed is not None
    # The app sends, the server stores the event, then the app is killed before recording it.
    first = engine_for(db, [room.target], {"team": room.me.access_token}, counter)
    first_connector = first._connector(room.target)
    from sync.connector import OutgoingMoment

    event_id = first_connector.send(
        OutgoingMoment(claimed.moment_id, "tip", claimed.title, claimed.body, None, (), claimed.created_at,
                       claimed.idempotency_key)
    ).remote_id  # fmt: skip
    first.close()
    db.conn.close()
    reopened = open_database(tmp_path / "inflow.db")
    engine = engine_for(reopened, [room.target], {"team": room.me.access_token}, counter)
    assert engine.reconcile() == 1
    assert engine.run_pass().sent == 1
    assert delivery(reopened, moment_id).remote_id == event_id
    bodies = [e["content"]["body"] for e in room_messages(room)]
    assert sum("Crash-proof tip" in body for body in bodies) == 1
    engine.close()


def test_an_answer_in_the_thread_comes_back_and_is_reported(room: Room, db: Database) -> None:
    engine = engine_for(db, [room.target], {"team": room.me.access_token}, Counter())
    moment_id = add_moment(db, Draft(kind=Kind.QUESTION, title="Who owns the certs?", share_to=("team",))).id
    assert engine.run_pass().sent == 1
    root = delivery(db, moment_id).remote_id
    room.synapse.send_text(room.colleague, room.room_id, "The ops team does.", thread_root=root)
    report = engine.run_pass(pull_now=True)
    assert [(a.moment_id, a.count) for a in report.answers] == [(moment_id, 1)]
    replies = replies_for(db, get_moment(db, moment_id).rowid)
    assert [(r.author, r.body) for r in replies] == [(room.colleague.user_id, "The ops team does.")]
    assert engine.run_pass(pull_now=True).answers == []  # stored once
    engine.close()


def test_the_feed_brings_colleagues_posts_without_our_echo(room: Room, db: Database) -> None:
    engine = engine_for(db, [room.target], {"team": room.me.access_token}, Counter())
    engine.run_pass(pull_now=True)  # the first pull starts "now"
    add_moment(db, Draft(kind=Kind.TIP, title="Our own tip", share_to=("team",)))
    engine.run_pass()
    room.synapse.send_text(room.colleague, room.room_id, "Pairing beats review\nTry it for a week https://x.example/p")
    report = engine.run_pass(pull_now=True)
    assert report.feed == {"team": 1}
    team = db.execute("SELECT title, author, url FROM moments WHERE origin = 'team'").fetchall()
    assert team == [("Pairing beats review", room.colleague.user_id, "https://x.example/p")]
    engine.close()


def test_a_rate_limit_is_honoured_with_no_request_before_the_deadline(room: Room, db: Database) -> None:
    admin = room.synapse.register(unique("admin"), "admin-pw", admin=True)
    counter = Counter()
    engine = engine_for(db, [room.target], {"team": room.me.access_token}, counter)
    ids = [add_moment(db, Draft(title=f"burst {i}", share_to=("team",))).id for i in range(4)]
    room.synapse.override_ratelimit(admin, room.me.user_id, messages_per_second=1, burst_count=1)
    try:
        report = engine.run_pass()
        assert report.retrying == 1, report
        waiting = [delivery(db, i) for i in ids if delivery(db, i).state is DeliveryState.PENDING]
        limited = next(d for d in waiting if d.attempts)
        assert "rate" in (limited.last_error or "")
        deadline = limited.next_attempt_at
        before = counter.requests
        engine.run_pass()  # immediately again: the target waits, nothing is sent
        assert counter.requests == before
        assert time.time() < deadline
    finally:
        room.synapse.clear_ratelimit_override(admin, room.me.user_id)
    time.sleep(max(0.0, deadline - time.time()) + 0.1)
    engine.run_pass()
    assert [delivery(db, i).state for i in ids] == [DeliveryState.SENT] * 4
    engine.close()


def test_a_stopped_server_is_retried_and_delivered_after_restart(room: Room, db: Database) -> None:
    engine = engine_for(db, [room.target], {"team": room.me.access_token}, Counter())
    moment_id = add_moment(db, Draft(title="survives an outage", share_to=("team",))).id
    room.synapse.stop()
    try:
        report = engine.run_pass()
        assert report.retrying == 1
        pending = delivery(db, moment_id)
        assert pending.state is DeliveryState.PENDING
        assert "refused the connection" in (pending.last_error or "")
    finally:
        room.synapse.start()
    time.sleep(max(0.0, pending.next_attempt_at - time.time()) + 0.1)  # the backoff (2.5 s here)
    assert engine.run_pass().sent == 1
    assert delivery(db, moment_id).state is DeliveryState.SENT
    engine.close()


def test_a_bad_token_pauses_the_target_and_loses_nothing(room: Room, db: Database) -> None:
    secrets = {"team": "not-a-valid-token"}
    engine = engine_for(db, [room.target], secrets, Counter())
    ids = [add_moment(db, Draft(title=f"kept {i}", share_to=("team",))).id for i in range(2)]
    report = engine.run_pass()
    assert report.paused == ["team"]
    assert [delivery(db, i).state for i in ids] == [DeliveryState.PAUSED] * 2
    secrets["team"] = room.me.access_token  # the person signs in again
    engine.resume("team")
    assert engine.run_pass().sent == 2
    engine.close()


def test_xapi_statement_is_recorded_once_across_a_crash(ralph: Ralph, db: Database, tmp_path: Path) -> None:
    target = Target("lrs", "xapi", {"url": ralph.endpoint, "username": ralph.username})
    counter = Counter()
    engine = engine_for(db, [target], {"lrs": ralph.password}, counter)
    moment_id = add_moment(db, Draft(kind=Kind.RESOURCE, title="xAPI once", url="https://x.example/a",
                                     share_to=("lrs",))).id  # fmt: skip
    before = len(ralph.statements())
    assert engine.run_pass().sent == 1
    statement_id = delivery(db, moment_id).remote_id
    # Pretend the record step was lost: the row goes back to pending with the same key.
    db.execute("UPDATE outbox SET state = 'pending'")
    assert engine.run_pass().sent == 1
    statements = ralph.statements()
    assert len(statements) == before + 1
    assert delivery(db, moment_id).remote_id == statement_id
    engine.close()
