"""WordPress (REST API wp/v2): a moment becomes a post in a category; edit, trash, comments, the category as feed.

Followed: the WordPress REST API handbook, reference/posts (POST /wp/v2/posts with `title`, `content`,
`status`, `categories`; POST /wp/v2/posts/<id> to update; DELETE moves to the trash unless `force`; list
arguments `search`, `status=any` with `context=edit`, `categories`, `after`, `orderby`, `order`, `per_page`
at most 100, `page`), reference/categories (`search`), reference/comments (`post`, paged), reference/users
(`me`), and "Authentication" (application passwords over Basic auth). Every route is reached as
`?rest_route=/wp/v2/...`, which works whatever the site's permalink setting.

Duplicates: the content carries an invisible `<!-- inflow:<outbox id> -->` marker (like the MediaWiki
connector's); before posting again after an unknown outcome, the posts are searched for it.
Tags go into the content (creating WordPress tags needs the Editor role).
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import MutableMapping
from typing import Any, ClassVar

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.discourse.content import html_to_text
from sync.connectors.wordpress.content import field, marker, post_content
from sync.connectors.wordpress.errors import classify_error
from sync.errors import auth, permanent, transient
from sync.formatting import heading
from sync.http import exchange, host_of

PER_PAGE = 100
MAX_PAGES = 10
STATUSES = ("draft", "publish", "pending", "private")


class WordPressConnector:
    kind: ClassVar[str] = "wordpress"
    label: ClassVar[str] = "WordPress site"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Site URL", help="the blog's address, e.g. https://intranet.example.org/blog", url=True),
        TargetKey("username", "User name", help="the WordPress account that posts (Author role or more)"),
        TargetKey("category", "Category", required=False,
                  help="name or number of the category posts go to; colleagues' new posts there come into the library"),
        TargetKey("status", "Post status", required=False,
                  help="draft (default: an editor publishes) or publish"),
    )  # fmt: skip
    secret_label: ClassVar[str] = "Application password (Users > Profile > Application Passwords)"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._base = target.get("url").strip().rstrip("/")
        self._user = target.get("username").strip()
        self._category = target.get("category").strip()
        self._status = target.get("status").strip().lower() or "draft"
        self._password = (secret or "").strip()
        self._http = http
        self._state = state

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        me = self._whoami()
        where = f" in the category {self._category!r}" if self._category else ""
        self._category_id()
        return f"Signed in to {host_of(self._base)} as {me}; posts go{where} as {self._checked_status()}"

    def send(self, moment: OutgoingMoment) -> SendResult:
        status = self._checked_status()
        if moment.attempts:  # an earlier try may have been stored before its answer was lost
            found = self._find(moment.idempotency_key)
            if found is not None:
                return found
        body: dict[str, Any] = {"title": heading(moment), "content": post_content(moment), "status": status}
        category = self._category_id()
        if category:
            body["categories"] = [int(category)]
        post = self._call("POST", "/wp/v2/posts", json=body, action="post")
        return self._result(post)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        body = {"title": heading(moment), "content": post_content(moment)}
        self._call("POST", f"/wp/v2/posts/{post_number(remote_id)}", json=body, action="edit", post_id=remote_id)

    def retract(self, remote_id: str) -> None:
        response = self._exchange("DELETE", f"/wp/v2/posts/{post_number(remote_id)}")
        if response.status_code in (404, 410):
            return  # already trashed or deleted (on the web, or by an earlier try of this retraction)
        self._decoded(response, action="move the post to the trash", post_id=remote_id)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        params = {"post": str(post_number(remote_id)), "orderby": "date", "order": "asc"}
        comments = self._pages("/wp/v2/comments", params, action="read comments")
        found = []
        for comment in comments:
            text = html_to_text(field(comment, "content", "rendered"))
            if comment.get("id") is not None and text:
                author = field(comment, "author_name") or "someone"
                found.append(RemoteReply(str(comment["id"]), author, text, field(comment, "date_gmt")))
        return found

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        category = self._category_id()
        if not category:
            return FeedPage([], cursor=cursor)  # no category chosen: no feed
        base = {"categories": category, "orderby": "date", "order": "asc"}
        if not cursor:  # start from now: the newest post in the category
            newest = self._list("/wp/v2/posts", {**base, "order": "desc", "per_page": "1"}, action="read the category")
            return FeedPage([], cursor=field(newest[0], "date") if newest else "1970-01-01T00:00:00")
        me = self._state.get("user_id") or self._whoami_id()
        items: list[FeedItem] = []
        newest_date = cursor
        for post in self._pages("/wp/v2/posts", {**base, "after": cursor}, action="read the category"):
            newest_date = max(newest_date, field(post, "date"))
            if str(post.get("author")) == me:
                continue  # our own posts (this Inflow's, or the person's on the web)
            title = html_to_text(field(post, "title", "rendered")) or "(untitled)"
            kind = "question" if title.endswith("?") else "tip"
            items.append(FeedItem(
                remote_id=str(post.get("id")), author=self._author_name(post), kind=kind,
                title=title, body=html_to_text(field(post, "content", "rendered")), url=field(post, "link") or None,
                tags=(), created_at=field(post, "date_gmt"),
            ))  # fmt: skip
        return FeedPage(items, cursor=newest_date)

    # ------------------------------------------------------------------ plumbing

    def _checked_status(self) -> str:
        if self._status not in STATUSES:
            raise permanent(f"The post status {self._status!r} is not one WordPress knows: use draft or publish")
        return self._status

    def _result(self, post: dict[str, Any]) -> SendResult:
        post_id = post.get("id")
        if not isinstance(post_id, int):
            raise transient(f"{host_of(self._base)} answered the post without a post id")
        return SendResult(remote_id=str(post_id), link=field(post, "link") or None)

    def _find(self, key: str) -> SendResult | None:
        params = {"search": f"inflow:{key}", "status": "any", "context": "edit", "per_page": "10"}
        for post in self._list("/wp/v2/posts", params, action="look for an earlier post"):
            if marker(key) in field(post, "content", "raw"):
                return self._result(post)
        return None

    def _whoami(self) -> str:
        me = self._call("GET", "/wp/v2/users/me", action="sign in")
        self._state["user_id"] = str(me.get("id") or "")
        return field(me, "name") or self._user

    def _whoami_id(self) -> str:
        self._whoami()
        return self._state["user_id"]

    def _author_name(self, post: dict[str, Any]) -> str:
        embedded = post.get("_embedded")
        authors = embedded.get("author") if isinstance(embedded, dict) else None
        if isinstance(authors, list) and authors:
            return field(authors[0], "name") or "a colleague"
        return "a colleague"

    def _category_id(self) -> str:
        """The category's number: as typed when it is one, else found by name (cached in the state)."""
        if not self._category or self._category.isdigit():
            return self._category
        cached = self._state.get("category_id")
        if cached and self._state.get("category_name") == self._category:
            return cached
        wanted = self._category.casefold()
        found = self._list(
            "/wp/v2/categories", {"search": self._category, "per_page": "100"}, action="find the category"
        )
        for category in found:
            if wanted in (html_to_text(field(category, "name")).casefold(), field(category, "slug").casefold()):
                self._state.update(category_id=str(category.get("id")), category_name=self._category)
                return str(category.get("id"))
        raise permanent(
            f"{host_of(self._base)} has no category named {self._category!r}: check the name in Posts > Categories"
        )

    def _pages(self, route: str, params: dict[str, str], *, action: str) -> list[dict[str, Any]]:
        everything: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            found = self._list(route, {**params, "per_page": str(PER_PAGE), "page": str(page), "_embed": "author"},
                               action=action)  # fmt: skip
            everything.extend(found)
            if len(found) < PER_PAGE:
                break
        return everything

    def _list(self, route: str, params: dict[str, str], *, action: str) -> list[dict[str, Any]]:
        response = self._exchange("GET", route, params=params)
        if 200 <= response.status_code < 300:
            try:
                value = jsonlib.loads(response.content or b"")
            except ValueError:
                value = None
            if isinstance(value, list):
                return [item for item in value if isinstance(item, dict)]
        raise classify_error(response, action=action, url=response.url)

    def _call(
        self, method: str, route: str, *, action: str, post_id: str | None = None, **options: Any
    ) -> dict[str, Any]:
        return self._decoded(self._exchange(method, route, **options), action=action, post_id=post_id)

    def _exchange(
        self, method: str, route: str, *, params: dict[str, str] | None = None, **options: Any
    ) -> requests.Response:
        if not self._base.startswith(("http://", "https://")):
            raise permanent(f"The site URL {self._base!r} must start with https://")
        if not self._user or not self._password:
            raise auth("No WordPress user name or application password is saved for this target: add them")
        query = {"rest_route": route, **(params or {})}
        headers = {"Accept": "application/json"}
        return exchange(self._http, method, self._base + "/", params=query, headers=headers,
                        auth=(self._user, self._password), **options)  # fmt: skip

    def _decoded(self, response: requests.Response, *, action: str, post_id: str | None = None) -> dict[str, Any]:
        if 200 <= response.status_code < 300:
            try:
                value = jsonlib.loads(response.content or b"")
            except ValueError:
                value = None
            if isinstance(value, dict):
                return value
        raise classify_error(response, action=action, post_id=post_id, url=response.url)


def post_number(remote_id: str) -> int:
    """The WordPress post id an earlier share recorded; a permanent error when it is not one."""
    try:
        return int(remote_id)
    except ValueError:
        raise permanent(f"{remote_id!r} is not a WordPress post id, so Inflow cannot find that post") from None


CONNECTOR = WordPressConnector
