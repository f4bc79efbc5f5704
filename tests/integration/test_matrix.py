"""The Matrix connector against a real Synapse: what a team room sees, and what comes back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import requests

from sync.connector import OutgoingMoment, Target
from sync.connectors.matrix.connector import CONNECTOR, MatrixConnector, forget_logins
from sync.connectors.matrix.content import MARKER
from sync.errors import ErrorKind, SyncError
from sync.http import new_session

from .servers.synapse import Account, Synapse

pytestmark = pytest.mark.integration

CLIENT = "/_matrix/client/v3"


@dataclass
class Team:
    """A room made by colleague `bob`, joined by `alice` (the Inflow user)."""

    synapse: Synapse
    alice: Account
    bob: Account
    room_id: str
    http: requests.Session

    def connector(
        self, *, room: str | None = None, token: str | None = None, state: dict[str, str] | None = None
    ) -> MatrixConnector:
        target = Target("team", "matrix", {"url": self.synapse.base_url, "room": room or self.room_id})
        return MatrixConnector(target, token or self.alice.access_token, self.http, {} if state is None else state)

    def as_bob(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(
            method, f"{self.synapse.base_url}{path}", headers={"Authorization": f"Bearer {self.bob.access_token}"},
            **kwargs,
        )  # fmt: skip
        assert response.ok, response.text
        result: dict[str, Any] = response.json()
        return result

    def event(self, event_id: str) -> dict[str, Any]:
        return self.as_bob("GET", f"{CLIENT}/rooms/{q(self.room_id)}/event/{q(event_id)}")

    def messages(self) -> list[dict[str, Any]]:
        """The room's m.room.message events (newest 200), oldest first, as bob reads them."""
        page = self.as_bob("GET", f"{CLIENT}/rooms/{q(self.room_id)}/messages", params={"dir": "b", "limit": "200"})
        return [e for e in reversed(page["chunk"]) if e["type"] == "m.room.message"]


def q(value: str) -> str:
    return quote(value, safe="")


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": str(uuid.uuid4()), "kind": "tip", "title": "Rebase often",
        "body": "Use `git pull --rebase`:\n\n- fewer merge commits\n- **clean** history",
        "url": "https://git-scm.com/docs/git-rebase", "tags": ("git", "workflow"),
        "created_at": "2025-01-01T00:00:00.000Z", "idempotency_key": uuid.uuid4().hex,
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


@pytest.fixture
def team(synapse: Synapse) -> Iterator[Team]:
    forget_logins()
    alice = synapse.register(name("alice"), "alice-pw")
    bob = synapse.register(name("bob"), "bob-pw")
    room_id = synapse.create_room(bob, name("team"))
    synapse.join(alice, room_id)
    with new_session("Inflow-test") as http:
        yield Team(synapse, alice, bob, room_id, http)
    forget_logins()


def test_registry_exports_the_connector() -> None:
    assert CONNECTOR is MatrixConnector
    assert (CONNECTOR.kind, CONNECTOR.can_edit, CONNECTOR.can_retract, CONNECTOR.can_pull) == (
        "matrix",
        True,
        True,
        True,
    )
    assert [key.name for key in CONNECTOR.keys] == ["url", "room", "user"]
    assert not CONNECTOR.keys[2].required


# ---------------------------------------------------------------------- test()


def test_test_signs_in_and_joins_the_room_through_its_alias(team: Team) -> None:
    carol = team.synapse.register(name("carol"), "carol-pw")  # not in the room yet
    alias = f"#{name('alias')}:localhost"
    team.as_bob("PUT", f"{CLIENT}/directory/room/{q(alias)}", json={"room_id": team.room_id})
    state: dict[str, str] = {}
    connector = team.connector(room=alias, token=carol.access_token, state=state)

    message = connector.test()

    assert message == f"Signed in as {carol.user_id}; room {team.room_id} is reachable"
    assert state == {"room_alias": alias, "room_id": team.room_id}
    members = team.as_bob("GET", f"{CLIENT}/rooms/{q(team.room_id)}/joined_members")["joined"]
    assert carol.user_id in members
    assert team.connector(room=alias, token=carol.access_token, state=state).test() == message


def test_a_bad_token_is_auth(team: Team) -> None:
    with pytest.raises(SyncError) as caught:
        team.connector(token="syt_not_a_real_token").test()
    assert caught.value.kind is ErrorKind.AUTH
    assert caught.value.message == "The access token was rejected: sign in again"


def test_a_wrong_password_is_auth(team: Team) -> None:
    target = Target("team", "matrix", {"url": team.synapse.base_url, "room": team.room_id, "user": team.alice.user_id})
    with pytest.raises(SyncError) as caught:
        MatrixConnector(target, "wrong", team.http, {}).test()
    assert caught.value.kind is ErrorKind.AUTH


# ---------------------------------------------------------------------- send, idempotency


def test_send_posts_html_with_our_marker_that_a_colleague_reads(team: Team) -> None:
    shared = moment()
    result = team.connector().send(shared)

    assert result.remote_id.startswith("$")
    assert result.link == f"https://matrix.to/#/{q(team.room_id)}/{q(result.remote_id)}"
    event = team.event(result.remote_id)
    assert event["sender"] == team.alice.user_id
    content = event["content"]
    assert content["body"].startswith("Tip: Rebase often")
    assert content["format"] == "org.matrix.custom.html"
    assert "<strong>clean</strong>" in content["formatted_body"]
    assert "<li>fewer merge commits</li>" in content["formatted_body"]
    assert content[MARKER] == {"id": shared.moment_id, "kind": "tip", "title": "Rebase often",
                               "url": "https://git-scm.com/docs/git-rebase", "tags": ["git", "workflow"]}  # fmt: skip


def test_the_same_key_twice_posts_once(team: Team) -> None:
    """A crash after the server got the message: the retry (a new connector, same device) dedupes."""
    shared = moment()
    first = team.connector().send(shared)
    second = team.connector().send(shared)

    assert second.remote_id == first.remote_id
    ours = [e for e in team.messages() if e["content"].get(MARKER, {}).get("id") == shared.moment_id]
    assert len(ours) == 1


def test_password_login_keeps_the_device_and_never_stores_the_token(team: Team) -> None:
    settings = {"url": team.synapse.base_url, "room": team.room_id, "user": team.alice.user_id}
    target = Target("team", "matrix", settings)
    state: dict[str, str] = {}
    shared = moment()

    first = MatrixConnector(target, "alice-pw", team.http, state).send(shared)
    device = state["device_id"]
    assert device and device != team.alice.device_id
    assert "access_token" not in state
    assert team.alice.access_token not in state.values()

    forget_logins()  # a restart: the token was only ever in memory
    again = MatrixConnector(target, "alice-pw", team.http, state).send(shared)
    assert again.remote_id == first.remote_id
    assert state["device_id"] == device
    devices = team.synapse.login(team.alice.user_id, "alice-pw")  # one more device, to list them
    listed = team.http.get(
        f"{team.synapse.base_url}{CLIENT}/devices", headers={"Authorization": f"Bearer {devices.access_token}"}
    ).json()["devices"]
    assert [d["device_id"] for d in listed].count(device) == 1


def test_a_revoked_token_means_one_fresh_login(team: Team) -> None:
    user = name("dora")
    dora = team.synapse.register(user, "dora-pw")
    team.synapse.join(dora, team.room_id)
    target = Target("team", "matrix", {"url": team.synapse.base_url, "room": team.room_id, "user": user})
    state: dict[str, str] = {}
    connector = MatrixConnector(target, "dora-pw", team.http, state)
    connector.send(moment())
    device = state["device_id"]
    other = team.synapse.login(user, "dora-pw")
    response = team.http.post(
        f"{team.synapse.base_url}{CLIENT}/logout/all",
        json={},
        headers={"Authorization": f"Bearer {other.access_token}"},
    )
    assert response.ok, response.text

    result = connector.send(moment())  # M_UNKNOWN_TOKEN -> login again (same device id) -> sent

    assert team.event(result.remote_id)["sender"] == dora.user_id
    assert state["device_id"] == device


def test_a_token_rejected_without_a_password_is_auth(team: Team) -> None:
    user = name("erin")
    erin = team.synapse.register(user, "erin-pw")
    team.synapse.join(erin, team.room_id)
    connector = team.connector(token=erin.access_token)
    connector.send(moment())
    team.http.post(f"{team.synapse.base_url}{CLIENT}/logout", json={},
                   headers={"Authorization": f"Bearer {erin.access_token}"})  # fmt: skip
    with pytest.raises(SyncError) as caught:
        connector.send(moment())
    assert caught.value.kind is ErrorKind.AUTH


# ---------------------------------------------------------------------- edit, retract


def test_edit_sends_a_replacement(team: Team) -> None:
    connector = team.connector()
    shared = moment()
    sent = connector.send(shared)
    edited = moment(moment_id=shared.moment_id, title="Rebase (almost) always", idempotency_key=uuid.uuid4().hex)

    connector.edit(edited, sent.remote_id)
    connector.edit(edited, sent.remote_id)  # a retry of the same edit: deduplicated

    path = f"/_matrix/client/v1/rooms/{q(team.room_id)}/relations/{q(sent.remote_id)}/m.replace"
    replacements = team.as_bob("GET", path)["chunk"]
    assert len(replacements) == 1
    new = replacements[0]["content"]["m.new_content"]
    assert new["body"].startswith("Tip: Rebase (almost) always")
    assert new[MARKER]["title"] == "Rebase (almost) always"


def test_retract_redacts_the_message(team: Team) -> None:
    connector = team.connector()
    sent = connector.send(moment())

    connector.retract(sent.remote_id)
    connector.retract(sent.remote_id)  # a retry: the same redaction

    event = team.event(sent.remote_id)
    assert event["content"] == {}
    assert "redacted_because" in event["unsigned"]
    redactions = [e for e in team.as_bob("GET", f"{CLIENT}/rooms/{q(team.room_id)}/messages",
                                         params={"dir": "b", "limit": "50"})["chunk"]
                  if e["type"] == "m.room.redaction"]  # fmt: skip
    assert len(redactions) == 1


# ---------------------------------------------------------------------- replies, feed


def test_fetch_replies_returns_a_colleagues_thread_reply(team: Team) -> None:
    connector = team.connector()
    question = connector.send(moment(kind="question", title="How do I squash?", body="", url=None, tags=()))
    assert connector.fetch_replies(question.remote_id) == []
    first = team.synapse.send_text(team.bob, team.room_id, "git rebase -i HEAD~3", thread_root=question.remote_id)
    second = team.synapse.send_text(team.bob, team.room_id, "or --squash", thread_root=question.remote_id)
    redacted = team.synapse.send_text(team.bob, team.room_id, "oops", thread_root=question.remote_id)
    team.as_bob("PUT", f"{CLIENT}/rooms/{q(team.room_id)}/redact/{q(redacted)}/{uuid.uuid4().hex}", json={})
    team.synapse.send_text(team.bob, team.room_id, "not in the thread")

    replies = connector.fetch_replies(question.remote_id)

    assert [(r.remote_id, r.author, r.body) for r in replies] == [
        (first, team.bob.user_id, "git rebase -i HEAD~3"),
        (second, team.bob.user_id, "or --squash"),
    ]
    assert replies[0].created_at.endswith("Z") and replies[0].created_at[:2] == "20"


def test_the_feed_starts_now_and_brings_colleagues_posts_and_our_echo(team: Team) -> None:
    connector = team.connector()
    team.synapse.send_text(team.bob, team.room_id, "history before we started pulling")
    start = connector.fetch_feed(None)
    assert start.items == [] and start.cursor

    short = team.synapse.send_text(team.bob, team.room_id, "Use ruff")
    long_text = (
        "Pinning dependencies\nRead https://pip.pypa.io/en/stable/topics/repeatable-installs/ first.\nThen lock."
    )
    long = team.synapse.send_text(team.bob, team.room_id, long_text)
    ours = moment()
    sent = connector.send(ours)
    team.synapse.send_text(team.bob, team.room_id, "nice one", thread_root=sent.remote_id)

    page = connector.fetch_feed(start.cursor)

    by_id = {item.remote_id: item for item in page.items}
    assert list(by_id) == [short, long, sent.remote_id]
    assert (by_id[short].title, by_id[short].body, by_id[short].kind, by_id[short].url) == ("Use ruff", "", "tip", None)
    item = by_id[long]
    assert (item.title, item.author) == ("Pinning dependencies", team.bob.user_id)
    assert item.body.startswith("Read https://") and item.body.endswith("Then lock.")
    assert item.url == "https://pip.pypa.io/en/stable/topics/repeatable-installs/"
    echo = by_id[sent.remote_id]
    assert (echo.local_id, echo.title, echo.tags) == (ours.moment_id, "Rebase often", ("git", "workflow"))

    assert page.cursor and page.cursor != start.cursor
    later = connector.fetch_feed(page.cursor)
    assert later.items == []
    newest = team.synapse.send_text(team.bob, team.room_id, "one more")
    assert [i.remote_id for i in connector.fetch_feed(later.cursor).items] == [newest]


# ---------------------------------------------------------------------- failures


def test_a_rate_limit_is_transient_with_retry_after(team: Team) -> None:
    admin = team.synapse.register(name("admin"), "admin-pw", admin=True)
    team.synapse.override_ratelimit(admin, team.alice.user_id, messages_per_second=1, burst_count=1)
    connector = team.connector()
    refused: list[SyncError] = []
    try:
        for _ in range(3):  # the join already used part of the burst: the first or second send is refused
            try:
                connector.send(moment())
            except SyncError as error:
                refused.append(error)
                break
    finally:
        team.synapse.clear_ratelimit_override(admin, team.alice.user_id)
    assert refused, "no 429 from Synapse"
    assert refused[0].kind is ErrorKind.TRANSIENT
    assert refused[0].retry_after is not None and refused[0].retry_after > 0
    assert "rate-limiting" in refused[0].message


def test_an_unknown_room_is_permanent(team: Team) -> None:
    with pytest.raises(SyncError) as by_alias:
        team.connector(room="#no-such-room:localhost").send(moment())
    assert by_alias.value.kind is ErrorKind.PERMANENT
    assert by_alias.value.message == "The room #no-such-room:localhost does not exist (any more)"

    with pytest.raises(SyncError) as by_id:
        team.connector(room="!nosuchroom:localhost").send(moment())
    assert by_id.value.kind is ErrorKind.PERMANENT
    assert "!nosuchroom:localhost" in by_id.value.message


def test_a_stopped_server_is_transient(team: Team) -> None:
    connector = team.connector()
    team.synapse.stop()
    try:
        started = time.monotonic()
        with pytest.raises(SyncError) as caught:
            connector.send(moment())
        assert time.monotonic() - started < 10
    finally:
        team.synapse.start()
    assert caught.value.kind is ErrorKind.TRANSIENT
    assert "127.0.0.1" in caught.value.message
    assert connector.send(moment()).remote_id.startswith("$")
