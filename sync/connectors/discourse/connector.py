"""Discourse: a topic per moment in a category; replies are the topic's posts; the feed is the category.

Followed: docs.discourse.org (POST /posts.json with `title`, `raw`, `category`, `external_id`; GET
/t/{id}.json; GET /t/{id}/posts.json?post_ids[]=; GET /t/external_id/{external_id}.json; GET
/c/{slug}/{id}.json?page=N; GET /c/{id}/show.json; GET /categories.json; PUT /posts/{id}.json; PUT
/t/-/{id}.json; DELETE /t/{id}.json; GET /session/current.json) and meta.discourse.org "Discourse REST API
documentation" (headers `Api-Key` + `Api-Username`, or `User-Api-Key`; 60 requests/min per admin key).

Duplicates: Discourse has no idempotency key, so every topic carries our moment id as `external_id`. After an
ambiguous failure (`attempts > 0`) we ask GET /t/external_id/{moment_id}.json before creating again, and a
422 on create (e.g. "Title has already been used", "Body is too similar") is checked the same way. A
title taken by someone else's topic is retried once with the moment's time appended.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.discourse.content import (
    feed_item_from_topic,
    is_reply,
    iso,
    parse_time,
    reply_from_post,
    topic_raw,
    topic_title,
)  # fmt: skip
from sync.connectors.discourse.errors import classify_error, error_messages
from sync.errors import auth, permanent, transient
from sync.http import decode_json, exchange

CHUNK = 20
"""Post ids per GET /t/{id}/posts.json (what Discourse itself asks for at a time)."""
MAX_REPLY_POSTS = 2000
MAX_FEED_PAGES = 10
MAX_FEED_TOPICS = 20
"""New topics read per fetch_feed (each costs a request; the rest comes next time, from the cursor)."""
QUEUED = "queued:"


def _seg(value: str) -> str:
    return quote(value, safe="")


class DiscourseConnector:
    kind: ClassVar[str] = "discourse"
    label: ClassVar[str] = "Discourse category"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Forum URL", help="e.g. https://forum.example.com", url=True),
        TargetKey("category", "Category", help="The category's id or slug (e.g. 42 or team-learning)"),
        TargetKey(
            "username", "User name", required=False,
            help="The account an admin API key acts as; leave empty for a user API key",
        ),
    )  # fmt: skip
    secret_label: ClassVar[str] = "API key"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._base = target.get("url").strip().rstrip("/")
        self._category_setting = target.get("category").strip()
        self._username = target.get("username").strip()
        self._key = (secret or "").strip()
        self._http = http
        self._state = state
        self._me: str | None = self._username or None

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        me = self._whoami()
        category_id, slug, name = self._category()
        self._call("GET", f"/c/{_seg(slug)}/{category_id}.json", action="read", expected="topic_list")
        return f"Signed in as {me}; category {name} is reachable"

    def send(self, moment: OutgoingMoment) -> SendResult:
        category_id = self._category()[0]
        if moment.attempts > 0:
            found = self._by_external_id(moment.moment_id)
            if found is not None:
                return found
        body = {
            "title": topic_title(moment), "raw": topic_raw(moment), "category": category_id,
            "external_id": moment.moment_id,
        }  # fmt: skip
        response = self._exchange("POST", "/posts.json", json=body)
        if response.status_code == 422:
            found = self._by_external_id(moment.moment_id)
            if found is not None:
                return found  # our own topic, created by an earlier try
            payload, _ = decode_json(response)
            if "title has already been used" in error_messages(payload).lower():
                stamp = iso(moment.created_at)[:16].replace("T", " ")
                body["title"] = topic_title(moment, suffix=f" ({stamp})")
                response = self._exchange("POST", "/posts.json", json=body)
        answer = self._checked(response, action="post")
        if answer.get("action") == "enqueued":  # the forum holds it for a moderator
            pending = answer.get("pending_post")
            pending_id = pending.get("id") if isinstance(pending, dict) else None
            return SendResult(remote_id=f"{QUEUED}{pending_id or moment.moment_id}", link=None)
        topic_id, slug = answer.get("topic_id"), answer.get("topic_slug")
        if not isinstance(topic_id, int):
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no topic_id)")
        return self._result(topic_id, slug)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        topic_id = self._topic_id(remote_id, "edit")
        topic = self._call("GET", f"/t/{topic_id}.json", action="read", topic_id=topic_id, expected="post_stream")
        first = next((p for p in self._posts(topic) if p.get("post_number") == 1), None)
        if first is None:
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no first post)")
        post = {"raw": topic_raw(moment), "edit_reason": "Edited in Inflow"}
        self._call("PUT", f"/posts/{first['id']}.json", json={"post": post}, action="edit", topic_id=topic_id)
        title = topic_title(moment)
        if topic.get("title") != title:
            self._call("PUT", f"/t/-/{topic_id}.json", json={"title": title}, action="edit", topic_id=topic_id)

    def retract(self, remote_id: str) -> None:
        topic_id = self._topic_id(remote_id, "retract")
        response = self._exchange("DELETE", f"/t/{topic_id}.json")
        if response.status_code == 404:
            return  # already deleted
        self._checked(response, action="delete", topic_id=topic_id, allow_empty=True)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        if remote_id.startswith(QUEUED):
            return []  # not public yet: nobody can have answered
        topic_id = self._topic_id(remote_id, "read")
        topic = self._call("GET", f"/t/{topic_id}.json", action="read", topic_id=topic_id, expected="post_stream")
        posts = {p["id"]: p for p in self._posts(topic)}
        stream = topic["post_stream"].get("stream")
        missing = [i for i in stream if isinstance(i, int) and i not in posts] if isinstance(stream, list) else []
        missing = missing[:MAX_REPLY_POSTS]
        for start in range(0, len(missing), CHUNK):
            params = {"post_ids[]": [str(i) for i in missing[start : start + CHUNK]]}
            page = self._call(
                "GET", f"/t/{topic_id}/posts.json", params=params, action="read", topic_id=topic_id,
                expected="post_stream",
            )  # fmt: skip
            posts.update({p["id"]: p for p in self._posts(page)})
        ordered = sorted(posts.values(), key=lambda p: (p.get("post_number") or 0, p["id"]))
        return [reply for reply in (reply_from_post(p) for p in ordered if is_reply(p)) if reply is not None]

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        category_id, slug, _ = self._category()
        path = f"/c/{_seg(slug)}/{category_id}.json"
        since = parse_time(cursor) if cursor else None
        new: dict[int, dict[str, Any]] = {}
        newest = since
        for page in range(MAX_FEED_PAGES):
            answer = self._call("GET", path, params={"page": str(page)} if page else None, action="read",
                                expected="topic_list")  # fmt: skip
            topic_list = answer["topic_list"]
            topics = [t for t in topic_list.get("topics") or [] if isinstance(t, dict) and isinstance(t.get("id"), int)]
            for topic in topics:
                created = parse_time(topic.get("created_at"))
                newest = created if newest is None or created > newest else newest
                if since is not None and created > since:
                    new[topic["id"]] = topic
            if since is None or not topics or not topic_list.get("more_topics_url"):
                break
            if any(not t.get("pinned") and parse_time(t.get("bumped_at")) <= since for t in topics):
                break  # the list is by last activity: everything further down is older than the cursor
        if since is None:  # start from now: the newest topic's time by the forum's clock
            return FeedPage([], cursor=iso(newest.isoformat()) if newest else iso("1970-01-01T00:00:00Z"))
        ordered = sorted(new.values(), key=lambda t: (parse_time(t.get("created_at")), t["id"]))
        items: list[FeedItem] = []
        cursor_time = max((parse_time(t.get("created_at")) for t in ordered), default=since)
        for index, summary in enumerate(ordered):
            if index == MAX_FEED_TOPICS:
                cursor_time = parse_time(ordered[index - 1].get("created_at"))
                break
            item = self._feed_item(summary)
            if item is not None:
                items.append(item)
        return FeedPage(items, cursor=iso(cursor_time.isoformat()))

    # ------------------------------------------------------------------ helpers

    def _feed_item(self, summary: dict[str, Any]) -> FeedItem | None:
        topic_id = str(summary["id"])
        response = self._exchange("GET", f"/t/{topic_id}.json")
        if response.status_code in (403, 404):
            return None  # deleted or hidden since the list was made
        topic = self._checked(response, action="read", topic_id=topic_id, expected="post_stream")
        first = next((p for p in self._posts(topic) if p.get("post_number") == 1), None)
        if first is None or first.get("deleted_at"):
            return None
        return feed_item_from_topic({**summary, **topic}, first, self._me or self._whoami(), self._base)

    def _result(self, topic_id: int, slug: object) -> SendResult:
        slug_text = slug if isinstance(slug, str) and slug else "-"
        return SendResult(remote_id=str(topic_id), link=f"{self._base}/t/{slug_text}/{topic_id}")

    def _by_external_id(self, moment_id: str) -> SendResult | None:
        """Our topic for this moment, if an earlier try created it (redirects to the topic's JSON)."""
        response = self._exchange("GET", f"/t/external_id/{_seg(moment_id)}.json")
        if response.status_code == 404:
            return None
        topic = self._checked(response, action="read", expected="id")
        if not isinstance(topic.get("id"), int):
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no topic id)")
        return self._result(topic["id"], topic.get("slug"))

    def _topic_id(self, remote_id: str, action: str) -> str:
        if remote_id.startswith(QUEUED):
            raise permanent(f"Cannot {action} a post that still waits for a moderator's approval on the forum")
        if not remote_id.isdigit():
            raise permanent(f"{remote_id!r} is not a Discourse topic id")
        return remote_id

    def _whoami(self) -> str:
        response = self._exchange("GET", "/session/current.json")
        if response.status_code == 404:  # answered for "no current user": the key signs nobody in
            raise auth(f"{self._base} does not recognise this API key (no signed-in user)")
        current = self._checked(response, action="sign in", expected="current_user").get("current_user")
        name = current.get("username") if isinstance(current, dict) else None
        if not isinstance(name, str) or not name:
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no current_user)")
        self._me = name
        return name

    def _category(self) -> tuple[int, str, str]:
        """(id, slug, name) of the configured category, resolved once and kept in state."""
        setting = self._category_setting
        cached = self._state.get("category_id", "")
        if self._state.get("category_setting") == setting and cached.isdigit():
            return int(cached), self._state.get("category_slug", "-"), self._state.get("category_name", setting)
        if not setting:
            raise permanent("No category is set for this Discourse target")
        if setting.isdigit():
            answer = self._call("GET", f"/c/{setting}/show.json", action="read", expected="category")
            found = answer.get("category") if isinstance(answer.get("category"), dict) else None
        else:
            params = {"include_subcategories": "true"}
            answer = self._call("GET", "/categories.json", params=params, action="read", expected="category_list")
            found = _find_category(answer.get("category_list"), setting.rsplit("/", 1)[-1].lower())
        if not found or not isinstance(found.get("id"), int):
            raise permanent(f"There is no category {setting!r} on {self._base} (or this key cannot see it)")
        slug, name = str(found.get("slug") or "-"), str(found.get("name") or setting)
        self._state.update(category_setting=setting, category_id=str(found["id"]), category_slug=slug,
                           category_name=name)  # fmt: skip
        return found["id"], slug, name

    def _posts(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        stream = answer.get("post_stream")
        posts = stream.get("posts") if isinstance(stream, dict) else None
        if not isinstance(posts, list):
            raise transient(f"{self._base} answered with JSON of an unexpected shape (no post_stream)")
        return [p for p in posts if isinstance(p, dict) and isinstance(p.get("id"), int)]

    def _exchange(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> requests.Response:
        if not self._base.startswith(("http://", "https://")):
            raise permanent(f"The forum URL {self._base!r} must start with https:// (or http://)")
        if not self._key:
            raise auth("No Discourse API key is saved for this target")
        headers = {"Accept": "application/json"}
        if self._username:
            headers.update({"Api-Key": self._key, "Api-Username": self._username})
        else:
            headers["User-Api-Key"] = self._key
        url = self._base + path
        return exchange(self._http, method, url, json=json, params=params, headers=headers)

    def _checked(
        self, response: requests.Response, *, action: str, topic_id: str | None = None, expected: str | None = None,
        allow_empty: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        if 200 <= response.status_code < 300:
            if allow_empty and not (response.content or b"").strip():
                return {}
            payload, _ = decode_json(response)
            if payload is not None and (expected is None or expected in payload):
                return payload
        raise classify_error(
            response, category=self._category_setting, action=action, topic_id=topic_id, expected=expected,
        )  # fmt: skip

    def _call(
        self, method: str, path: str, *, action: str, topic_id: str | None = None, expected: str | None = None,
        json: Any = None, params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        response = self._exchange(method, path, json=json, params=params)
        return self._checked(response, action=action, topic_id=topic_id, expected=expected)


def _find_category(category_list: object, wanted: str) -> dict[str, Any] | None:
    categories = category_list.get("categories") if isinstance(category_list, dict) else None
    pending = list(categories) if isinstance(categories, list) else []
    while pending:
        category = pending.pop(0)
        if not isinstance(category, dict):
            continue
        if wanted in (str(category.get("slug", "")).lower(), str(category.get("name", "")).lower()):
            return category
        children = category.get("subcategory_list")
        if isinstance(children, list):
            pending.extend(children)
    return None


CONNECTOR = DiscourseConnector
