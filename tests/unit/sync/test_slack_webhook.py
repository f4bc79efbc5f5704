"""The Slack incoming-webhook connector against a loopback receiver that answers like Slack's webhooks.

Follows api.slack.com/messaging/webhooks (POST JSON `text` + `blocks` to the secret URL, answer 200 `ok`)
and its "Handling errors" table (400 invalid_payload / no_text, 403 action_prohibited / invalid_token,
404 channel_not_found / no_service, 410 channel_is_archived), api.slack.com/apis/rate-limits (429 +
Retry-After), api.slack.com/reference/block-kit/blocks (limits), and ../shared/docs/BACKENDS.md ("Slack").
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.slack.markdown import TRUNCATED
from sync.connectors.slack_webhook import CONNECTOR, SlackWebhookConnector
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync.local_server import Answer, LocalServer, stalled
from tests.unit.sync.local_server import Request as Seen

PATH = "/services/T000/B000/XXXXXXXX"


@dataclass
class Hook:
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    answer: Callable[[Seen], Answer] = lambda _seen: (200, {"Content-Type": "text/html"}, b"ok")
    release: threading.Event = field(default_factory=threading.Event)

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.answer = lambda _seen: (status, {"Content-Type": "text/html", **(headers or {})}, body)  # as Slack does


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()
    with LocalServer(
        lambda seen, _h: state.answer(seen), methods=("POST",), log=state.seen, release=state.release
    ) as server:
        state.url = f"{server.url}{PATH}"
        yield state


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 1))
    yield session
    session.close()


def connector(secret: str | None, http: InflowSession) -> SlackWebhookConnector:
    return SlackWebhookConnector(Target("hook", "slack-webhook", {}), secret, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "m-1", "kind": "question", "title": "How do I squash?",
        "body": "I tried `git rebase -i` & **failed**.", "url": None, "tags": ("git",),
        "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": "key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


def test_the_secret_is_the_url_and_there_are_no_settings() -> None:
    assert CONNECTOR is SlackWebhookConnector
    assert CONNECTOR.kind == "slack-webhook"
    assert CONNECTOR.keys == ()
    assert not (CONNECTOR.can_edit or CONNECTOR.can_retract or CONNECTOR.can_pull)


def test_send_posts_text_and_blocks(hook: Hook, http: InflowSession) -> None:
    result = connector(hook.url, http).send(moment())
    seen = hook.seen[0]
    assert (seen.method, seen.path) == ("POST", PATH)
    assert seen.headers["content-type"] == "application/json"
    assert "authorization" not in seen.headers
    assert json.loads(seen.body) == {
        "text": "*Question: How do I squash?*\n\nI tried `git rebase -i` &amp; *failed*.\n\n#git",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Question: How do I squash?", "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "I tried `git rebase -i` &amp; *failed*."}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "#git"}]},
        ],
    }
    assert result.remote_id == "key-1"
    assert result.link is None


def test_a_huge_body_stays_within_slacks_limits(hook: Hook, http: InflowSession) -> None:
    connector(hook.url, http).send(moment(body="\n\n".join(["word " * 600] * 80)))
    payload = json.loads(hook.seen[0].body)
    assert len(payload["text"]) <= 40_000
    assert len(payload["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"] if b["type"] == "section")
    assert payload["blocks"][-2]["text"]["text"].endswith(TRUNCATED)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, b"invalid_payload", ErrorKind.PERMANENT),
        (400, b"invalid_blocks", ErrorKind.PERMANENT),
        (403, b"action_prohibited", ErrorKind.AUTH),
        (403, b"invalid_token", ErrorKind.AUTH),
        (404, b"no_service", ErrorKind.AUTH),
        (404, b"channel_not_found", ErrorKind.PERMANENT),
        (410, b"channel_is_archived", ErrorKind.GONE),
        (500, b"rollup_error", ErrorKind.TRANSIENT),
    ],
)
def test_slacks_error_answers_are_classified(
    hook: Hook, http: InflowSession, status: int, code: bytes, kind: ErrorKind
) -> None:
    hook.reply(status, code)
    error = failure(lambda: connector(hook.url, http).send(moment()))
    assert error.kind is kind
    if status == 410:
        assert "archived" in error.message


def test_429_waits_for_retry_after(hook: Hook, http: InflowSession) -> None:
    hook.reply(429, b"rate_limited", {"Retry-After": "12"})
    error = failure(lambda: connector(hook.url, http).send(moment()))
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 12)


@pytest.mark.parametrize("status", [200, 403, 502])
def test_an_html_page_from_a_proxy_is_transient(hook: Hook, http: InflowSession, status: int) -> None:
    page = b"<!DOCTYPE html><html><title>Blocked</title><body>corporate proxy</body></html>"
    hook.answer = lambda _seen: (status, {"Content-Type": "text/html"}, page)
    error = failure(lambda: connector(hook.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "HTML page" in error.message


def test_a_timeout_after_the_post_went_out_says_it_may_duplicate(hook: Hook, http: InflowSession) -> None:
    hook.answer = stalled(hook.release, (200, {}, b"ok"))
    error = failure(lambda: connector(hook.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.message == "127.0.0.1 did not answer in time: the post may have arrived; if it shows twice, delete one"


def test_a_refused_connection_is_plainly_transient(http: InflowSession) -> None:
    error = failure(lambda: connector("http://127.0.0.1:9/services/x", http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "may have arrived" not in error.message


@pytest.mark.parametrize("secret", [None, "", "hooks.slack.com/services/x", "xoxb-a-token"])
def test_a_missing_or_malformed_url_is_auth(http: InflowSession, secret: str | None) -> None:
    assert failure(lambda: connector(secret, http).send(moment())).kind is ErrorKind.AUTH


def test_test_posts_a_short_message(hook: Hook, http: InflowSession) -> None:
    assert connector(hook.url, http).test() == "The Slack webhook at 127.0.0.1 accepted a test message"
    assert "test message" in json.loads(hook.seen[0].body)["text"]


def test_push_only(http: InflowSession) -> None:
    hook = connector("https://hooks.slack.com/services/x", http)
    for call in (
        lambda: hook.edit(moment(), "key-1"), lambda: hook.retract("key-1"),
        lambda: hook.fetch_replies("key-1"), lambda: hook.fetch_feed(None),
    ):  # fmt: skip
        with pytest.raises(NotSupportedError):
            call()
