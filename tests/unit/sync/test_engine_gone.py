"""410 Gone through the engine, per connector where it means "stop sending": the target pauses with the
reason, later moments are not posted one by one, and resuming sends them (loopback receivers)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, get_moment
from sync.connector import Target
from sync.engine import SyncEngine
from sync.http import new_session
from tests.unit.sync.local_server import Answer, LocalServer, Request

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


@dataclass
class Case:
    kind: str
    gone: Answer  # what the receiver says when it wants no more
    accepted: Answer
    reason: str  # the start of the pause reason the person reads


CASES = {
    "webhook": Case("webhook", (410, {}, b"gone"), (204, {}, b""), "The receiver disabled this webhook (410 Gone)"),
    "slack-webhook": Case(
        "slack-webhook", (410, {"Content-Type": "text/html"}, b"channel_is_archived"),
        (200, {"Content-Type": "text/html"}, b"ok"), "The webhook's channel is archived",
    ),
}  # fmt: skip


@dataclass
class Receiver:
    answer: Answer
    url: str = ""
    seen: list[Request] | None = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(answer=(500, {}, b""))
    with LocalServer(lambda _request, _h: state.answer, methods=("POST",)) as server:
        state.url = f"{server.url}/hooks/inflow"
        state.seen = server.requests
        yield state


def target_and_secret(case: Case, url: str) -> tuple[Target, str]:
    if case.kind == "slack-webhook":
        return Target("team", case.kind, {}), url  # the secret IS the URL
    return Target("team", case.kind, {"url": url}), SECRET


def share(db: Database, title: str) -> str:
    return add_moment(db, Draft(kind=Kind.TIP, title=title, share_to=("team",))).id


def state_of(db: Database, moment_id: str) -> tuple[DeliveryState, str | None]:
    (delivery,) = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)
    return delivery.state, delivery.last_error


@pytest.mark.parametrize("name", sorted(CASES))
def test_410_gone_pauses_the_target_with_its_reason_and_resuming_sends(
    name: str, receiver: Receiver, tmp_path: Path
) -> None:
    case = CASES[name]
    db = open_database(tmp_path / "inflow.db")
    target, secret = target_and_secret(case, receiver.url)
    engine = SyncEngine(db, lambda: [target], lambda _t: secret, lambda: new_session("test", timeout=(2, 2)))
    moments = [share(db, "one"), share(db, "two"), share(db, "three")]
    receiver.answer = case.gone
    report = engine.run_pass()
    assert report.paused == ["team"]
    assert report.dead == 0
    assert report.problems and report.problems[0].startswith(f"team: {case.reason}")
    assert outbox.paused_targets(db)["team"].startswith(case.reason)
    for moment_id in moments:
        state, error = state_of(db, moment_id)
        assert state is DeliveryState.PAUSED
        assert error is not None and error.startswith(case.reason)
    assert receiver.seen is not None and len(receiver.seen) == 1  # the rest were not posted and failed one by one
    share(db, "four")
    engine.run_pass()
    assert len(receiver.seen) == 1  # a paused target is left alone, new moments too
    receiver.answer = case.accepted
    engine.resume("team")  # what signing in again (Settings, `inflow target signin`) does
    assert engine.run_pass().sent == 4
    assert len(receiver.seen) == 5
    engine.close()


def test_a_410_in_one_process_stops_another_engine_too(receiver: Receiver, tmp_path: Path) -> None:
    """The pause is stored: a second engine (say `inflow sync now`) posts nothing either."""
    case = CASES["webhook"]
    target, secret = target_and_secret(case, receiver.url)
    first_db, second_db = open_database(tmp_path / "inflow.db"), open_database(tmp_path / "inflow.db")
    share(first_db, "one")
    receiver.answer = case.gone
    first = SyncEngine(first_db, lambda: [target], lambda _t: secret, lambda: new_session("test", timeout=(2, 2)))
    first.run_pass()
    share(first_db, "two")
    second = SyncEngine(second_db, lambda: [target], lambda _t: secret, lambda: new_session("test", timeout=(2, 2)))
    assert second.run_pass().paused == ["team"]
    assert receiver.seen is not None and len(receiver.seen) == 1
    first.close()
    second.close()
