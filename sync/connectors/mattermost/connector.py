"""Mattermost (REST API v4): post moments to a channel, edit and delete them, read threads and the channel.

Followed: api.mattermost.com (#tag/posts: "Create a post" with `pending_post_id` and `props`, "Get a
thread" with `perPage`/`fromPost`/`fromCreateAt`/`direction`, "Get posts for a channel" with `since` (up to
1,000 posts) or `page`/`per_page` (max 200), "Patch a post", "Delete a post"; #tag/users "Get a user",
"Get users by ids"; #tag/channels "Get a channel"), developers.mattermost.com "Rate limiting".

Duplicates: the server remembers `pending_post_id` (our idempotency key) for ~30 s and answers a repeat with
the first post (or 500 `api.post.deduplicate_create_post.pending` while it is still being saved). After an
ambiguous failure (`attempts > 0`) the window may have passed, so we first look for the root post carrying
`props.inflow_local_id == moment_id` in the channel's recent posts. Long messages become a root post plus
continuation replies (`props.inflow_part`), which the lookup completes if a retry finds the root alone.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.mattermost.content import (
    MAX_MESSAGE,
    OLD_MAX_MESSAGE,
    TOO_LONG,
    feed_item_from_post,
    post_props,
    props,
    render,
    reply_from_post,
    split_message,
    truncate,
)  # fmt: skip
from sync.connectors.mattermost.errors import classify_error
from sync.errors import ErrorKind, SyncError, auth, permanent, transient
from sync.http import exchange

API = "/api/v4"
PER_PAGE = 200
SINCE_CAP = 1000
"""`?since=` answers at most this many posts; a full answer means we page instead."""
MAX_PAGES = 25
LOOKUP_PAGES = 10
LOOKUP_MARGIN_MS = 10 * 60 * 1000
"""How far before the moment's creation the duplicate lookup still looks (clock skew)."""


def _seg(value: str) -> str:
    return quote(value, safe="")


def _millis(iso: str) -> int:
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


def _num(post: object, key: str) -> int:
    value = post.get(key) if isinstance(post, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class MattermostConnector:
    kind: ClassVar[str] = "mattermost"
    label: ClassVar[str] = "Mattermost channel"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Server URL", help="e.g. https://mm.example.com (the API is <url>/api/v4)", url=True),
        TargetKey("channel_id", "Channel ID", help="The channel's id (View Info in the channel menu)"),
    )
    secret_label: ClassVar[str] = "Personal access token or bot token"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        base = target.get("url").strip().rstrip("/")
        self._base = base.removesuffix(API)
        self._channel = target.get("channel_id").strip()
        self._token = (secret or "").strip()
        self._http = http
        self._state = state
        self._me: str | None = None
        self._usernames: dict[str, str] = {}

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        me = self._call("GET", "/users/me", action="sign in", expected="id")
        channel = self._call("GET", f"/channels/{_seg(self._channel)}", action="read", expected="id")
        self._me = str(me.get("id"))
        name = channel.get("display_name") or channel.get("name") or self._channel
        if _num(channel, "delete_at") > 0:
            raise permanent(f"The channel {name} is archived: unarchive it or choose another channel")
        return f"Signed in as @{me.get('username') or self._me}; channel {name} is reachable"

    def send(self, moment: OutgoingMoment) -> SendResult:
        parts = split_message(render(moment), self._limit())
        if moment.attempts > 0:
            found = self._find_ours(moment)
            if found is not None:
                self._continue(found, moment, parts)
                return self._result(found)
        body = {
            "channel_id": self._channel, "message": parts[0], "props": props(moment),
            "pending_post_id": moment.idempotency_key,
        }  # fmt: skip
        response = self._exchange("POST", "/posts", json=body)
        if self._too_long(response) and self._limit() > OLD_MAX_MESSAGE:
            self._state["max_message"] = str(OLD_MAX_MESSAGE)  # a server on the old 4,000-rune schema
            parts = split_message(render(moment), OLD_MAX_MESSAGE)
            response = self._exchange("POST", "/posts", json={**body, "message": parts[0]})
        root = self._post_id(self._checked(response, action="post", expected="id"))
        self._continue(root, moment, parts, fresh=True)
        return self._result(root)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        body = {"message": truncate(render(moment), self._limit()), "props": props(moment)}
        self._call("PUT", f"/posts/{_seg(remote_id)}/patch", json=body, action="edit", post_id=remote_id)

    def retract(self, remote_id: str) -> None:
        response = self._exchange("DELETE", f"/posts/{_seg(remote_id)}")
        if response.status_code == 404:
            return  # already deleted (by someone, or by an earlier try of this retraction)
        self._checked(response, action="delete", post_id=remote_id)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        path = f"/posts/{_seg(remote_id)}/thread"
        params: dict[str, str] = {"perPage": str(PER_PAGE), "direction": "down"}
        posts: dict[str, dict[str, Any]] = {}
        for _ in range(MAX_PAGES):
            page = self._call("GET", path, params=params, action="read", post_id=remote_id, expected="posts")
            batch = self._posts(page)
            new = {pid: post for pid, post in batch.items() if pid not in posts}
            posts.update(new)
            if page.get("has_next") is not True or not new:
                break
            last = max(new.values(), key=lambda post: (_num(post, "create_at"), str(post.get("id"))))
            params.update(fromPost=str(last.get("id")), fromCreateAt=str(_num(last, "create_at")))
        posts.pop(remote_id, None)
        ordered = sorted(posts.values(), key=lambda post: _num(post, "create_at"))
        names = self._resolve(str(post.get("user_id", "")) for post in ordered)
        return [reply for reply in (reply_from_post(post, names) for post in ordered) if reply is not None]

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        path = f"/channels/{_seg(self._channel)}/posts"
        since = int(cursor) if cursor and cursor.isdigit() else 0
        if since <= 0:  # start from now, by the server's clock: the newest post's time
            newest = self._posts(self._call("GET", path, params={"per_page": "1"}, action="read", expected="posts"))
            stamps = [max(_num(p, "create_at"), _num(p, "update_at")) for p in newest.values()]
            return FeedPage([], cursor=str(max([1, *stamps])))
        me = self._me or self._whoami()
        posts = self._posts(self._call("GET", path, params={"since": str(since)}, action="read", expected="posts"))
        if len(posts) >= SINCE_CAP:
            posts = self._pages_since(path, since)
        stamps = [max(_num(p, "create_at"), _num(p, "update_at")) for p in posts.values()]
        fresh = sorted((p for p in posts.values() if _num(p, "create_at") > since), key=lambda p: _num(p, "create_at"))
        names = self._resolve(str(post.get("user_id", "")) for post in fresh)
        items: list[FeedItem] = []
        for post in fresh:
            item = feed_item_from_post(post, base=self._base, me=me, usernames=names)
            if item is not None:
                items.append(item)
        return FeedPage(items, cursor=str(max([since, *stamps])))

    # ------------------------------------------------------------------ duplicates and long messages

    def _limit(self) -> int:
        value = self._state.get("max_message", "")
        return int(value) if value.isdigit() and int(value) >= OLD_MAX_MESSAGE else MAX_MESSAGE

    def _too_long(self, response: requests.Response) -> bool:
        if response.status_code != 400:
            return False
        try:
            payload = jsonlib.loads(response.content or b"")
        except ValueError:
            return False
        return isinstance(payload, dict) and payload.get("id") in TOO_LONG

    def _find_ours(self, moment: OutgoingMoment) -> str | None:
        """The root post carrying this moment's id among the channel's recent posts, if any."""
        oldest_wanted = _millis(moment.created_at) - LOOKUP_MARGIN_MS
        path = f"/channels/{_seg(self._channel)}/posts"
        for page in range(LOOKUP_PAGES):
            params = {"page": str(page), "per_page": str(PER_PAGE)}
            posts = self._posts(self._call("GET", path, params=params, action="read", expected="posts"))
            for post_id, post in posts.items():
                marker = post_props(post)
                ours = marker.get("inflow_local_id") == moment.moment_id
                if ours and not post.get("root_id") and _num(post, "delete_at") == 0:
                    return post_id
            if len(posts) < PER_PAGE or min(_num(p, "create_at") for p in posts.values()) < oldest_wanted:
                return None
        return None

    def _continue(self, root: str, moment: OutgoingMoment, parts: list[str], *, fresh: bool = False) -> None:
        """Post the continuation replies a long message needs (those the thread does not have yet)."""
        if len(parts) < 2:
            return
        have: set[int] = set()
        if not fresh:
            thread = self._call("GET", f"/posts/{_seg(root)}/thread", action="read", post_id=root, expected="posts")
            for post in self._posts(thread).values():
                number = post_props(post).get("inflow_part")
                if isinstance(number, int) and _num(post, "delete_at") == 0:
                    have.add(number)
        for number, part in enumerate(parts[1:], start=2):
            if number in have:
                continue
            body = {
                "channel_id": self._channel, "root_id": root, "message": part,
                "props": {"inflow_part": number}, "pending_post_id": f"{moment.idempotency_key}-{number}",
            }  # fmt: skip
            self._call("POST", "/posts", json=body, action="post", expected="id")

    def _pages_since(self, path: str, since: int) -> dict[str, dict[str, Any]]:
        posts: dict[str, dict[str, Any]] = {}
        for page in range(MAX_PAGES):
            params = {"page": str(page), "per_page": str(PER_PAGE)}
            batch = self._posts(self._call("GET", path, params=params, action="read", expected="posts"))
            posts.update({pid: post for pid, post in batch.items() if _num(post, "create_at") > since})
            if len(batch) < PER_PAGE or min(_num(p, "create_at") for p in batch.values()) <= since:
                break
        return posts

    # ------------------------------------------------------------------ plumbing

    def _result(self, post_id: str) -> SendResult:
        return SendResult(remote_id=post_id, link=f"{self._base}/_redirect/pl/{post_id}")

    def _whoami(self) -> str:
        self._me = self._post_id(self._call("GET", "/users/me", action="sign in", expected="id"))
        return self._me

    def _resolve(self, user_ids: Any) -> dict[str, str]:
        """user id -> username for these ids (one POST /users/ids for the unknown ones; ids if refused)."""
        missing = sorted({uid for uid in user_ids if uid and uid not in self._usernames})
        if missing:
            try:
                users = self._call("POST", "/users/ids", json=missing, action="read", expected="users", listing=True)
            except SyncError as error:
                if error.kind is not ErrorKind.PERMANENT:
                    raise
                users = {}
            for user in users.get("users", []):
                if isinstance(user, dict) and isinstance(user.get("id"), str) and user.get("username"):
                    self._usernames[user["id"]] = str(user["username"])
        return self._usernames

    def _post_id(self, answer: dict[str, Any]) -> str:
        value = answer.get("id")
        if not isinstance(value, str) or not value:
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no id)")
        return value

    def _posts(self, page: dict[str, Any]) -> dict[str, dict[str, Any]]:
        posts = page.get("posts")
        if posts is None:
            return {}  # an empty PostList may say "posts": null
        if not isinstance(posts, dict):
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no posts)")
        return {str(k): v for k, v in posts.items() if isinstance(v, dict)}

    def _exchange(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> requests.Response:
        if not self._base.startswith(("http://", "https://")):
            raise permanent(f"The server URL {self._base!r} must start with https:// (or http://)")
        if not self._token:
            raise auth("No Mattermost token is saved for this target: add a personal access or bot token")
        url = self._base + API + path
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        return exchange(self._http, method, url, json=json, params=params, headers=headers)

    def _checked(
        self, response: requests.Response, *, action: str, post_id: str | None = None, expected: str | None = None,
        listing: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        if 200 <= response.status_code < 300:
            try:
                value = jsonlib.loads(response.content or b"")
            except ValueError:
                value = None
            if isinstance(value, dict):
                return value
            if listing and isinstance(value, list):
                return {"users": value}
        raise classify_error(
            response, channel=self._channel, action=action, post_id=post_id, expected=expected, url=response.url
        )

    def _call(
        self, method: str, path: str, *, action: str, post_id: str | None = None, expected: str | None = None,
        json: Any = None, params: dict[str, str] | None = None, listing: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        response = self._exchange(method, path, json=json, params=params)
        return self._checked(response, action=action, post_id=post_id, expected=expected, listing=listing)


CONNECTOR = MattermostConnector
