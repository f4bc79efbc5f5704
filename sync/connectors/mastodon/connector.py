"""Mastodon (REST API v1): post a moment as a status, edit and delete it, read replies, a hashtag as the feed.

Followed: docs.joinmastodon.org methods/statuses ("Post a new status" with the `Idempotency-Key` header,
`visibility`, `spoiler_text`; "Edit a status" PUT; "Delete a status"; "Get parent and child statuses in
context"), methods/accounts ("Verify account credentials"), methods/timelines ("View hashtag timeline" with
`min_id`/`limit`, at most 40), api/rate-limits, api/guidelines#pagination.

A Mastodon target is PUBLIC (`public = True`): even `unlisted` statuses can be read by anyone. Inflow never
makes it the main target, and the capture window names it "public". Visibility is `unlisted` unless the
target sets `public` (or `private`: followers only). Duplicates: the server keeps the Idempotency-Key (the
outbox id) for an hour and answers a repeat with the first status.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import MutableMapping
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.mastodon.content import VISIBILITIES, feed_item_from_status, reply_from_status, status_text
from sync.connectors.mastodon.errors import classify_error
from sync.errors import auth, permanent, transient
from sync.http import exchange, host_of

PER_PAGE = 40
MAX_PAGES = 10


def _newer(a: str, b: str) -> bool:
    """Status ids are numbers in strings: compare them as numbers."""
    return (len(a), a) > (len(b), b)


class MastodonConnector:
    kind: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon account (public)"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Server URL", help="your Mastodon server, e.g. https://mastodon.social", url=True),
        TargetKey("visibility", "Visibility", required=False,
                  help="unlisted (default), public (also on the public timelines) or private (followers only)"),
        TargetKey("content_warning", "Content warning", required=False,
                  help="shown before each post, which readers open to see it (spoiler text)"),
        TargetKey("feed_tag", "Feed hashtag", required=False,
                  help="colleagues' posts with this hashtag come into the library, e.g. teamlearning"),
    )  # fmt: skip
    secret_label: ClassVar[str] = "Access token (Preferences > Development, scopes read and write:statuses)"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True
    public: ClassVar[bool] = True
    """What is shared here can be read by anyone on the internet."""

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._base = target.get("url").strip().rstrip("/")
        self._visibility = target.get("visibility").strip().lower() or "unlisted"
        self._warning = target.get("content_warning").strip()
        self._tag = target.get("feed_tag").strip().lstrip("#")
        self._token = (secret or "").strip()
        self._http = http
        self._state = state

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        me = self._call("GET", "/api/v1/accounts/verify_credentials", action="sign in")
        self._state["account_id"] = str(me.get("id") or "")
        return f"Signed in as @{me.get('acct') or me.get('username') or '?'}; posts will be {self._visibility_name()}"

    def send(self, moment: OutgoingMoment) -> SendResult:
        body: dict[str, Any] = {"status": status_text(moment), "visibility": self._checked_visibility()}
        if self._warning:
            body["spoiler_text"] = self._warning
        headers = {"Idempotency-Key": moment.idempotency_key}
        status = self._call("POST", "/api/v1/statuses", json=body, headers=headers, action="post")
        status_id = status.get("id")
        if not isinstance(status_id, str) or not status_id:
            raise transient(f"{host_of(self._base)} answered the post without a status id")
        link = status.get("url")
        return SendResult(remote_id=status_id, link=link if isinstance(link, str) else None)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        body: dict[str, Any] = {"status": status_text(moment), "spoiler_text": self._warning}
        self._call(
            "PUT", f"/api/v1/statuses/{quote(remote_id, safe='')}", json=body, action="edit", status_id=remote_id
        )

    def retract(self, remote_id: str) -> None:
        response = self._exchange("DELETE", f"/api/v1/statuses/{quote(remote_id, safe='')}")
        if response.status_code == 404:
            return  # already deleted (by the person on the web, or by an earlier try of this retraction)
        self._decoded(response, action="delete", status_id=remote_id)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        path = f"/api/v1/statuses/{quote(remote_id, safe='')}/context"
        context = self._call("GET", path, action="read replies", status_id=remote_id)
        descendants = context.get("descendants")
        found = [reply_from_status(s) for s in descendants] if isinstance(descendants, list) else []
        return [reply for reply in found if reply is not None]

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        if not self._tag:
            return FeedPage([], cursor=cursor)  # no hashtag chosen: no feed
        path = f"/api/v1/timelines/tag/{quote(self._tag, safe='')}"
        if not cursor:  # start from now: the newest status under the tag
            newest = self._list(path, {"limit": "1"})
            return FeedPage([], cursor=str(newest[0].get("id")) if newest else "0")
        me = self._state.get("account_id") or self._whoami()
        items: list[FeedItem] = []
        newest_id = cursor
        for _ in range(MAX_PAGES):
            page = self._list(path, {"min_id": newest_id, "limit": str(PER_PAGE)})
            ids = [str(s.get("id")) for s in page if isinstance(s.get("id"), str)]
            fresh = [s for s in page if isinstance(s.get("id"), str) and _newer(s["id"], newest_id)]
            for status in sorted(fresh, key=lambda s: (len(s["id"]), s["id"])):
                item = feed_item_from_status(status, me)
                if item is not None:
                    items.append(item)
            if not fresh:
                break
            newest_id = max(ids, key=lambda i: (len(i), i))
        return FeedPage(items, cursor=newest_id)

    # ------------------------------------------------------------------ plumbing

    def _visibility_name(self) -> str:
        return {"unlisted": "public but unlisted", "public": "public", "private": "for followers only"}.get(
            self._visibility, self._visibility
        )

    def _checked_visibility(self) -> str:
        if self._visibility not in VISIBILITIES:
            raise permanent(
                f"The visibility {self._visibility!r} is not one Inflow posts with: use unlisted, public or private"
            )
        return self._visibility

    def _whoami(self) -> str:
        me = self._call("GET", "/api/v1/accounts/verify_credentials", action="sign in")
        self._state["account_id"] = str(me.get("id") or "")
        return self._state["account_id"]

    def _list(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        response = self._exchange("GET", path, params=params)
        if 200 <= response.status_code < 300:
            try:
                value = jsonlib.loads(response.content or b"")
            except ValueError:
                value = None
            if isinstance(value, list):
                return [s for s in value if isinstance(s, dict)]
        raise classify_error(response, action="read the hashtag", url=response.url)

    def _call(
        self, method: str, path: str, *, action: str, status_id: str | None = None, **options: Any
    ) -> dict[str, Any]:
        return self._decoded(self._exchange(method, path, **options), action=action, status_id=status_id)

    def _exchange(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **options: Any
    ) -> requests.Response:
        if not self._base.startswith(("http://", "https://")):
            raise permanent(f"The server URL {self._base!r} must start with https://")
        if not self._token:
            raise auth("No Mastodon access token is saved for this target: add one (Preferences > Development)")
        sent = {"Authorization": f"Bearer {self._token}", "Accept": "application/json", **(headers or {})}
        return exchange(self._http, method, self._base + path, headers=sent, **options)

    def _decoded(self, response: requests.Response, *, action: str, status_id: str | None = None) -> dict[str, Any]:
        if 200 <= response.status_code < 300:
            try:
                value = jsonlib.loads(response.content or b"")
            except ValueError:
                value = None
            if isinstance(value, dict):
                return value
        raise classify_error(response, action=action, status_id=status_id, url=response.url)


CONNECTOR = MastodonConnector
