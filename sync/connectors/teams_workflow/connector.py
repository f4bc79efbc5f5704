"""Microsoft Teams through a Workflows (Power Automate) webhook: push only. The secret IS the flow URL (the
"When a Teams webhook request is received" trigger's URL); this kind has no settings.

Each moment is one POST of the envelope the default "Post to a channel when a webhook request is received"
flow expects (a bare `{"text": ...}` makes it fail):

    {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
     "contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.2", "body": [TextBlocks...],
     "actions": [{"type": "Action.OpenUrl", ...}]}}]}

TextBlocks: the heading (bolder, medium, wrap), the body in the Markdown subset TextBlocks show (**bold**,
_italic_, [links](url), "- " and "1. " lists), the tags (subtle). Teams rejects cards over ~28 KB, so the
body is cut (with a pointer) to keep the whole envelope under CARD_LIMIT bytes.

Answers: any 2xx is success (202 usual) and is never retried. 400 permanent (the flow rejected the card),
401/403 auth (the URL's signature no longer works, or the flow is off: paste a new URL), 404 permanent (the
flow no longer exists), 429 + Retry-After and 5xx transient; so is the legacy "429 inside a 200" (a 200 whose
text mentions HTTP error 429). No message id comes back: the remote id is the idempotency key. Like any
webhook, a timeout after the POST went out may have posted it: the retry can then duplicate (said in the
failure message); there is nothing to search.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from sync.connector import FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.slack.content import CARD, TRUNCATED, cut, render_markdown
from sync.errors import NotSupportedError, auth, decode_body, permanent, transient
from sync.formatting import heading
from sync.http import host_of, network_error, retry_after_seconds

CARD_LIMIT = 27_000
"""Bytes of the JSON envelope we send at most (Teams rejects messages over ~28 KB)."""


def _card(moment: OutgoingMoment, body: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": heading(moment), "weight": "bolder", "size": "medium", "wrap": True}
    ]
    if body:
        blocks.append({"type": "TextBlock", "text": body, "wrap": True})
    if moment.url:
        blocks.append({"type": "TextBlock", "text": f"[{moment.url}]({moment.url})", "wrap": True})
    if moment.tags:
        tags = " ".join(f"#{tag}" for tag in moment.tags)
        blocks.append({"type": "TextBlock", "text": tags, "isSubtle": True, "size": "small", "wrap": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": blocks,
    }
    if moment.url:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Open link", "url": moment.url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}
        ],
    }


def encode(envelope: dict[str, Any]) -> bytes:
    """The bytes we POST (compact UTF-8 JSON: what is measured against CARD_LIMIT is what is sent)."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _size(envelope: dict[str, Any]) -> int:
    return len(encode(envelope))


def card_for(moment: OutgoingMoment, limit: int = CARD_LIMIT) -> dict[str, Any]:
    """The envelope for `moment`, never over `limit` bytes (a long body is cut and ends with a pointer)."""
    body = render_markdown(moment.body, CARD) if moment.body.strip() != moment.title.strip() else ""
    envelope = _card(moment, body)
    if _size(envelope) <= limit:
        return envelope
    low, high, best = 0, len(body), None
    while low <= high:
        middle = (low + high) // 2
        candidate = _card(moment, cut(body, middle) if middle < len(body) else body)
        if _size(candidate) <= limit:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    if best is not None:
        return best
    # A huge title, link or tag list: keep the essentials, cut hard.
    short = replace(moment, title=moment.title[:200], url=moment.url if len(moment.url or "") <= 2048 else None)
    return _card(replace(short, tags=short.tags[:20]), TRUNCATED)


class TeamsWorkflowConnector:
    kind: ClassVar[str] = "teams-workflow"
    keys: ClassVar[tuple[TargetKey, ...]] = ()
    secret_label: ClassVar[str] = "Workflow URL (of the flow 'Post to a channel when a webhook request is received')"
    can_edit: ClassVar[bool] = False
    can_retract: ClassVar[bool] = False
    can_pull: ClassVar[bool] = False

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._url = (secret or "").strip()
        self._http = http

    def test(self) -> str:
        """Posts a small visible test card (a flow URL has no call that checks without posting)."""
        note = OutgoingMoment(
            moment_id="inflow-test", kind="tip", title="Inflow is connected to this channel",
            body="A test message: you can ignore it.", url=None, tags=(), created_at="", idempotency_key="test",
        )  # fmt: skip
        status = self._post(card_for(note))
        return f"The Teams workflow at {_host(self._url)} accepted a test card (HTTP {status})"

    def send(self, moment: OutgoingMoment) -> SendResult:
        self._post(card_for(moment))
        return SendResult(remote_id=moment.idempotency_key)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        raise NotSupportedError("A Teams workflow cannot change a post: edit it in Teams")

    def retract(self, remote_id: str) -> None:
        raise NotSupportedError("A Teams workflow cannot delete a post: delete it in Teams")

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        raise NotSupportedError("A Teams workflow only posts: answers stay in Teams")

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        raise NotSupportedError("A Teams workflow only posts: Inflow cannot read the channel through it")

    def _post(self, envelope: dict[str, Any]) -> int:
        url = self._url
        if not url:
            raise auth("No Teams workflow URL is saved for this target: paste it in Settings")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise auth("The saved Teams workflow URL is not an https:// URL: copy it again from the flow")
        try:
            response = self._http.post(url, data=encode(envelope), headers={"Content-Type": "application/json"})
        except requests.RequestException as exc:
            error = network_error(exc, url)
            if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
                error = transient(f"{error.message}: the card may have arrived; if it shows twice, delete one")
            raise error from exc
        raise_for_answer(response)
        return response.status_code


def _detail(response: requests.Response) -> str:
    text = decode_body(response.content or b"")
    if not text:
        return ""
    if text[:1] == "<" or "html" in response.headers.get("Content-Type", "").lower():
        return "an HTML page (a proxy?)"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return " ".join(text.split())[:300]
    error = value.get("error") if isinstance(value, dict) else None
    if isinstance(error, dict):
        return " ".join(str(error.get(k, "")) for k in ("code", "message")).strip()[:300]
    return " ".join(text.split())[:300]


def raise_for_answer(response: requests.Response) -> None:
    """Nothing for a 2xx, else (or for the legacy 429-inside-a-200) the failure as a SyncError."""
    status = response.status_code
    detail = _detail(response)
    reason = f": {detail}" if detail else ""
    html = detail == "an HTML page (a proxy?)"
    if 200 <= status < 300:
        if status == 200 and "429" in response.text:
            raise transient("Teams is rate-limiting the workflow (HTTP 429 inside a 200): will retry")
        if html:
            raise transient(f"{_host(response.url)} answered with an HTML page, not the workflow (a captive portal?)")
        return
    if html and status != 429:
        raise transient(f"{_host(response.url)} answered HTTP {status} with an HTML page (a proxy?)")
    if status == 429:
        raise transient(f"Teams is rate-limiting the workflow (429){reason}", retry_after_seconds(response))
    if status >= 500 or status == 408:
        raise transient(f"The Teams workflow failed (HTTP {status}){reason}", retry_after_seconds(response))
    if status in (401, 403):
        raise auth(f"The Teams workflow refused the URL ({status}): copy the flow's URL again{reason}")
    if status == 404:
        raise permanent(f"The workflow URL no longer exists (404): the flow was deleted or changed{reason}")
    if status == 400:
        raise permanent(f"The Teams workflow rejected the card (400){reason}")
    raise permanent(f"The Teams workflow refused the post (HTTP {status}){reason}")


def _host(url: str | None) -> str:
    return host_of(url, "the workflow")


CONNECTOR = TeamsWorkflowConnector
