"""Microsoft Teams through Microsoft Graph: post to a channel as the signed-in person, read replies and
the channel's new messages (delta).

Follows learn.microsoft.com/graph/api: channel-post-messages, chatmessage-list-replies,
chatmessage-delta, chatmessage-update, chatmessage-softdelete, and /graph/throttling.

Sign-in is delegated (an app cannot post on its own behalf) with the device-code flow, once, through
`inflow target signin NAME` (`start_device_sign_in`). The organisation registers its own app (public
client flows allowed) with the delegated permissions ChannelMessage.Send and ChannelMessage.Read.All
(admin consent needed for the latter), plus ChannelMessage.ReadWrite (admin consent) for edit and
retract. The secret is MSAL's serialized token cache.

THE UPDATED-SECRET CONTRACT. When MSAL refreshes tokens, the cache changes; after every call (test,
send, edit, retract, fetch_replies, fetch_feed; also after one that raised) the connector's
`updated_secret` is the new serialized cache, or None when nothing changed. Whoever holds the
connector stores a non-None value as the target's secret (Credentials.set(target.name, value)) and
then sets `updated_secret = None`. Not storing it is harmless (the old refresh token keeps working
until it expires; tokens are then refreshed again), so the connector never depends on it.

Duplicate prevention: Graph has no idempotency key. Each message carries `inflow:<moment id>` as its
last line; after an ambiguous failure (`attempts` > 0) the recent channel messages are searched for it
before posting again. Pacing: at most one Graph request per second per channel (Graph's limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.teams_graph.content import (
    encode_json,
    feed_item_from_message,
    is_live_message,
    marker_of,
    message_payload,
    reply_from_message,
)
from sync.connectors.teams_graph.errors import DeltaExpiredError, classify_error, graph_host
from sync.errors import permanent, transient
from sync.http import decode_json, exchange
from sync.microsoft_signin import (
    SCOPES,
    WRITE_SCOPES,
    DeviceSignIn,
    TokenSource,
    start_device_sign_in,
)

__all__ = ["CONNECTOR", "DeviceSignIn", "TeamsGraphConnector", "start_device_sign_in"]

DEFAULT_GRAPH = "https://graph.microsoft.com/v1.0"
MAX_PAGES = 50
"""Pages one call follows at most (replies, a feed catch-up); the feed continues from its cursor."""
RECONCILE_PAGES = 3
"""Pages of 50 recent messages searched for our marker after an ambiguous failure."""
CATCH_UP = "catch-up:"
"""Cursor prefix: still skipping the channel's history (start from now) at this nextLink."""
_LAST_REQUEST: dict[str, float] = {}
"""channel URL -> time.monotonic() of the last request to it (pacing shared by every instance)."""


class TeamsGraphConnector:
    kind: ClassVar[str] = "teams-graph"
    label: ClassVar[str] = "Microsoft Teams channel (sign in)"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("tenant", "Tenant", help="the directory (tenant) id or domain, e.g. contoso.onmicrosoft.com"),
        TargetKey("client_id", "Application (client) id", help="your organisation's app registration"),
        TargetKey("team", "Team id", help="the team's group id (from 'Get link to team')"),
        TargetKey("channel", "Channel id", help="e.g. 19:abc…@thread.tacv2"),
        TargetKey("authority", "Sign-in authority URL", required=False, url=True,
                  help="default https://login.microsoftonline.com"),
        TargetKey("graph_url", "Graph API URL", required=False, url=True, help="default https://graph.microsoft.com/v1.0"),
    )  # fmt: skip
    secret_label: ClassVar[str] = "Microsoft sign-in (Settings: on Save; CLI: inflow target signin NAME)"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True
    min_interval: float = 1.0
    """Seconds between two requests to the same channel."""

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._target = target
        self._http = http
        self._state = state
        self._graph = (target.get("graph_url").strip() or DEFAULT_GRAPH).rstrip("/")
        team, channel = quote(target.get("team").strip(), safe=":@"), quote(target.get("channel").strip(), safe=":@")
        self._channel_url = f"{self._graph}/teams/{team}/channels/{channel}"
        self._tokens = TokenSource(target, secret, http)
        self.updated_secret: str | None = None
        self.sleep: Callable[[float], None] = time.sleep
        self.monotonic: Callable[[], float] = time.monotonic

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        self._get(f"{self._channel_url}/messages", params={"$top": "1"}, action="read")
        return f"Signed in as {self._tokens.username()}; the channel's messages are readable"

    def send(self, moment: OutgoingMoment) -> SendResult:
        if moment.attempts > 0:
            found = self._find_posted(moment.moment_id)
            if found is not None:
                return found
        answer = self._call("POST", f"{self._channel_url}/messages", json=message_payload(moment), action="post")
        message_id = answer.get("id") if answer else None
        if not isinstance(message_id, str) or not message_id:
            raise transient(f"{graph_host(self._graph)} answered the post without a message id")
        link = answer.get("webUrl") if answer else None
        return SendResult(remote_id=message_id, link=link if isinstance(link, str) else None)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        url = f"{self._channel_url}/messages/{quote(remote_id, safe='')}"
        self._call("PATCH", url, json=message_payload(moment), action="edit", scopes=WRITE_SCOPES)

    def retract(self, remote_id: str) -> None:
        url = f"{self._channel_url}/messages/{quote(remote_id, safe='')}/softDelete"
        self._call("POST", url, action="retract", scopes=WRITE_SCOPES)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        url: str | None = f"{self._channel_url}/messages/{quote(remote_id, safe='')}/replies"
        params: dict[str, str] | None = {"$top": "50"}
        replies: list[RemoteReply] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            page = self._get(url, params=params, action="read", message=True)
            replies.extend(reply_from_message(m) for m in _values(page, url) if is_live_message(m))
            url, params = self._next_link(page), None
        return replies

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        if cursor is None or not self._ours(cursor.removeprefix(CATCH_UP)):
            return self._catch_up(f"{self._channel_url}/messages/delta", {"$top": "50"})
        if cursor.startswith(CATCH_UP):
            try:
                return self._catch_up(cursor.removeprefix(CATCH_UP), None)
            except DeltaExpiredError:
                return self._catch_up(f"{self._channel_url}/messages/delta", {"$top": "50"})
        me = self._tokens.user_id()
        items: list[FeedItem] = []
        url = cursor
        for _ in range(MAX_PAGES):
            try:
                page = self._get(url, action="read")
            except DeltaExpiredError:  # Graph forgot this change-tracking round: start from now again
                return self._catch_up(f"{self._channel_url}/messages/delta", {"$top": "50"})
            for message in _values(page, url):
                if is_live_message(message) and not message.get("replyToId"):
                    items.append(feed_item_from_message(message, me))
            delta, following = page.get("@odata.deltaLink"), self._next_link(page)
            if isinstance(delta, str) and self._ours(delta):
                return FeedPage(items, cursor=delta)
            if following is None:
                return FeedPage(items, cursor=url)  # no link at all: ask the same again next time
            url = following
        return FeedPage(items, cursor=url)

    # ------------------------------------------------------------------ feed and reconcile helpers

    def _catch_up(self, url: str, params: dict[str, str] | None) -> FeedPage:
        """Start from now: page through the channel's delta without returning items, keep the deltaLink."""
        for _ in range(MAX_PAGES):
            page = self._get(url, params=params, action="read")
            delta, following = page.get("@odata.deltaLink"), self._next_link(page)
            if isinstance(delta, str) and self._ours(delta):
                return FeedPage([], cursor=delta)
            if following is None:
                raise transient(f"{graph_host(self._graph)} answered the channel delta without a next or delta link")
            url, params = following, None
        return FeedPage([], cursor=CATCH_UP + url)

    def _find_posted(self, moment_id: str) -> SendResult | None:
        """Our message for `moment_id` among the channel's recent messages (after an ambiguous failure)."""
        url: str | None = f"{self._channel_url}/messages"
        params: dict[str, str] | None = {"$top": "50"}
        for _ in range(RECONCILE_PAGES):
            if url is None:
                return None
            page = self._get(url, params=params, action="read")
            for message in _values(page, url):
                if is_live_message(message) and marker_of(message) == moment_id:
                    link = message.get("webUrl")
                    return SendResult(remote_id=str(message["id"]), link=link if isinstance(link, str) else None)
            url, params = self._next_link(page), None
        return None

    def _next_link(self, page: dict[str, Any]) -> str | None:
        link = page.get("@odata.nextLink")
        if not isinstance(link, str) or not link:
            return None
        if not self._ours(link):
            raise transient(f"{graph_host(self._graph)} sent a next-page link to another server: not followed")
        return link

    def _ours(self, link: str) -> bool:
        """Whether a link Graph gave us points at our Graph server (the token never goes elsewhere)."""
        mine, theirs = urlsplit(self._graph), urlsplit(link)
        return (theirs.scheme, theirs.netloc) == (mine.scheme, mine.netloc)

    # ------------------------------------------------------------------ HTTP

    def _get(
        self, url: str, *, params: dict[str, str] | None = None, action: str, message: bool = False
    ) -> dict[str, Any]:
        answer = self._call("GET", url, params=params, action=action, message=message)
        if answer is None:
            raise transient(f"{graph_host(url)} answered with an empty body instead of JSON")
        return answer

    def _call(
        self, method: str, url: str, *, action: str, json: Any = None, params: dict[str, str] | None = None,
        scopes: tuple[str, ...] = SCOPES, message: bool = False,
    ) -> dict[str, Any] | None:  # fmt: skip
        """One Graph request with a silent token; a 401 gets one forced refresh and one retry."""
        try:
            for attempt in range(2):
                token = self._tokens.token(scopes, force_refresh=attempt > 0)
                response = self._request(method, url, token=token, json=json, params=params)
                if response.status_code == 401 and attempt == 0:
                    continue
                return self._answer(response, action=action, message=message)
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            changed = self._tokens.changed_cache()
            if changed is not None:
                self.updated_secret = changed

    def _request(
        self, method: str, url: str, *, token: str, json: Any, params: dict[str, str] | None
    ) -> requests.Response:
        if not url.startswith(("https://", "http://")):
            raise permanent(f"The Graph URL {self._graph!r} must start with https://")
        self._pace()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        data = None
        if json is not None:  # sent exactly as measured against Graph's size limit (compact UTF-8)
            data, headers["Content-Type"] = encode_json(json), "application/json"
        try:
            return exchange(self._http, method, url, data=data, params=params, headers=headers)
        finally:
            _LAST_REQUEST[self._channel_url] = self.monotonic()

    def _pace(self) -> None:
        last = _LAST_REQUEST.get(self._channel_url)
        if last is not None:
            wait = last + self.min_interval - self.monotonic()
            if wait > 0:
                self.sleep(wait)

    def _answer(self, response: requests.Response, *, action: str, message: bool) -> dict[str, Any] | None:
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not (response.content or b"").strip():
                return None
            payload, problem = decode_json(response)
            if payload is None:
                raise transient(f"{graph_host(response.url)} {problem} (HTTP {status})")
            return payload
        raise classify_error(response, self._target, action=action, message=message)


def _values(page: dict[str, Any], url: str) -> list[Any]:
    values = page.get("value")
    if not isinstance(values, list):
        raise transient(f"{graph_host(url)} answered with JSON of an unexpected shape (no value list)")
    return values


CONNECTOR = TeamsGraphConnector
