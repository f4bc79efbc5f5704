"""The Microsoft Teams Workflows-webhook connector against a loopback receiver that answers like a flow.

Follows learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
("Post a message to a channel" with a Workflows webhook: the Adaptive Card envelope, 202 Accepted),
learn.microsoft.com/power-automate/teams/teams-app-create ("Post to a channel when a webhook request is
received"), adaptivecards.io/explorer/TextBlock.html and learn.microsoft.com/adaptive-cards/authoring-cards/
text-features (the Markdown subset: **bold**, _italic_, links, lists), adaptivecards.io/explorer/
Action.OpenUrl.html, learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit (429 + Retry-After;
messages over ~28 KB rejected), the retired Office 365 connector's "429 inside an HTTP 200", and
../shared/docs/BACKENDS.md ("Microsoft Teams", route b).
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
from sync.connectors.teams_workflow import CONNECTOR, TeamsWorkflowConnector
from sync.connectors.teams_workflow.content import CARD_LIMIT, card_for, encode
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync.local_server import Answer, LocalServer, stalled
from tests.unit.sync.local_server import Request as Seen

PATH = "/workflows/abc/triggers/manual/paths/invoke"
QUERY = "?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGNATURE"


@dataclass
class Flow:
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    answer: Callable[[Seen], Answer] = lambda _seen: (202, {}, b"")
    release: threading.Event = field(default_factory=threading.Event)

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.answer = lambda _seen: (status, {"Content-Type": "application/json", **(headers or {})}, body)


@pytest.fixture
def flow() -> Iterator[Flow]:
    state = Flow()
    with LocalServer(
        lambda seen, _h: state.answer(seen), methods=("POST",), log=state.seen, release=state.release
    ) as server:
        state.url = f"{server.url}{PATH}{QUERY}"
        yield state


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 1))
    yield session
    session.close()


def connector(secret: str | None, http: InflowSession) -> TeamsWorkflowConnector:
    return TeamsWorkflowConnector(Target("teams", "teams-workflow", {}), secret, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "m-1", "kind": "resource", "title": "Pro Git",
        "body": "The **whole** book, *free*:\n\n- branching\n- [rebasing](https://git-scm.com/book/en/v2/Git-Branching-Rebasing)",
        "url": "https://git-scm.com/book", "tags": ("git", "books"),
        "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": "key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


def test_the_secret_is_the_flow_url_and_there_are_no_settings() -> None:
    assert CONNECTOR is TeamsWorkflowConnector
    assert CONNECTOR.kind == "teams-workflow"
    assert CONNECTOR.keys == ()
    assert not (CONNECTOR.can_edit or CONNECTOR.can_retract or CONNECTOR.can_pull)


def test_send_posts_the_adaptive_card_envelope(flow: Flow, http: InflowSession) -> None:
    result = connector(flow.url, http).send(moment())
    seen = flow.seen[0]
    assert (seen.method, seen.path) == ("POST", PATH + QUERY)
    assert seen.headers["content-type"] == "application/json"
    assert "authorization" not in seen.headers
    assert json.loads(seen.body) == {
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.2",
                "body": [
                    {"type": "TextBlock", "text": "Resource: Pro Git", "weight": "bolder", "size": "medium",
                     "wrap": True},
                    {"type": "TextBlock", "wrap": True, "text": "The **whole** book, _free_:\n\n- branching\n"
                     "- [rebasing](https://git-scm.com/book/en/v2/Git-Branching-Rebasing)"},
                    {"type": "TextBlock", "text": "[https://git-scm.com/book](https://git-scm.com/book)", "wrap": True},
                    {"type": "TextBlock", "text": "#git #books", "isSubtle": True, "size": "small", "wrap": True},
                ],
                "actions": [{"type": "Action.OpenUrl", "title": "Open link", "url": "https://git-scm.com/book"}],
            },
        }],
    }  # fmt: skip
    assert result.remote_id == "key-1"
    assert result.link is None


def test_a_card_over_28_kb_is_cut_with_a_pointer(flow: Flow, http: InflowSession) -> None:
    huge = moment(body="\n\n".join(["Ünïcode wörds " * 40] * 200))
    connector(flow.url, http).send(huge)
    raw = flow.seen[0].body
    assert len(raw) <= CARD_LIMIT
    body = json.loads(raw)["attachments"][0]["content"]["body"][1]["text"]
    assert body.endswith(TRUNCATED)
    assert len(body) > 20_000 // 2  # cut to fit, not emptied
    giant_title = card_for(moment(title="t" * 40_000, tags=tuple(f"tag{n}" for n in range(5000))))
    assert len(encode(giant_title)) <= CARD_LIMIT


@pytest.mark.parametrize("status", [200, 202, 204])
def test_any_2xx_is_success(flow: Flow, http: InflowSession, status: int) -> None:
    flow.reply(status, b"" if status == 204 else b'{"status":"accepted"}')
    assert connector(flow.url, http).send(moment()).remote_id == "key-1"
    assert len(flow.seen) == 1


def test_the_legacy_429_inside_a_200_is_transient(flow: Flow, http: InflowSession) -> None:
    flow.reply(200, b"Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi")
    error = failure(lambda: connector(flow.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "429" in error.message


def test_429_waits_for_retry_after(flow: Flow, http: InflowSession) -> None:
    flow.reply(429, b'{"error":{"code":"TooManyRequests","message":"Rate limit is exceeded."}}', {"Retry-After": "9"})
    error = failure(lambda: connector(flow.url, http).send(moment()))
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 9)
    assert "TooManyRequests" in error.message


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (400, b'{"error":{"code":"InvalidRequestContent","message":"The input body is not valid"}}',
         ErrorKind.PERMANENT, "rejected the card"),
        (401, b'{"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated"}}',
         ErrorKind.AUTH, "copy the flow's URL again"),
        (403, b'{"error":{"code":"WorkflowTriggerIsNotEnabled","message":"The workflow is disabled"}}',
         ErrorKind.AUTH, "WorkflowTriggerIsNotEnabled"),
        (404, b'{"error":{"code":"WorkflowNotFound","message":"The workflow could not be found."}}',
         ErrorKind.PERMANENT, "The workflow URL no longer exists"),
        (502, b'{"error":{"code":"BadGateway","message":"oops"}}', ErrorKind.TRANSIENT, "502"),
        (503, b"", ErrorKind.TRANSIENT, "503"),
    ],
)  # fmt: skip
def test_error_answers_are_classified(  # noqa: PLR0917  # parametrized
    flow: Flow, http: InflowSession, status: int, body: bytes, kind: ErrorKind, words: str
) -> None:
    flow.reply(status, body)
    error = failure(lambda: connector(flow.url, http).send(moment()))
    assert error.kind is kind
    assert words in error.message


@pytest.mark.parametrize("status", [200, 403, 502])
def test_an_html_page_from_a_proxy_is_transient(flow: Flow, http: InflowSession, status: int) -> None:
    page = b"<html><head><title>Access denied</title></head><body>proxy</body></html>"
    flow.answer = lambda _seen: (status, {"Content-Type": "text/html"}, page)
    error = failure(lambda: connector(flow.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "HTML page" in error.message


def test_a_timeout_after_the_post_went_out_says_it_may_duplicate(flow: Flow, http: InflowSession) -> None:
    flow.answer = stalled(flow.release, (202, {}, b""))
    error = failure(lambda: connector(flow.url, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "may have arrived" in error.message


@pytest.mark.parametrize("secret", [None, "", "not a url"])
def test_a_missing_url_is_auth(http: InflowSession, secret: str | None) -> None:
    assert failure(lambda: connector(secret, http).send(moment())).kind is ErrorKind.AUTH


def test_test_posts_a_small_card(flow: Flow, http: InflowSession) -> None:
    assert connector(flow.url, http).test() == "The Teams workflow at 127.0.0.1 accepted a test card (HTTP 202)"
    card = json.loads(flow.seen[0].body)["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Tip: Inflow is connected to this channel"


def test_push_only(http: InflowSession) -> None:
    teams = connector("https://prod.westeurope.logic.azure.com/workflows/x", http)
    for call in (
        lambda: teams.edit(moment(), "key-1"), lambda: teams.retract("key-1"),
        lambda: teams.fetch_replies("key-1"), lambda: teams.fetch_feed(None),
    ):  # fmt: skip
        with pytest.raises(NotSupportedError):
            call()
