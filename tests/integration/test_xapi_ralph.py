"""The xAPI connector against a real Ralph LRS (fs backend, basic auth) on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.connector import OutgoingMoment, Target
from sync.connectors.xapi import XapiConnector
from sync.connectors.xapi.content import TAGS_EXTENSION, statement_id
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session

from .servers.ralph import Ralph

pytestmark = pytest.mark.integration


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-integration-test")
    yield session
    session.close()


def connector(ralph: Ralph, http: InflowSession, password: str | None = None) -> XapiConnector:
    """A fresh connector, as after an app restart (nothing shared but the settings)."""
    target = Target("lrs", "xapi", {"url": ralph.endpoint, "username": ralph.username})
    return XapiConnector(target, password or ralph.password, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    """A moment with its own idempotency key: the LRS keeps every statement for the whole session."""
    values: dict[str, Any] = {
        "moment_id": str(uuid.uuid4()), "kind": "resource", "title": "Git rebase docs",
        "body": "The **official** reference.", "url": "https://git-scm.com/docs/git-rebase",
        "tags": ("git", "docs"), "created_at": "2025-01-02T09:30:00.123Z", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def record_statuses(http: InflowSession) -> list[tuple[str, int]]:
    """(method, status) of every answer the session gets from now on."""
    seen: list[tuple[str, int]] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        seen.append((str(response.request.method), response.status_code))

    http.hooks["response"].append(hook)
    return seen


def stored(ralph: Ralph, wanted: str) -> list[dict[str, Any]]:
    return [statement for statement in ralph.statements() if statement["id"] == wanted]


def test_test_accepts_the_right_password(ralph: Ralph, http: InflowSession) -> None:
    message = connector(ralph, http).test()
    assert message == "LRS at 127.0.0.1 speaks xAPI (version not reported); credentials accepted"  # Ralph: no /about


def test_test_with_a_wrong_password_is_auth(ralph: Ralph, http: InflowSession) -> None:
    with pytest.raises(SyncError) as caught:
        connector(ralph, http, password="not-the-password").test()
    assert caught.value.kind is ErrorKind.AUTH
    assert "127.0.0.1" in caught.value.message


def test_send_stores_our_statement(ralph: Ralph, http: InflowSession) -> None:
    shared = moment(kind="tip", url=None, title="Rebase often", body="Keep the history *linear*.")
    result = connector(ralph, http).send(shared)

    assert result.remote_id == statement_id(shared.idempotency_key)
    (statement,) = stored(ralph, result.remote_id)
    assert statement["actor"]["account"] == {"homePage": ralph.base_url, "name": ralph.username}
    assert "mbox" not in statement["actor"]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/shared"
    assert statement["object"]["id"] == f"urn:inflow:moment:{shared.moment_id}"
    assert statement["object"]["definition"]["name"] == {"en-US": "Rebase often"}
    assert statement["context"]["extensions"][TAGS_EXTENSION] == ["git", "docs"]
    assert statement["timestamp"].startswith("2025-01-02T09:30:00.123")


@pytest.mark.parametrize("kind", ["resource", "question"])
def test_every_kind_is_a_valid_statement(ralph: Ralph, http: InflowSession, kind: str) -> None:
    result = connector(ralph, http).send(moment(kind=kind))
    assert len(stored(ralph, result.remote_id)) == 1


def test_a_resend_after_a_crash_stores_nothing_new(ralph: Ralph, http: InflowSession) -> None:
    shared = moment()
    first = connector(ralph, http).send(shared)
    count = len(ralph.statements())
    statuses = record_statuses(http)

    again = connector(ralph, http).send(shared)  # a new instance: the app crashed after sending

    assert statuses == [("POST", 204)]  # byte-identical: Ralph sees every id exists
    assert again == first
    assert len(ralph.statements()) == count
    assert len(stored(ralph, first.remote_id)) == 1


def test_a_resend_of_an_edited_moment_is_delivered_once(ralph: Ralph, http: InflowSession) -> None:
    shared = moment()
    first = connector(ralph, http).send(shared)
    count = len(ralph.statements())

    # Edited between the crash and the retry: same key, different content -> Ralph answers 409,
    # the connector looks the id up and finds it stored.
    edited = moment(**{**_fields(shared), "title": "Git rebase, the docs"})
    statuses = record_statuses(http)
    again = connector(ralph, http).send(edited)

    assert statuses == [("POST", 409), ("GET", 200)]
    assert again == first
    assert len(ralph.statements()) == count
    assert stored(ralph, first.remote_id)[0]["object"]["definition"]["name"] == {"en-US": "Git rebase docs"}


def test_a_batch_with_one_known_statement_stores_only_the_new_one(ralph: Ralph, http: InflowSession) -> None:
    known, new = moment(), moment(kind="question", url=None, title="Why rebase?")
    connector(ralph, http).send(known)
    count = len(ralph.statements())

    results = connector(ralph, http).send_batch([known, new])

    assert [result.remote_id for result in results] == [
        statement_id(known.idempotency_key),
        statement_id(new.idempotency_key),
    ]
    assert len(ralph.statements()) == count + 1


def test_a_stopped_lrs_is_transient_and_sending_resumes(ralph: Ralph, http: InflowSession) -> None:
    shared = moment()
    lrs = connector(ralph, http)
    ralph.stop()
    with pytest.raises(SyncError) as caught:
        lrs.send(shared)
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert caught.value.message == "127.0.0.1 refused the connection (is the server running?)"

    ralph.start()
    result = lrs.send(shared)
    assert len(stored(ralph, result.remote_id)) == 1


def _fields(shared: OutgoingMoment) -> dict[str, Any]:
    return {name: getattr(shared, name) for name in OutgoingMoment.__dataclass_fields__}


@pytest.mark.integration
def test_tracked_activities_become_statements_with_their_verbs(ralph: Ralph, tmp_path: Path) -> None:
    from storage import outbox
    from storage.db import open_database
    from storage.models import Draft, Kind
    from storage.moments import add_moment
    from sync.engine import SyncEngine

    db = open_database(tmp_path / "inflow.db")
    target = Target("lrs", "xapi", {"url": ralph.endpoint, "username": ralph.username,
                                    "track": "captured, answered, read"})  # fmt: skip
    engine = SyncEngine(db, lambda: [target], lambda t: ralph.password, lambda: new_session("t"))
    question = add_moment(db, Draft(kind=Kind.QUESTION, title="Tracked question"), track_targets=("lrs",))
    outbox.track(db, question.id, ["lrs"], "answered")
    outbox.track(db, question.id, ["lrs"], "read")
    assert engine.run_pass().sent == 3
    mine = [s for s in ralph.statements() if s["object"]["definition"]["name"]["en-US"] == "Tracked question"]
    assert sorted(s["verb"]["display"]["en-US"] for s in mine) == ["answered", "bookmarked", "read"]
    engine.close()
