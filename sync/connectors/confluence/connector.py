"""Confluence Cloud (REST API v2): a page per moment, or tips appended to a team page; footer comments as
answers; the space's recently modified pages as the team feed.

Settings: `url` = the v2 API base (https://<site>.atlassian.net/wiki/api/v2), `space` = the space key,
`page` (optional) = a team page (id or title), `username` = the Atlassian account email. The secret is
an API token (Basic email:token) or, without a username, an OAuth/personal bearer token. Data Center's
REST v1 (`/rest/api`) is not supported: such a URL is refused with a clear message.

Without `page`, every moment becomes a page in the space. With `page`, tips and resources are appended
to it (a read, then a PUT with version + 1; a 409 version conflict reads again and retries once) and
questions become its child pages (so that each has its own footer comments).

Confluence has no idempotency key, and refuses a second page with the same title in a space. Every post
carries an invisible anchor macro `inflow-<moment id>`. A page's title is the heading; when that is taken,
the heading plus a short stable suffix (date, id). After an ambiguous failure (`attempts` > 0) both titles
are looked up (GET /pages?space-id&title) and a page carrying our marker is taken as already created.
The remote id is the page id, or `<team page id>#<moment id>` for an appended block.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.confluence import content
from sync.connectors.confluence.errors import StatusError, classify_error, decode, host_of
from sync.errors import ErrorKind, SyncError, auth, permanent, transient
from sync.formatting import MOMENT_KIND_LABELS
from sync.http import dig, exchange

MAX_PAGES = 20
"""Pages of results one fetch reads at most (footer comments, feed)."""


def _stamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ConfluenceConnector:
    kind: ClassVar[str] = "confluence"
    label: ClassVar[str] = "Confluence space"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "API URL", help="Confluence Cloud: https://your-site.atlassian.net/wiki/api/v2", url=True),
        TargetKey("space", "Space key", help="e.g. TEAM"),
        TargetKey("page", "Team page", required=False, help="A page id or title: tips are appended to it"),
        TargetKey("username", "Account email", required=False, help="With an API token; empty for a bearer token"),
    )
    secret_label: ClassVar[str] = "API token"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._base = target.get("url").strip().rstrip("/")
        parts = urlsplit(self._base)
        self._site = f"{parts.scheme}://{parts.netloc}"
        self._wiki = self._base.removesuffix("/api/v2")
        self._space = target.get("space").strip()
        self._page = target.get("page").strip()
        self._user = target.get("username").strip()
        self._secret = secret or ""
        self._http = http
        self._state = state
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        space = self._space_id()
        team = self._team_page()
        where = f"; team page {team}" if team else ""
        return f"Space {self._space} (id {space}) is reachable{where}"

    def send(self, moment: OutgoingMoment) -> SendResult:
        team = self._team_page()
        if team and moment.kind != "question":
            return self._append(team, moment)
        return self._create(moment, parent=team)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        page_id, _, moment_id = remote_id.partition("#")
        if moment_id:
            new_block = content.block(moment)
            self._update(page_id, lambda value, title: (content.replace_block(value, moment_id, new_block), title))
            return
        wanted, body = content.page_title(moment), content.storage_body(moment)
        self._update(page_id, lambda value, title: (body, title if title.startswith(wanted) else wanted))

    def retract(self, remote_id: str) -> None:
        page_id, _, moment_id = remote_id.partition("#")
        if moment_id:
            self._update(page_id, lambda value, title: (content.replace_block(value, moment_id, "") or value, title))
            return
        try:
            self._call("DELETE", f"/pages/{page_id}", action="delete the page")
        except StatusError as error:
            if error.status != 404:
                raise

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        page_id, _, moment_id = remote_id.partition("#")
        if moment_id:
            return []  # a block on the team page has no comments of its own
        comments = self._collect(f"/pages/{page_id}/footer-comments", {"body-format": "storage", "limit": "100"},
                                 action="read the comments")  # fmt: skip
        self._resolve_names(str(dig(c, "version", "authorId") or "") for c in comments)
        replies = []
        for comment in comments:
            author = str(dig(comment, "version", "authorId") or "")
            replies.append(
                RemoteReply(
                    remote_id=str(comment.get("id")),
                    author=self._names.get(author, author or "(unknown)"),
                    body=content.storage_to_text(str(dig(comment, "body", "storage", "value") or "")),
                    created_at=str(dig(comment, "version", "createdAt") or ""),
                )
            )
        return replies

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        space = self._space_id()
        path = f"/spaces/{space}/pages"
        since = _stamp(cursor)
        if since is None:  # start from now: the newest modification, no history
            first = self._call("GET", path, params={"sort": "-modified-date", "limit": "1"}, action="read the space")
            latest = _results(first)
            newest = _stamp(dig(latest[0], "version", "createdAt")) if latest else None
            # An empty space: everything from now on is new, whatever the two clocks say.
            return FeedPage([], _iso(newest or datetime(1970, 1, 1, tzinfo=UTC)))
        team = self._team_page()
        items: list[FeedItem] = []
        newest = since
        params: dict[str, str] | None = {"sort": "-modified-date", "limit": "50", "body-format": "storage"}
        url: str | None = path
        for _ in range(MAX_PAGES):
            if url is None:
                break
            answer = self._call("GET", url, params=params, action="read the space")
            older = False
            for page in _results(answer):
                modified = _stamp(dig(page, "version", "createdAt")) or _stamp(page.get("createdAt"))
                if modified is None or modified <= since:
                    older = True
                    break
                newest = max(newest, modified)
                if str(page.get("id")) != team:
                    items.append(self._feed_item(page, modified))
            url, params = (None if older else self._next(answer)), None
        self._resolve_names(item.author for item in items)
        items = [replace(item, author=self._names.get(item.author, item.author)) for item in items]
        return FeedPage(list(reversed(items)), _iso(newest))

    # ------------------------------------------------------------------ posting

    def _create(self, moment: OutgoingMoment, *, parent: str | None) -> SendResult:
        space = self._space_id()
        titles = [content.page_title(moment), content.suffixed_title(moment)]
        wanted = content.marker(moment.moment_id)
        if moment.attempts > 0:
            for title in titles:
                params = {"space-id": space, "title": title, "body-format": "storage", "status": "current"}
                for page in _results(self._call("GET", "/pages", params=params, action="look for the page")):
                    if wanted in str(dig(page, "body", "storage", "value") or ""):
                        return self._result(page)
        for title in titles:
            body: dict[str, Any] = {
                "spaceId": space, "status": "current", "title": title,
                "body": {"representation": "storage", "value": content.storage_body(moment)},
            }  # fmt: skip
            if parent:
                body["parentId"] = parent
            try:
                return self._result(self._call("POST", "/pages", json=body, action="create the page"))
            except StatusError as error:
                duplicate = error.status == 400 and "already exists" in error.message.lower()
                if not duplicate or title == titles[-1]:
                    raise
        raise AssertionError("unreachable")

    def _append(self, team: str, moment: OutgoingMoment) -> SendResult:
        wanted = content.anchor(content.marker(moment.moment_id))

        def add(value: str, title: str) -> tuple[str | None, str]:
            return (None if wanted in value else value + content.block(moment)), title

        page = self._update(team, add, skip_unchanged=True)
        return SendResult(remote_id=f"{team}#{moment.moment_id}", link=self._link(page))

    def _update(
        self, page_id: str, rewrite: Callable[[str, str], tuple[str | None, str]], *, skip_unchanged: bool = False
    ) -> dict[str, Any]:
        """Read the page, rewrite (body, title), PUT it with version + 1; a 409 reads again once."""
        for attempt in (1, 2):
            page = self._call("GET", f"/pages/{page_id}", params={"body-format": "storage"}, action="read the page")
            value = str(dig(page, "body", "storage", "value") or "")
            version, title = dig(page, "version", "number"), str(page.get("title") or "")
            if not isinstance(version, int):
                raise transient(f"{host_of(self._base)} sent a page without a version number")
            new_value, new_title = rewrite(value, title)
            if new_value is None:
                if skip_unchanged:
                    return page
                raise permanent(f"Our part of the page {title!r} was removed in Confluence")
            body = {
                "id": page_id, "status": "current", "title": new_title,
                "body": {"representation": "storage", "value": new_value},
                "version": {"number": version + 1, "message": "Shared with Inflow"},
            }  # fmt: skip
            try:
                return self._call("PUT", f"/pages/{page_id}", json=body, action="update the page")
            except StatusError as error:
                if error.status != 409:
                    raise
                if attempt == 2:
                    message = f"The page {title!r} keeps changing under us (version conflict): will retry"
                    raise transient(message) from error
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ lookups

    def _space_id(self) -> str:
        if self._state.get("space_key") == self._space and self._state.get("space_id"):
            return self._state["space_id"]
        if not self._space:
            raise permanent("Set the space key (e.g. TEAM)")
        spaces = _results(self._call("GET", "/spaces", params={"keys": self._space}, action="find the space"))
        if not spaces or not spaces[0].get("id"):
            raise permanent(f"There is no space with the key {self._space!r} (or no permission to see it)")
        self._state["space_key"], self._state["space_id"] = self._space, str(spaces[0]["id"])
        return self._state["space_id"]

    def _team_page(self) -> str | None:
        if not self._page:
            return None
        if self._page.isdigit():
            return self._page
        if self._state.get("page_setting") == self._page and self._state.get("page_id"):
            return self._state["page_id"]
        params = {"space-id": self._space_id(), "title": self._page, "status": "current"}
        pages = _results(self._call("GET", "/pages", params=params, action="find the team page"))
        if not pages:
            raise permanent(f"There is no page titled {self._page!r} in the space {self._space}")
        self._state["page_setting"], self._state["page_id"] = self._page, str(pages[0]["id"])
        return self._state["page_id"]

    def _resolve_names(self, account_ids: Any) -> None:
        """Display names for account ids (POST /users-bulk); unknown ones stay ids."""
        wanted = sorted({a for a in account_ids if a and a not in self._names})
        if not wanted:
            return
        try:
            answer = self._call("POST", "/users-bulk", json={"accountIds": wanted}, action="read user names")
        except SyncError as error:
            if error.kind is ErrorKind.AUTH:
                raise
            return
        for user in _results(answer):
            name = user.get("displayName") or user.get("publicName")
            if user.get("accountId") and isinstance(name, str):
                self._names[str(user["accountId"])] = name

    def _feed_item(self, page: dict[str, Any], modified: datetime) -> FeedItem:
        value = str(dig(page, "body", "storage", "value") or "")
        title, kind = str(page.get("title") or ""), "tip"
        for key, label in MOMENT_KIND_LABELS.items():
            if title.startswith(f"{label}:"):
                kind, title = key, title[len(label) + 1 :].strip() or title
        created = _stamp(page.get("createdAt")) or modified
        return FeedItem(
            remote_id=str(page.get("id")), author=str(page.get("authorId") or ""), kind=kind, title=title,
            body=content.storage_to_text(value), url=self._link(page), tags=(), created_at=_iso(created),
            local_id=content.marker_id(value),
        )  # fmt: skip

    # ------------------------------------------------------------------ HTTP

    def _result(self, page: dict[str, Any]) -> SendResult:
        if not page.get("id"):
            raise transient(f"{host_of(self._base)} answered without a page id")
        return SendResult(remote_id=str(page["id"]), link=self._link(page))

    def _link(self, page: dict[str, Any]) -> str | None:
        webui = dig(page, "_links", "webui")
        base = dig(page, "_links", "base") or self._wiki
        return f"{base}{webui}" if isinstance(webui, str) and isinstance(base, str) else None

    def _next(self, answer: Any) -> str | None:
        """The next page of results: `_links.next` (a path on the site), absolute."""
        following = dig(answer, "_links", "next")
        if not isinstance(following, str) or not following:
            return None
        return following if following.startswith(("http://", "https://")) else self._site + following

    def _collect(self, path: str, params: dict[str, str], *, action: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        url: str | None = path
        query: dict[str, str] | None = params
        for _ in range(MAX_PAGES):
            if url is None:
                break
            answer = self._call("GET", url, params=query, action=action)
            found += _results(answer)
            url, query = self._next(answer), None
        return found

    def _headers(self) -> dict[str, str]:
        if not self._secret:
            raise auth("No API token is saved for this Confluence target: sign in again")
        if self._user:
            import base64

            basic = base64.b64encode(f"{self._user}:{self._secret}".encode()).decode()
            return {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        return {"Authorization": f"Bearer {self._secret}", "Accept": "application/json"}

    def _call(
        self, method: str, path: str, *, action: str, params: dict[str, str] | None = None, json: Any = None
    ) -> dict[str, Any]:
        if "/rest/api" in self._base:
            raise permanent("Confluence Data Center (REST v1, /rest/api) is not supported yet: use a Cloud v2 URL")
        if not self._base.startswith(("http://", "https://")) or not self._base.endswith("/api/v2"):
            example = "https://site.atlassian.net/wiki/api/v2"
            raise permanent(f"The API URL {self._base!r} must be the v2 API base, like {example}")
        url = path if path.startswith(("http://", "https://")) else self._base + path
        response = exchange(self._http, method, url, params=params, json=json, headers=self._headers())
        if 200 <= response.status_code < 300:
            if response.status_code == 204 or not (response.content or b"").strip():
                return {}
            payload, _ = decode(response)
            if isinstance(payload, dict):
                return payload
        raise StatusError(classify_error(response, url=url, action=action), response.status_code)


def _results(answer: Any) -> list[dict[str, Any]]:
    results = answer.get("results") if isinstance(answer, dict) else None
    return [item for item in results if isinstance(item, dict)] if isinstance(results, list) else []


CONNECTOR = ConfluenceConnector
