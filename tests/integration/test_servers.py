"""Smoke tests of the real-server fixtures: what the sync engine's integration tests rely on."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from . import servers
from .servers.ralph import XAPI_VERSION, Ralph
from .servers.synapse import Account, Synapse

pytestmark = pytest.mark.integration


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _messages(http: requests.Session, synapse: Synapse, account: Account, room_id: str) -> list[dict[str, Any]]:
    """The room's m.room.message events, oldest first."""
    response = http.get(
        f"{synapse.base_url}/_matrix/client/v3/rooms/{quote(room_id, safe='')}/messages",
        params={"dir": "b", "limit": "100"},
        headers={"Authorization": f"Bearer {account.access_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    chunk: list[dict[str, Any]] = response.json()["chunk"]
    return [event for event in reversed(chunk) if event["type"] == "m.room.message"]


def _send(http: requests.Session, synapse: Synapse, account: Account, room_id: str, body: str) -> requests.Response:
    return http.put(
        f"{synapse.base_url}/_matrix/client/v3/rooms/{quote(room_id, safe='')}/send/m.room.message/{uuid.uuid4().hex}",
        json={"msgtype": "m.text", "body": body},
        headers={"Authorization": f"Bearer {account.access_token}"},
        timeout=10,
    )


# ---------------------------------------------------------------------------------------- Synapse


def test_synapse_users_room_message_and_thread_reply(synapse: Synapse, http: requests.Session) -> None:
    assert synapse.base_url.startswith("http://127.0.0.1:")
    alice = synapse.register(_name("alice"), "alice-pw")
    bob = synapse.register(_name("bob"), "bob-pw")
    assert alice.user_id.endswith(":localhost")
    assert alice.access_token and alice.device_id and alice.password == "alice-pw"

    room_id = synapse.create_room(alice, "Learning moments")
    synapse.join(bob, room_id)
    root = synapse.send_text(alice, room_id, "Learned: git worktree")
    reply = synapse.send_text(bob, room_id, "Nice, thanks", thread_root=root)

    events = _messages(http, synapse, bob, room_id)
    assert [(e["event_id"], e["sender"], e["content"]["body"]) for e in events] == [
        (root, alice.user_id, "Learned: git worktree"),
        (reply, bob.user_id, "Nice, thanks"),
    ]
    relation = events[1]["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread"
    assert relation["event_id"] == root


def test_synapse_room_ids_by_room_version(synapse: Synapse) -> None:
    frank = synapse.register(_name("frank"), "frank-pw")
    # Room version 12 (the default) drops the server part of room ids; version 11 still has it.
    assert ":" not in synapse.create_room(frank, "Default version")
    assert synapse.create_room(frank, "Version 11", room_version="11").endswith(":localhost")


def test_synapse_login_gives_a_device(synapse: Synapse) -> None:
    user = _name("carol")
    registered = synapse.register(user, "carol-pw")
    again = synapse.login(user, "carol-pw", device_id="INFLOWTEST")
    assert again.user_id == registered.user_id
    assert again.device_id == "INFLOWTEST"
    assert again.access_token != registered.access_token


def test_synapse_ratelimit_override_gives_a_real_429(synapse: Synapse, http: requests.Session) -> None:
    admin = synapse.register(_name("admin"), "admin-pw", admin=True)
    dave = synapse.register(_name("dave"), "dave-pw")
    room_id = synapse.create_room(dave, "Rate limits")
    # Room creation's own events count against the same limiter, so the first send after the
    # override may already be limited; Synapse also holds each 429 back for ~0.5 s.
    synapse.override_ratelimit(admin, dave.user_id, messages_per_second=1, burst_count=2)
    try:
        responses = []
        for number in range(4):
            responses.append(_send(http, synapse, dave, room_id, f"message {number}"))
            if responses[-1].status_code != 200:
                break
        limited = responses[-1]
        assert limited.status_code == 429, limited.text
        error = limited.json()
        assert error["errcode"] == "M_LIMIT_EXCEEDED"
        assert 0 < error["retry_after_ms"] <= 2000
        assert int(limited.headers["Retry-After"]) >= 1
        # Waiting as long as the server said is enough.
        time.sleep(error["retry_after_ms"] / 1000)
        assert _send(http, synapse, dave, room_id, "later").status_code == 200
    finally:
        synapse.clear_ratelimit_override(admin, dave.user_id)
    for body in ("three", "four", "five"):
        assert _send(http, synapse, dave, room_id, body).status_code == 200


def test_synapse_restart_keeps_data(synapse: Synapse, http: requests.Session) -> None:
    erin = synapse.register(_name("erin"), "erin-pw")
    room_id = synapse.create_room(erin, "Survives restarts")
    event_id = synapse.send_text(erin, room_id, "before the restart")
    base_url = synapse.base_url

    synapse.stop()
    assert not synapse.running
    with pytest.raises(requests.ConnectionError):
        http.get(f"{synapse.base_url}/health", timeout=2)
    synapse.start()

    assert synapse.base_url == base_url
    assert http.get(f"{base_url}/health", timeout=2).status_code == 200
    # Same user, same token, same room, same message.
    assert [e["event_id"] for e in _messages(http, synapse, erin, room_id)] == [event_id]
    synapse.send_text(erin, room_id, "after the restart")
    assert [e["content"]["body"] for e in _messages(http, synapse, erin, room_id)] == [
        "before the restart",
        "after the restart",
    ]


# ---------------------------------------------------------------------------------------- Ralph


def _statement(statement_id: str, verb: str = "http://adlnet.gov/expapi/verbs/experienced") -> dict[str, Any]:
    return {
        "id": statement_id,
        "actor": {"objectType": "Agent", "name": "Inflow Test", "mbox": "mailto:inflow-test@example.org"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {
            "objectType": "Activity",
            "id": f"https://inflow.example.org/moments/{statement_id}",
            "definition": {"name": {"en-US": "Learned: git worktree"}},
        },
        "timestamp": "2025-01-02T03:04:05.678+00:00",
    }


def _post(http: requests.Session, ralph: Ralph, statement: dict[str, Any]) -> requests.Response:
    return http.post(
        f"{ralph.endpoint}/statements",
        json=statement,
        auth=(ralph.username, ralph.password),
        headers={"X-Experience-API-Version": XAPI_VERSION},
        timeout=10,
    )


def test_ralph_statements_are_idempotent_by_id(ralph: Ralph, http: requests.Session) -> None:
    assert ralph.endpoint.startswith("http://127.0.0.1:") and ralph.endpoint.endswith("/xAPI")
    statement_id = str(uuid.uuid4())
    statement = _statement(statement_id)

    created = _post(http, ralph, statement)
    assert created.status_code == 200, created.text
    assert created.json() == [statement_id]

    again = _post(http, ralph, statement)
    assert again.status_code in (200, 204), again.text

    conflict = _post(http, ralph, _statement(statement_id, "http://adlnet.gov/expapi/verbs/shared"))
    assert conflict.status_code == 409, conflict.text

    stored = [s for s in ralph.statements() if s["id"] == statement_id]
    assert len(stored) == 1
    assert stored[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert stored[0]["object"]["id"] == statement["object"]["id"]


def test_ralph_rejects_wrong_credentials(ralph: Ralph, http: requests.Session) -> None:
    response = http.post(
        f"{ralph.endpoint}/statements",
        json=_statement(str(uuid.uuid4())),
        auth=(ralph.username, "wrong"),
        headers={"X-Experience-API-Version": XAPI_VERSION},
        timeout=10,
    )
    assert response.status_code == 401


def test_ralph_restart_keeps_statements(ralph: Ralph, http: requests.Session) -> None:
    before = str(uuid.uuid4())
    assert _post(http, ralph, _statement(before)).status_code == 200
    endpoint = ralph.endpoint

    ralph.stop()
    assert not ralph.running
    with pytest.raises(requests.ConnectionError):
        http.get(f"{ralph.endpoint}/statements", auth=ralph.auth, timeout=2)
    ralph.start()

    assert ralph.endpoint == endpoint
    after = str(uuid.uuid4())
    assert _post(http, ralph, _statement(after)).status_code == 200
    ids = {s["id"] for s in ralph.statements()}
    assert {before, after} <= ids


def test_ralph_statements_follows_more(ralph: Ralph, http: requests.Session) -> None:
    # More than one page of Ralph's default page size (100): POST a batch as one JSON array.
    batch = [_statement(str(uuid.uuid4())) for _ in range(120)]
    response = http.post(
        f"{ralph.endpoint}/statements",
        json=batch,
        auth=ralph.auth,
        headers={"X-Experience-API-Version": XAPI_VERSION},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    ids = [s["id"] for s in ralph.statements()]
    assert len(ids) == len(set(ids))
    assert {s["id"] for s in batch} <= set(ids)


# ---------------------------------------------------------------------------------------- missing


def test_missing_server_venv_names_the_test_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(servers, "SERVERS_DIR", tmp_path)
    with pytest.raises(servers.ServerNotInstalledError, match=r"bash scripts/test\.sh"):
        servers.server_python("synapse")
