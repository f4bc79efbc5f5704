"""A scriptable in-memory backend with server-side idempotency, for engine tests."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import ClassVar

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.errors import SyncError


class FakeServer:
    def __init__(self) -> None:
        self.posts: dict[str, OutgoingMoment] = {}  # remote id -> moment
        self.by_key: dict[str, str] = {}  # idempotency key -> remote id (the server's dedupe)
        self.requests = 0
        self.failures: list[SyncError] = []  # raised by the next calls, in order
        self.replies: dict[str, list[RemoteReply]] = {}
        self.feed: list[FeedItem] = []
        self.feed_replies: dict[str, list[RemoteReply]] = {}  # replies the feed shows (by root)
        self.feed_complete = False
        self.reply_requests = 0
        self.edits: list[str] = []
        self.retracted: list[str] = []

    def call(self) -> None:
        self.requests += 1
        if self.failures:
            raise self.failures.pop(0)


SERVER = FakeServer()


class FakeConnector:
    kind: ClassVar[str] = "fake"
    keys: ClassVar[tuple[TargetKey, ...]] = (TargetKey("url", "URL"),)
    secret_label: ClassVar[str] = "Token"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self.target = target
        self.state = state
        self.state.setdefault("device", "dev-1")

    def test(self) -> str:
        SERVER.call()
        return "ok"

    def send(self, moment: OutgoingMoment) -> SendResult:
        SERVER.call()
        remote = SERVER.by_key.setdefault(moment.idempotency_key, f"r{len(SERVER.by_key) + 1}")
        SERVER.posts[remote] = moment
        return SendResult(remote, f"https://fake/{remote}")

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        SERVER.call()
        SERVER.edits.append(remote_id)

    def retract(self, remote_id: str) -> None:
        SERVER.call()
        SERVER.retracted.append(remote_id)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        SERVER.call()
        SERVER.reply_requests += 1
        return list(SERVER.replies.get(remote_id, []))

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        SERVER.call()
        start = int(cursor or 0)
        replies = dict(SERVER.feed_replies)
        SERVER.feed_replies.clear()
        return FeedPage(SERVER.feed[start:], str(len(SERVER.feed)), replies=replies, complete=SERVER.feed_complete)


CONNECTOR = FakeConnector
