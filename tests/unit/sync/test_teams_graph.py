"""The Teams (Graph) connector against a local HTTPS fake of Microsoft sign-in and Graph (graph_fake.py).

Follows learn.microsoft.com: "OAuth 2.0 device authorization grant" (identity platform), "Send
chatMessage in a channel" (channel-post-messages), "List replies" (chatmessage-list-replies),
"chatMessage: delta", "Update chatMessage", "chatMessage: softDelete", "Microsoft Graph throttling
guidance" and "Microsoft Graph error responses". msal refuses http:// authorities and contacts the
authority when its client is built, hence TLS with a trustme CA.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.teams_graph.connector import CONNECTOR, TeamsGraphConnector, start_device_sign_in
from sync.connectors.teams_graph.content import MAX_MESSAGE_BYTES, TRUNCATED, marker_html
from sync.errors import ErrorKind, SyncError
from sync.formatting import as_html
from sync.http import InflowSession
from tests.unit.sync import graph_fake
from tests.unit.sync.graph_fake import CHANNEL_PATH, GraphFake, Served, graph_error

MOMENT = OutgoingMoment(
    moment_id="0f8b6c1e-1111-2222-3333-444444444444", kind="tip", title="Rebase often",
    body="Keep **branches** short.", url="https://git-scm.com/docs/git-rebase", tags=("git",),
    created_at="2026-01-01T09:00:00Z", idempotency_key="key-1",
)  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from graph_fake.serve(tmp_path)


@pytest.fixture
def fake(served: Served) -> GraphFake:
    return served.fake


def _session(served: Served, read_timeout: float = 5.0) -> InflowSession:
    """The Inflow session trusting the test CA: without the OS store, and without the environment
    (REQUESTS_CA_BUNDLE in the environment would override `verify`)."""
    http = InflowSession(user_agent="inflow-test", use_os_trust_store=False, timeout=(5.0, read_timeout))
    http.verify = str(served.ca_path)
    http.trust_env = False
    return http


@pytest.fixture
def http(served: Served) -> Iterator[InflowSession]:
    with _session(served) as session:
        yield session


@pytest.fixture
def target(served: Served) -> Target:
    settings = {
        "tenant": graph_fake.TENANT, "client_id": graph_fake.CLIENT_ID, "team": graph_fake.TEAM,
        "channel": graph_fake.CHANNEL, "authority": served.authority, "graph_url": served.graph_url,
    }  # fmt: skip
    return Target("teams", "teams-graph", settings)


@pytest.fixture
def secret(target: Target, http: InflowSession, fake: GraphFake) -> str:
    cache = start_device_sign_in(target, http).wait(timeout=10)
    fake.seen.clear()
    return cache


def _connector(target: Target, secret: str | None, http: InflowSession) -> TeamsGraphConnector:
    connector = CONNECTOR(target, secret, http, {})
    connector.min_interval = 0.0
    return connector


@pytest.fixture
def teams(target: Target, secret: str, http: InflowSession) -> TeamsGraphConnector:
    return _connector(target, secret, http)


def _raises(kind: ErrorKind, call: object, *args: object) -> SyncError:
    assert callable(call)
    with pytest.raises(SyncError) as caught:
        call(*args)
    assert caught.value.kind is kind, caught.value
    assert isinstance(caught.value.message, str) and caught.value.message
    return caught.value


# ---------------------------------------------------------------------- sign-in


def test_device_sign_in_returns_the_cache_to_store(target: Target, http: InflowSession, fake: GraphFake) -> None:
    sign_in = start_device_sign_in(target, http)
    assert sign_in.message.startswith(
        "To sign in, use a web browser to open the page https://microsoft.com/devicelogin"
    )
    assert "ABCD-EFGH" in sign_in.message
    cache = json.loads(sign_in.wait(timeout=10))
    assert sign_in.account == graph_fake.USERNAME
    assert [entry["secret"] for entry in cache["RefreshToken"].values()] == ["rt-1"]
    asked = next(s for s in fake.seen if s.path.endswith("/devicecode")).form()
    assert asked["client_id"] == graph_fake.CLIENT_ID
    assert {"ChannelMessage.Send", "ChannelMessage.Read.All", "offline_access"} <= set(asked["scope"].split())
    polls = [s.form() for s in fake.token_requests()]
    assert len(polls) == 2  # authorization_pending once, then the tokens
    assert all(p["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code" for p in polls)


def test_a_sign_in_not_completed_in_time_says_so(target: Target, http: InflowSession, fake: GraphFake) -> None:
    fake.pending_polls, fake.device_interval = 100, 1
    sign_in = start_device_sign_in(target, http)
    error = _raises(ErrorKind.AUTH, sign_in.wait, 0)
    assert "not completed in time" in error.message


def test_an_unknown_tenant_is_an_auth_problem_naming_it(target: Target, http: InflowSession) -> None:
    wrong = Target(target.name, target.kind, {**target.settings, "tenant": "nobody.example"})
    error = _raises(ErrorKind.AUTH, start_device_sign_in, wrong, http)
    assert "nobody.example" in error.message
    error = _raises(ErrorKind.AUTH, _connector(wrong, "{}", http).send, MOMENT)
    assert "nobody.example" in error.message


def test_without_a_usable_sign_in_it_asks_to_sign_in_again(target: Target, http: InflowSession) -> None:
    for secret in (None, "", "not json", "{}"):
        error = _raises(ErrorKind.AUTH, _connector(target, secret, http).send, MOMENT)
        assert "Sign in again: inflow target signin teams" in error.message


def test_constructing_contacts_nobody(target: Target, secret: str, http: InflowSession, fake: GraphFake) -> None:
    CONNECTOR(target, secret, http, {})
    assert fake.seen == []


# ---------------------------------------------------------------------- posting


def test_post_sends_the_documented_request_with_the_cached_token(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    result = teams.send(MOMENT)
    graph = fake.graph_seen()
    assert [(s.method, s.path) for s in graph] == [("POST", f"{CHANNEL_PATH}/messages")]
    request = graph[0]
    assert request.headers["authorization"] == "Bearer at-1"  # silently from the cache: no token request
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "body": {"contentType": "html", "content": f"{as_html(MOMENT)}\n{marker_html(MOMENT.moment_id)}"}
    }
    assert fake.token_requests() == []
    assert result.remote_id == fake.messages[0]["id"]
    assert result.link == fake.messages[0]["webUrl"]
    assert teams.updated_secret is None  # nothing refreshed: nothing to store


def test_test_connection_reads_the_channel(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    assert teams.test() == f"Signed in as {graph_fake.USERNAME}; the channel's messages are readable"
    assert fake.graph_seen()[0].query == {"$top": ["1"]}


def test_a_long_body_is_cut_to_fit_with_a_pointer(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    huge = replace(MOMENT, body="word " * 40_000)
    teams.send(huge)
    request = fake.graph_seen()[0]
    assert len(request.body) <= MAX_MESSAGE_BYTES
    content = request.json()["body"]["content"]
    assert TRUNCATED in content and f"inflow:{MOMENT.moment_id}" in content
    assert len(request.body) > MAX_MESSAGE_BYTES - 1000  # cut close to the limit, not to a stub
    teams.send(replace(MOMENT, title="T" * 60_000, body="", url=None))
    assert len(fake.graph_seen()[1].body) <= MAX_MESSAGE_BYTES


def test_an_ambiguous_failure_does_not_post_twice(target: Target, secret: str, served: Served, fake: GraphFake) -> None:
    with _session(served, read_timeout=0.3) as impatient:
        fake.post_delay = 1.0  # stored, but the answer comes after the client gave up
        error = _raises(ErrorKind.TRANSIENT, _connector(target, secret, impatient).send, MOMENT)
        assert "127.0.0.1" in error.message
    fake.post_delay = 0.0
    fake.add_message("<p>a colleague's message</p>")
    with _session(served) as http:
        again = _connector(target, secret, http).send(replace(MOMENT, attempts=1))
    assert len(fake.messages) == 2
    assert again.remote_id == fake.messages[0]["id"]
    posts = [s for s in fake.graph_seen() if s.method == "POST"]
    assert len(posts) == 1


def test_a_retry_with_nothing_found_posts(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    teams.send(replace(MOMENT, attempts=2))
    assert [s.method for s in fake.graph_seen()] == ["GET", "POST"]
    assert len(fake.messages) == 1


# ---------------------------------------------------------------------- errors


def test_429_waits_for_retry_after(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    fake.answer_next(
        "POST", "/messages", graph_error(429, "TooManyRequests", "Too many requests", {"Retry-After": "7"})
    )
    error = _raises(ErrorKind.TRANSIENT, teams.send, MOMENT)
    assert error.retry_after == 7.0 and "TooManyRequests" in error.message


def test_401_refreshes_once_and_hands_back_the_new_cache(
    target: Target, teams: TeamsGraphConnector, http: InflowSession, fake: GraphFake
) -> None:
    fake.answer_next("POST", "/messages", graph_error(401, "InvalidAuthenticationToken", "Access token has expired"))
    teams.send(MOMENT)
    assert [s.form()["grant_type"] for s in fake.token_requests()] == ["refresh_token"]
    assert [s.headers["authorization"] for s in fake.graph_seen()] == ["Bearer at-1", "Bearer at-2"]
    assert teams.updated_secret is not None
    assert "rt-2" in teams.updated_secret
    fake.seen.clear()
    _connector(target, teams.updated_secret, http).send(replace(MOMENT, moment_id="m2"))
    assert fake.token_requests() == []
    assert fake.graph_seen()[0].headers["authorization"] == "Bearer at-2"


def test_401_with_a_dead_refresh_token_pauses_for_sign_in(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    fake.refresh_ok = False
    fake.answer_next("POST", "/messages", graph_error(401, "InvalidAuthenticationToken", "Access token has expired"))
    error = _raises(ErrorKind.AUTH, teams.send, MOMENT)
    assert error.message.startswith("Sign in again: inflow target signin teams")
    assert "AADSTS700082" in error.message
    assert fake.messages == []


def test_a_token_rejected_twice_is_auth(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    for _ in range(2):
        fake.answer_next("POST", "/messages", graph_error(401, "InvalidAuthenticationToken", "CompactToken failed"))
    error = _raises(ErrorKind.AUTH, teams.send, MOMENT)
    assert "CompactToken failed" in error.message


def test_403_and_404_are_permanent_and_say_why(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    fake.answer_next("POST", "/messages", graph_error(403, "Forbidden", "Missing role permissions"))
    assert "ChannelMessage.Send" in _raises(ErrorKind.PERMANENT, teams.send, MOMENT).message
    fake.answer_next("POST", "/messages", graph_error(404, "NotFound", "Channel not found"))
    assert "team or channel does not exist" in _raises(ErrorKind.PERMANENT, teams.send, MOMENT).message
    assert "message does not exist" in _raises(ErrorKind.PERMANENT, teams.fetch_replies, "nope").message


def test_html_from_a_proxy_and_5xx_are_transient(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    page = (502, {"Content-Type": "text/html"}, b"<html><title>Bad Gateway</title></html>")
    fake.answer_next("POST", "/messages", page)
    assert "HTTP 502" in _raises(ErrorKind.TRANSIENT, teams.send, MOMENT).message
    fake.answer_next("POST", "/messages", (201, {"Content-Type": "text/html"}, b"<html>login portal</html>"))
    assert "HTML page" in _raises(ErrorKind.TRANSIENT, teams.send, MOMENT).message
    fake.answer_next("POST", "/messages", graph_error(503, "ServiceUnavailable", "busy", {"Retry-After": "3"}))
    assert _raises(ErrorKind.TRANSIENT, teams.send, MOMENT).retry_after == 3.0


def test_an_unreachable_graph_is_transient(target: Target, secret: str, http: InflowSession) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    away = Target(target.name, target.kind, {**target.settings, "graph_url": f"https://127.0.0.1:{port}/v1.0"})
    assert "127.0.0.1" in _raises(ErrorKind.TRANSIENT, _connector(away, secret, http).send, MOMENT).message


# ---------------------------------------------------------------------- edit and retract


def test_edit_patches_with_the_readwrite_scope(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    posted = teams.send(MOMENT)
    teams.edit(replace(MOMENT, title="Rebase often (edited)"), posted.remote_id)
    patch = fake.graph_seen()[-1]
    assert (patch.method, patch.path) == ("PATCH", f"{CHANNEL_PATH}/messages/{posted.remote_id}")
    assert "Rebase often (edited)" in patch.json()["body"]["content"]
    assert "ChannelMessage.ReadWrite" in fake.token_requests()[0].form()["scope"]
    assert teams.updated_secret is not None  # a token for a new scope landed in the cache


def test_edit_without_admin_consent_is_permanent(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    refusal = graph_fake._json(400, {
        "error": "invalid_grant", "suberror": "consent_required", "error_codes": [65001],
        "error_description": "AADSTS65001: The user or administrator has not consented to use the application.",
    })  # fmt: skip
    fake.answer_next("POST", "/oauth2/v2.0/token", refusal)
    error = _raises(ErrorKind.PERMANENT, teams.edit, MOMENT, "1700000000000")
    assert "ChannelMessage.ReadWrite" in error.message


def test_retract_soft_deletes(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    posted = teams.send(MOMENT)
    teams.retract(posted.remote_id)
    last = fake.graph_seen()[-1]
    assert (last.method, last.path) == ("POST", f"{CHANNEL_PATH}/messages/{posted.remote_id}/softDelete")
    assert fake.messages[0]["deletedDateTime"]


# ---------------------------------------------------------------------- replies and feed


def test_replies_follow_next_links(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    root = fake.add_message("<p>Question: why?</p>")
    for number in range(5):
        fake.add_reply(root, f"<p>answer <b>{number}</b></p>")
    fake.replies[root][1]["deletedDateTime"] = "2026-01-02T00:00:00Z"
    fake.replies[root][2]["messageType"] = "systemEventMessage"
    replies = teams.fetch_replies(root)
    assert [r.body for r in replies] == ["answer 0", "answer 3", "answer 4"]
    assert replies[0].author == "Grace" and replies[0].remote_id == f"{root}-r0"
    assert replies[0].created_at == "2026-01-01T11:00:00Z"
    gets = fake.graph_seen()
    assert len(gets) == 3 and gets[0].query == {"$top": ["50"]}
    assert all(g.path == f"{CHANNEL_PATH}/messages/{root}/replies" for g in gets)


def test_feed_starts_from_now_then_brings_new_messages(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    for number in range(3):
        fake.add_message(f"<p>old {number}</p>")
    first = teams.fetch_feed(None)
    assert first.items == [] and first.cursor is not None and "$deltatoken=3" in first.cursor
    assert len(fake.graph_seen()) == 2  # followed the nextLink to the deltaLink
    ours = teams.send(MOMENT)
    theirs = fake.add_message("<p>Try <b>uv</b> for venvs</p><p>https://docs.astral.sh/uv/</p>")
    gone = fake.add_message("<p>oops</p>")
    fake.delete_message(gone)
    fake.add_message("<p>joined</p>", messageType="systemEventMessage")
    page = teams.fetch_feed(first.cursor)
    by_id = {item.remote_id: item for item in page.items}
    assert set(by_id) == {ours.remote_id, theirs}
    assert by_id[theirs].title == "Try uv for venvs" and by_id[theirs].author == "Grace"
    assert by_id[theirs].url == "https://docs.astral.sh/uv/" and by_id[theirs].local_id is None
    assert by_id[ours.remote_id].local_id == MOMENT.moment_id  # our echo: the engine skips it
    assert by_id[ours.remote_id].kind == "tip" and by_id[ours.remote_id].title == "Rebase often"
    assert page.cursor is not None and "$deltatoken=" in page.cursor
    assert teams.fetch_feed(page.cursor).items == []


def test_an_expired_delta_token_starts_from_now(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    cursor = teams.fetch_feed(None).cursor
    assert cursor is not None
    fake.answer_next("GET", "/delta", graph_error(410, "SyncStateNotFound", "The sync state is gone"))
    fake.add_message("<p>new</p>")
    page = teams.fetch_feed(cursor)
    assert page.items == [] and page.cursor is not None and "$deltatoken=1" in page.cursor


def test_a_next_link_to_another_host_is_not_followed(teams: TeamsGraphConnector, fake: GraphFake) -> None:
    root = fake.add_message("<p>q</p>")
    fake.answer_next(
        "GET", "/replies", graph_fake._json(200, {"value": [], "@odata.nextLink": "https://evil.example/x"})
    )
    assert "another server" in _raises(ErrorKind.TRANSIENT, teams.fetch_replies, root).message


def test_requests_to_one_channel_are_paced(teams: TeamsGraphConnector) -> None:
    now = [100.0]
    slept: list[float] = []
    teams.min_interval = 1.0
    teams.monotonic = lambda: now[0]
    teams.sleep = slept.append
    teams.send(MOMENT)
    now[0] += 0.25
    teams.fetch_feed(None)
    assert slept == [pytest.approx(0.75)]
