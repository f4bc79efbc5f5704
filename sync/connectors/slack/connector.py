"""Slack through the Web API with a bot token: post, edit and delete moments, read thread replies and the channel.

Settings: `url` (the API base, default https://slack.com/api), `channel` (an id like C0123ABCD, or #name: the
name is looked up once with conversations.list and its id kept in `state`). Secret: the bot token (xoxb-…) of
the internal app installed from resources/slack-app-manifest.yaml (docs/SLACK_ADMIN.md).

Slack has no idempotency key. Every post carries our moment id in its message metadata, and when a send is
tried again (`moment.attempts > 0`: the last try may have reached Slack before it timed out) we first look
for that id in the channel's recent history (a few pages of conversations.history) and return the post we
find instead of posting twice. Posts, edits and deletions are paced to ~1 per second per channel (a sleep in
the connector; the engine calls it with no transaction open).

Slack answers errors as HTTP 200 `{"ok": false, "error": "<code>"}` (429 + Retry-After when rate-limited);
`ok_payload` (errors.py) maps every code to transient / permanent / auth. Replies of a deleted thread
(thread_not_found) are an empty list, not an error: the question stays in the library with the answers
already fetched, and polling ends on its usual schedule instead of failing every pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from functools import partial
from typing import Any, ClassVar

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.slack.content import feed_item_from_message, message, metadata, our_payload, reply_from_message
from sync.connectors.slack.errors import GONE, NO_THREAD, ok_payload
from sync.errors import SyncError, auth, permanent, transient
from sync.http import call

DEFAULT_URL = "https://slack.com/api"
PAGE = 200
"""Messages per page of conversations.history / replies (Slack's recommended maximum)."""
MAX_PAGES = 50
"""Pages one fetch reads at most (replies: 10,000; the feed: the rest comes next time)."""
LOOKUP_PAGES = 5
"""Pages of recent history searched for our post after an ambiguous failure (1,000 messages)."""
MIN_INTERVAL_S = 1.0
"""Slack: ~1 message per second per channel."""

_LAST_WRITE: dict[tuple[str, str], float] = {}
"""(API base, channel) -> time.monotonic() of our last post/update/delete there (shared by all connectors)."""


class SlackConnector:
    kind: ClassVar[str] = "slack"
    label: ClassVar[str] = "Slack channel (bot)"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "API base URL", required=False, help=f"default {DEFAULT_URL}", url=True),
        TargetKey("channel", "Channel", help="The channel id (C0123ABCD, from the channel's details) or #name"),
    )
    secret_label: ClassVar[str] = "Bot token (xoxb-…)"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._base = (target.get("url").strip() or DEFAULT_URL).rstrip("/")
        self._channel = target.get("channel").strip()
        self._token = (secret or "").strip()
        self._http = http
        self._state = state
        self.clock: Callable[[], float] = time.monotonic  # replaceable in tests
        self.sleep: Callable[[float], None] = time.sleep

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        me = self._call("GET", "auth.test")
        info = self._call("GET", "conversations.info", params={"channel": self._channel_id()}).get("channel")
        channel = info if isinstance(info, dict) else {}
        name = f"#{channel['name']}" if isinstance(channel.get("name"), str) else self._where()
        if channel.get("is_archived"):
            raise permanent(f"{name} is archived: choose another channel or unarchive it")
        if channel.get("is_member") is False:
            raise permanent(f"The bot is not in {name}: invite it with /invite @Inflow")
        return f"Signed in to {me.get('team') or 'Slack'} as {me.get('user') or 'the bot'}; {name} is reachable"

    def send(self, moment: OutgoingMoment) -> SendResult:
        channel = self._channel_id()
        if moment.attempts > 0:
            found = self._find_post(channel, moment.moment_id)
            if found is not None:
                return SendResult(remote_id=found, link=self._permalink(channel, found))
        body = {"channel": channel, **message(moment), "metadata": metadata(moment), "unfurl_links": False}
        answer = self._write("chat.postMessage", body)
        ts = answer.get("ts")
        if not isinstance(ts, str) or not ts:
            raise transient(f"{self._host()} answered chat.postMessage without a message ts")
        return SendResult(remote_id=ts, link=self._permalink(channel, ts))

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        body = {"channel": self._channel_id(), "ts": remote_id, **message(moment), "metadata": metadata(moment)}
        self._write("chat.update", body)

    def retract(self, remote_id: str) -> None:
        try:
            self._write("chat.delete", {"channel": self._channel_id(), "ts": remote_id})
        except SyncError as error:
            if error.message != GONE:
                raise  # message_not_found: it is gone already, which is what we wanted

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        params = {"channel": self._channel_id(), "ts": remote_id, "limit": str(PAGE)}
        replies: list[RemoteReply] = []
        seen = {remote_id}
        try:
            for page in self._pages("conversations.replies", params):
                for item in page:
                    reply = reply_from_message(item)
                    if reply is not None and reply.remote_id not in seen:
                        seen.add(reply.remote_id)
                        replies.append(reply)
        except SyncError as error:
            if error.message != NO_THREAD:
                raise
        return replies

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        channel = self._channel_id()
        if cursor is None:  # start from now: the newest message's ts, no items
            latest = self._call("GET", "conversations.history", params={"channel": channel, "limit": "1"})
            messages = latest.get("messages")
            newest = messages[0].get("ts") if isinstance(messages, list) and messages else None
            return FeedPage([], cursor=newest if isinstance(newest, str) and newest else "0")
        params = {"channel": channel, "oldest": cursor, "limit": str(PAGE), "include_all_metadata": "true"}
        items: list[FeedItem] = []
        newest_ts = cursor
        for page in self._pages("conversations.history", params):  # newest first, down to `oldest`
            for raw in page:
                ts = raw.get("ts") if isinstance(raw, dict) else None
                if isinstance(ts, str) and _ts_key(ts) > _ts_key(newest_ts):
                    newest_ts = ts
                item = feed_item_from_message(raw)
                if item is not None:
                    items.append(item)
        items.sort(key=lambda item: _ts_key(item.remote_id))
        return FeedPage(items, cursor=newest_ts)

    # ------------------------------------------------------------------ plumbing

    def _where(self) -> str:
        return self._channel if self._channel.startswith("#") else f"channel {self._channel or '(none)'}"

    def _host(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self._base).hostname or "Slack"

    def _channel_id(self) -> str:
        channel = self._channel
        if not channel:
            raise permanent("No Slack channel is set for this target: enter the channel id in Settings")
        if not channel.startswith("#"):
            return channel
        if self._state.get("channel_name") == channel and self._state.get("channel_id"):
            return self._state["channel_id"]
        params = {"types": "public_channel,private_channel", "exclude_archived": "true", "limit": "1000"}
        for page in self._pages("conversations.list", params, field="channels"):
            for item in page:
                if isinstance(item, dict) and item.get("name") == channel[1:] and isinstance(item.get("id"), str):
                    self._state["channel_name"], self._state["channel_id"] = channel, item["id"]
                    return str(item["id"])
        raise permanent(f"Slack has no channel {channel} the bot can see: check the name, or use the channel id")

    def _find_post(self, channel: str, moment_id: str) -> str | None:
        """The ts of our post of `moment_id` in recent history, if the last attempt made one."""
        params = {"channel": channel, "limit": str(PAGE), "include_all_metadata": "true"}
        for page in self._pages("conversations.history", params, max_pages=LOOKUP_PAGES):
            for item in page:
                payload = our_payload(item)
                if payload is not None and payload["local_id"] == moment_id and isinstance(item.get("ts"), str):
                    return str(item["ts"])
        return None

    def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            answer = self._call("GET", "chat.getPermalink", params={"channel": channel, "message_ts": ts})
        except SyncError:
            return None  # the post is made; a link is a nicety
        link = answer.get("permalink")
        return link if isinstance(link, str) and link.startswith("http") else None

    def _pages(
        self, method: str, params: dict[str, str], *, field: str = "messages", max_pages: int = MAX_PAGES
    ) -> Any:
        """Each page's list (`field`), following response_metadata.next_cursor."""
        params = dict(params)
        for _ in range(max_pages):
            answer = self._call("GET", method, params=params)
            items = answer.get(field)
            if not isinstance(items, list):
                raise transient(f"{self._host()} answered {method} without a list of {field}")
            yield [item for item in items if isinstance(item, dict)]
            meta = answer.get("response_metadata")
            next_cursor = meta.get("next_cursor") if isinstance(meta, dict) else None
            if not isinstance(next_cursor, str) or not next_cursor or next_cursor == params.get("cursor"):
                return
            params["cursor"] = next_cursor

    def _write(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """A post, update or delete, at most one per MIN_INTERVAL_S per channel."""
        key = (self._base, str(body.get("channel")))
        last = _LAST_WRITE.get(key)
        if last is not None:
            wait = last + MIN_INTERVAL_S - self.clock()
            if wait > 0:
                self.sleep(wait)
        try:
            return self._call("POST", method, json=body)
        finally:
            _LAST_WRITE[key] = self.clock()

    def _call(
        self, verb: str, method: str, *, params: dict[str, str] | None = None, json: Any = None
    ) -> dict[str, Any]:
        if not self._base.startswith(("http://", "https://")):
            raise permanent(f"The Slack API URL {self._base!r} must start with https://")
        if not self._token:
            raise auth("No Slack bot token is saved for this target: enter it in Settings")
        if self._token.startswith(("https://", "http://")):
            raise auth("That is a webhook URL, not a bot token: use the target kind slack-webhook for it")
        url = f"{self._base}/{method}"
        headers = {"Authorization": f"Bearer {self._token}"}
        if json is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        answer = partial(ok_payload, method=method, where=self._where())
        return call(self._http, verb, url, answer, params=params, json=json, headers=headers)


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    try:
        return int(seconds), int(micros.ljust(6, "0")[:6] or 0)
    except ValueError:
        return 0, 0


CONNECTOR = SlackConnector
