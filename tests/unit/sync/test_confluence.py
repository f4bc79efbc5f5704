"""Confluence Cloud connector: contract tests against a local server reproducing the REST API v2.

Requests, responses, errors and paging follow Atlassian's documentation:
- https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/ (POST /pages, GET /pages?space-id&title,
  GET/PUT/DELETE /pages/{id}, version.number + 1 on update, 409 on a stale version, 400 on a duplicate title)
- https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-space/ (GET /spaces?keys=,
  GET /spaces/{id}/pages?sort=-modified-date)
- https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-footer-comment/ (GET /pages/{id}/footer-comments)
- https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-user/ (POST /users-bulk)
- https://developer.atlassian.com/cloud/confluence/rest/v2/intro/#using (cursor paging: `_links.next` and `Link`)
- https://developer.atlassian.com/cloud/confluence/rate-limiting/ (429, Retry-After, X-RateLimit-*)
- https://developer.atlassian.com/cloud/confluence/basic-auth-for-rest-apis/ (Basic email:api_token)
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.confluence import CONNECTOR, ConfluenceConnector
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync.local_server import Answer, LocalServer, Request, drop, json_answer, json_or_none

EMAIL, TOKEN = "alice@example.com", "ATATT3xFfGF0-token"
PREFIX = "/wiki/api/v2"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

Reply = tuple[int, dict[str, str], Any]


def iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def errors(status: int, code: str, title: str) -> dict[str, Any]:
    return {"errors": [{"status": status, "code": code, "title": title, "detail": None}]}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeConfluence:
    """An in-memory Confluence Cloud site with one space (TEAM, id 98306), speaking REST v2."""

    url: str = ""
    site: str = ""
    page_size: int = 2  # the server may return fewer results than `limit` asks for: paging is exercised
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    #: One-shot overrides: (method, path predicate, reply or "lose" = do it, then drop the connection).
    forced: list[tuple[str, Callable[[str], bool], Reply | str]] = field(default_factory=list)
    clock: datetime = T0
    next_id: int = 1000

    def tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return iso(self.clock)

    def add_page(self, title: str, body: str = "<p>x</p>", author: str = "acc-bob", parent: str | None = None) -> str:
        self.next_id += 1
        page_id = str(self.next_id)
        stamp = self.tick()
        self.pages[page_id] = {
            "id": page_id, "status": "current", "title": title, "spaceId": "98306", "parentId": parent,
            "authorId": author, "createdAt": stamp,
            "version": {"number": 1, "createdAt": stamp, "message": "", "minorEdit": False, "authorId": author},
            "body": {"storage": {"representation": "storage", "value": body}},
            "_links": {"webui": f"/spaces/TEAM/pages/{page_id}/{title.replace(' ', '+')}", "tinyui": f"/x/{page_id}"},
        }  # fmt: skip
        return page_id

    def add_comment(self, page_id: str, text: str, author: str) -> None:
        self.next_id += 1
        comment = {
            "id": str(self.next_id), "status": "current", "title": "Re: x", "pageId": page_id,
            "version": {"number": 1, "createdAt": self.tick(), "authorId": author},
            "body": {"storage": {"representation": "storage", "value": text}},
        }  # fmt: skip
        self.comments.setdefault(page_id, []).append(comment)

    def paged(self, items: list[dict[str, Any]], query: dict[str, str], path: str) -> Reply:
        start = int(query.get("cursor", "0") or 0)
        size = min(int(query.get("limit", "25")), self.page_size)
        chunk = items[start : start + size]
        answer: dict[str, Any] = {"results": chunk, "_links": {"base": f"{self.site}/wiki"}}
        headers: dict[str, str] = {}
        if start + size < len(items):
            following = {**query, "cursor": str(start + size)}
            answer["_links"]["next"] = f"{PREFIX}{path}?{urlencode(following)}"
            headers["Link"] = f'<{PREFIX}{path}?{urlencode(following)}>; rel="next"'
        return 200, headers, answer

    def with_body(self, page: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        shown = {**page, "_links": {**page["_links"], "base": f"{self.site}/wiki"}}
        if query.get("body-format") != "storage":
            shown = {k: v for k, v in shown.items() if k != "body"}
        return shown

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]) -> Reply:
        expected = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        if headers.get("authorization") != expected:
            return 401, {}, {"code": 401, "message": "Unauthorized; scope does not match"}
        if method == "GET" and path == "/spaces":
            found = [{"id": "98306", "key": "TEAM", "name": "Team"}] if query.get("keys") == "TEAM" else []
            return 200, {}, {"results": found, "_links": {}}
        if method == "GET" and path == "/pages":
            found = [self.with_body(p, query) for p in self.pages.values()
                     if p["title"] == query.get("title") and p["spaceId"] == query.get("space-id")]  # fmt: skip
            return 200, {}, {"results": found, "_links": {}}
        if method == "POST" and path == "/pages":
            if any(p["title"] == body["title"] and p["spaceId"] == body["spaceId"] for p in self.pages.values()):
                title = "A page with this title already exists: A page already exists with the same TITLE in this space"
                return 400, {}, errors(400, "INVALID_REQUEST_PARAMETER", title)
            page_id = self.add_page(body["title"], body["body"]["value"], "acc-alice", body.get("parentId"))
            return 200, {}, self.with_body(self.pages[page_id], {"body-format": "storage"})
        if method == "POST" and path == "/users-bulk":
            names = {"acc-bob": "Bob Builder", "acc-carol": "Carol"}
            users = [{"accountId": a, "displayName": names[a]} for a in body["accountIds"] if a in names]
            return 200, {}, {"results": users}
        parts = path.strip("/").split("/")
        if parts[0] == "spaces" and len(parts) == 3 and parts[2] == "pages" and method == "GET":
            ordered = sorted(self.pages.values(), key=lambda p: p["version"]["createdAt"], reverse=True)
            return self.paged([self.with_body(p, query) for p in ordered], query, path)
        if parts[0] != "pages" or len(parts) < 2 or parts[1] not in self.pages:
            return 404, {}, errors(404, "NOT_FOUND", "Not Found")
        page = self.pages[parts[1]]
        if len(parts) == 3 and parts[2] == "footer-comments" and method == "GET":
            return self.paged(self.comments.get(parts[1], []), query, path)
        if method == "GET":
            return 200, {}, self.with_body(page, query)
        if method == "PUT":
            current = page["version"]["number"]
            if body["version"]["number"] != current + 1:
                title = f"Version must be incremented on update. Current version is: {current}"
                return 409, {}, errors(409, "CONFLICT", title)
            stamp = self.tick()
            page.update(title=body["title"])
            page["version"] = {"number": current + 1, "createdAt": stamp, "message": body["version"].get("message"),
                               "authorId": "acc-alice"}  # fmt: skip
            page["body"]["storage"]["value"] = body["body"]["value"]
            return 200, {}, self.with_body(page, {"body-format": "storage"})
        if method == "DELETE":
            del self.pages[parts[1]]
            return 204, {}, b""
        return 405, {}, errors(405, "METHOD_NOT_ALLOWED", "Method not allowed")

    def requests(self, method: str | None = None, path: str | None = None) -> list[Seen]:
        return [s for s in self.seen if (method is None or s.method == method) and (path is None or s.path == path)]


@pytest.fixture
def confluence() -> Iterator[FakeConfluence]:
    fake = FakeConfluence()
    lock = threading.Lock()

    def serve(request: Request, h: BaseHTTPRequestHandler) -> Answer | None:
        parts = urlsplit(request.path)
        method, path, query, body = (
            request.method,
            parts.path.removeprefix(PREFIX),
            dict(parse_qsl(parts.query)),
            request.body,
        )
        with lock:
            fake.seen.append(Seen(method, path, query, body, request.headers))
            reply: Reply | str | None = None
            for index, (forced_method, matches, _reply) in enumerate(fake.forced):
                if forced_method == method and matches(path):
                    reply = fake.forced.pop(index)[2]
                    break
            if reply is None or reply == "lose":
                done = fake.handle(method, path, query, body, request.headers)
                if reply == "lose":  # it happened, but the answer never arrives
                    drop(h)
                    return None
                reply = done
        assert not isinstance(reply, str)
        status, extra, payload = reply
        if isinstance(payload, bytes):
            return status, extra, payload
        return json_answer(payload, status, extra, content_type="application/json;charset=UTF-8")

    with LocalServer(serve, methods=("GET", "POST", "PUT", "DELETE"), decode=json_or_none) as server:
        fake.site = server.url
        fake.url = fake.site + PREFIX
        yield fake


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 2))
    yield session
    session.close()


def connector(
    fake: FakeConfluence, http: InflowSession, page: str = "", token: str | None = TOKEN, url: str | None = None
) -> ConfluenceConnector:
    settings = {"url": url or fake.url, "space": "TEAM", "page": page, "username": EMAIL}
    return CONNECTOR(Target("conf", "confluence", settings), token, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "0b7c9a2e-1111-2222-3333-444455556666", "kind": "tip", "title": "Rebase often",
        "body": "Use **rebase** — it's *tidy*.", "url": "https://git-scm.com/docs/git-rebase", "tags": ("git",),
        "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": "key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


MARKER = (
    '<ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">inflow-0b7c9a2e-1111-2222-3333-444455556666'
    "</ac:parameter></ac:structured-macro>"
)

# ---------------------------------------------------------------------- a page per moment


def test_create_a_page_as_documented(confluence: FakeConfluence, http: InflowSession) -> None:
    state: dict[str, str] = {}
    wiki = CONNECTOR(Target("c", "confluence", {"url": confluence.url, "space": "TEAM", "username": EMAIL}), TOKEN,
                     http, state)  # fmt: skip
    result = wiki.send(moment())

    spaces, post = confluence.requests("GET", "/spaces")[0], confluence.requests("POST", "/pages")[0]
    assert spaces.query == {"keys": "TEAM"}
    assert post.headers["authorization"] == "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert post.headers["content-type"] == "application/json"
    assert {k: v for k, v in post.body.items() if k != "body"} == {
        "spaceId": "98306", "status": "current", "title": "Tip: Rebase often",
    }  # fmt: skip
    assert post.body["body"] == {
        "representation": "storage",
        "value": MARKER + "<p>Use <strong>rebase</strong> — it's <em>tidy</em>.</p>"
        '<p><a href="https://git-scm.com/docs/git-rebase">https://git-scm.com/docs/git-rebase</a></p><p>#git</p>',
    }
    page_id = next(iter(confluence.pages))
    assert result.remote_id == page_id
    assert result.link == f"{confluence.site}/wiki/spaces/TEAM/pages/{page_id}/Tip:+Rebase+often"
    assert state == {"space_key": "TEAM", "space_id": "98306"}
    wiki.send(moment(moment_id="second", title="Another"))
    assert len(confluence.requests("GET", "/spaces")) == 1  # the space id is remembered


def test_a_taken_title_gets_a_short_suffix(confluence: FakeConfluence, http: InflowSession) -> None:
    confluence.add_page("Tip: Rebase often", author="acc-bob")
    result = connector(confluence, http).send(moment())
    titles = [s.body["title"] for s in confluence.requests("POST", "/pages")]
    assert titles == ["Tip: Rebase often", "Tip: Rebase often (2025-01-01, 0b7c9a2e)"]
    assert confluence.pages[result.remote_id]["title"] == titles[1]


def test_no_duplicate_page_after_an_ambiguous_failure(confluence: FakeConfluence, http: InflowSession) -> None:
    confluence.forced.append(("POST", lambda p: p == "/pages", "lose"))
    error = failure(lambda: connector(confluence, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert len(confluence.pages) == 1  # it was created: only the answer was lost

    result = connector(confluence, http).send(moment(attempts=1))
    assert len(confluence.pages) == 1
    assert len(confluence.requests("POST", "/pages")) == 1
    lookup = confluence.requests("GET", "/pages")[0].query
    assert lookup == {"space-id": "98306", "title": "Tip: Rebase often", "body-format": "storage", "status": "current"}
    assert result.remote_id == next(iter(confluence.pages))


def test_a_retry_that_finds_only_a_colleagues_page_posts(confluence: FakeConfluence, http: InflowSession) -> None:
    colleagues = confluence.add_page("Tip: Rebase often", "<p>Bob's own</p>")
    result = connector(confluence, http).send(moment(attempts=2))
    assert result.remote_id != colleagues
    assert len(confluence.pages) == 2


def test_a_question_under_a_team_page_is_a_child_page(confluence: FakeConfluence, http: InflowSession) -> None:
    team = confluence.add_page("Team knowledge")
    state: dict[str, str] = {}
    settings = {"url": confluence.url, "space": "TEAM", "page": "Team knowledge", "username": EMAIL}
    wiki = CONNECTOR(Target("c", "confluence", settings), TOKEN, http, state)
    result = wiki.send(moment(kind="question", title="Why rebase?", body="Safe?"))
    assert confluence.requests("POST", "/pages")[0].body["parentId"] == team
    assert confluence.pages[result.remote_id]["title"] == "Question: Why rebase?"
    assert state["page_id"] == team


# ---------------------------------------------------------------------- appending to a team page


def test_append_to_the_team_page_bumps_the_version(confluence: FakeConfluence, http: InflowSession) -> None:
    team = confluence.add_page("Team knowledge", "<p>Intro</p>")
    result = connector(confluence, http, page=team).send(moment())

    put = confluence.requests("PUT", f"/pages/{team}")[0].body
    assert put["version"]["number"] == 2
    assert put["title"] == "Team knowledge"
    assert put["body"]["value"].startswith("<p>Intro</p>" + MARKER + "<h2>Tip: Rebase often</h2>")
    assert put["body"]["value"].endswith(
        "inflow-end-0b7c9a2e-1111-2222-3333-444455556666</ac:parameter></ac:structured-macro>"
    )
    assert result.remote_id == f"{team}#0b7c9a2e-1111-2222-3333-444455556666"
    assert result.link is not None and result.link.endswith(f"/pages/{team}/Team+knowledge")


def test_a_version_conflict_reads_again_and_retries_once(confluence: FakeConfluence, http: InflowSession) -> None:
    team = confluence.add_page("Team knowledge", "<p>Intro</p>")
    conflict: Reply = (409, {}, errors(409, "CONFLICT", "Version must be incremented on update. Current version is: 2"))
    confluence.forced.append(("PUT", lambda p: p.startswith("/pages/"), conflict))
    connector(confluence, http, page=team).send(moment())
    assert len(confluence.requests("PUT")) == 2
    assert len(confluence.requests("GET", f"/pages/{team}")) == 2
    assert MARKER in confluence.pages[team]["body"]["storage"]["value"]

    confluence.forced += [("PUT", lambda p: p.startswith("/pages/"), conflict)] * 2
    error = failure(lambda: connector(confluence, http, page=team).send(moment(moment_id="other")))
    assert error.kind is ErrorKind.TRANSIENT
    assert "version conflict" in error.message


def test_no_duplicate_block_after_an_ambiguous_failure(confluence: FakeConfluence, http: InflowSession) -> None:
    team = confluence.add_page("Team knowledge", "<p>Intro</p>")
    confluence.forced.append(("PUT", lambda p: p.startswith("/pages/"), "lose"))
    assert failure(lambda: connector(confluence, http, page=team).send(moment())).kind is ErrorKind.TRANSIENT
    connector(confluence, http, page=team).send(moment(attempts=1))
    assert len(confluence.requests("PUT")) == 1
    assert confluence.pages[team]["body"]["storage"]["value"].count(MARKER) == 1


def test_edit_and_retract_an_appended_block(confluence: FakeConfluence, http: InflowSession) -> None:
    team = confluence.add_page("Team knowledge", "<p>Intro</p>")
    wiki = connector(confluence, http, page=team)
    result = wiki.send(moment())
    wiki.edit(moment(title="Rebase sometimes", body="Changed"), result.remote_id)
    value = confluence.pages[team]["body"]["storage"]["value"]
    assert "<h2>Tip: Rebase sometimes</h2><p>Changed</p>" in value
    assert "tidy" not in value
    wiki.retract(result.remote_id)
    assert confluence.pages[team]["body"]["storage"]["value"] == "<p>Intro</p>"
    assert confluence.pages[team]["version"]["number"] == 4


def test_edit_and_retract_a_page(confluence: FakeConfluence, http: InflowSession) -> None:
    wiki = connector(confluence, http)
    result = wiki.send(moment())
    wiki.edit(moment(title="Rebase wisely", body="New"), result.remote_id)
    page = confluence.pages[result.remote_id]
    assert (page["title"], page["version"]["number"]) == ("Tip: Rebase wisely", 2)
    assert page["body"]["storage"]["value"].startswith(MARKER + "<p>New</p>")
    wiki.retract(result.remote_id)
    assert result.remote_id not in confluence.pages
    wiki.retract(result.remote_id)  # already gone: fine
    error = failure(lambda: wiki.edit(moment(), result.remote_id))
    assert error.kind is ErrorKind.PERMANENT
    assert "not found" in error.message


# ---------------------------------------------------------------------- replies and feed


def test_footer_comments_are_the_replies_with_paging(confluence: FakeConfluence, http: InflowSession) -> None:
    wiki = connector(confluence, http)
    result = wiki.send(moment(kind="question", title="Why rebase?"))
    confluence.add_comment(result.remote_id, "<p>Because <strong>history</strong>.</p>", "acc-bob")
    confluence.add_comment(result.remote_id, "<p>Agreed</p>", "acc-carol")
    confluence.add_comment(result.remote_id, "<p>Unknown &amp; gone</p>", "acc-gone")

    replies = wiki.fetch_replies(result.remote_id)
    assert [(r.author, r.body) for r in replies] == [
        ("Bob Builder", "Because history."), ("Carol", "Agreed"), ("acc-gone", "Unknown & gone"),
    ]  # fmt: skip
    assert len({r.remote_id for r in replies}) == 3
    assert replies[0].created_at.endswith("Z")
    pages = confluence.requests("GET", f"/pages/{result.remote_id}/footer-comments")
    assert [p.query.get("cursor") for p in pages] == [None, "2"]
    assert pages[0].query == {"body-format": "storage", "limit": "100"}


def test_a_deleted_page_has_no_replies_to_fetch(confluence: FakeConfluence, http: InflowSession) -> None:
    error = failure(lambda: connector(confluence, http).fetch_replies("999999"))
    assert error.kind is ErrorKind.PERMANENT


def test_feed_pages_changed_since_the_cursor(confluence: FakeConfluence, http: InflowSession) -> None:
    team = confluence.add_page("Team knowledge")
    confluence.add_page("Old news")
    wiki = connector(confluence, http, page=team)
    start = wiki.fetch_feed(None)
    assert start.items == []
    assert start.cursor == iso(confluence.clock)

    confluence.add_page("Use git bisect", "<p>Finds the <em>bad</em> commit.</p>", author="acc-bob")
    confluence.add_page("Question: Who owns CI?", "<p>Anyone?</p>", author="acc-carol")
    ours = wiki.send(moment())
    wiki.send(moment(moment_id="tip-2", title="Appended"))  # touches the team page: not a feed item
    confluence.add_page("Resource: Pro Git", "<p>Book</p>", author="acc-bob")

    feed = wiki.fetch_feed(start.cursor)
    assert [(i.author, i.kind, i.title, i.local_id) for i in feed.items] == [
        ("Bob Builder", "tip", "Use git bisect", None),
        ("Carol", "question", "Who owns CI?", None),
        ("Bob Builder", "resource", "Pro Git", None),
    ]
    assert feed.items[0].body == "Finds the bad commit."
    assert feed.items[0].url is not None and feed.items[0].url.startswith(f"{confluence.site}/wiki/spaces/TEAM/pages/")
    assert ours.remote_id.startswith(team)  # appended: the team page itself is skipped
    assert feed.cursor == iso(confluence.clock)
    assert len(confluence.requests("GET", "/spaces/98306/pages")) >= 3  # paged (2 per page here)
    assert wiki.fetch_feed(feed.cursor).items == []


def test_feed_marks_our_own_pages(confluence: FakeConfluence, http: InflowSession) -> None:
    wiki = connector(confluence, http)
    start = wiki.fetch_feed(None)
    result = wiki.send(moment())
    feed = wiki.fetch_feed(start.cursor)
    assert [(i.remote_id, i.local_id) for i in feed.items] == [(result.remote_id, moment().moment_id)]


# ---------------------------------------------------------------------- errors


def test_429_honours_retry_after(confluence: FakeConfluence, http: InflowSession) -> None:
    limited = (429, {"Retry-After": "17", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"},
               {"message": "Rate limit exceeded"})  # fmt: skip
    confluence.forced.append(("POST", lambda p: p == "/pages", limited))
    error = failure(lambda: connector(confluence, http).send(moment()))
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 17)


def test_429_with_only_a_reset_time(confluence: FakeConfluence, http: InflowSession) -> None:
    reset = iso(datetime.now(UTC) + timedelta(seconds=30))
    confluence.forced.append(("GET", lambda p: p == "/spaces", (429, {"X-RateLimit-Reset": reset}, {})))
    error = failure(lambda: connector(confluence, http).test())
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after is not None and 25 < error.retry_after <= 30


def test_a_wrong_token_is_auth(confluence: FakeConfluence, http: InflowSession) -> None:
    error = failure(lambda: connector(confluence, http, token="wrong").send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert "Unauthorized; scope does not match" in error.message
    assert failure(lambda: connector(confluence, http, token=None).send(moment())).kind is ErrorKind.AUTH


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        ((403, {}, errors(403, "FORBIDDEN", "You may not create pages here")), ErrorKind.PERMANENT, "may not create"),
        ((400, {}, errors(400, "INVALID_MESSAGE", "Body is not valid storage format")), ErrorKind.PERMANENT,
         "Body is not valid storage format"),
        ((500, {}, {"message": "boom"}), ErrorKind.TRANSIENT, "boom"),
        ((502, {"Content-Type": "text/html"}, b"<html><title>502 Bad Gateway</title>" + b"x" * 4000 + b"</html>"),
         ErrorKind.TRANSIENT, "an HTML page (502 Bad Gateway)"),
        ((200, {"Content-Type": "text/html"}, b"<html><title>Log in - SSO</title></html>"), ErrorKind.TRANSIENT,
         "an HTML page (Log in - SSO)"),
    ],
)  # fmt: skip
def test_error_shapes(
    confluence: FakeConfluence, http: InflowSession, reply: Reply, kind: ErrorKind, words: str
) -> None:
    confluence.forced.append(("POST", lambda p: p == "/pages", reply))
    error = failure(lambda: connector(confluence, http).send(moment()))
    assert error.kind is kind
    assert words in error.message
    assert len(error.message) < 500


def test_unknown_space_and_page(confluence: FakeConfluence, http: InflowSession) -> None:
    settings = {"url": confluence.url, "space": "NOPE", "username": EMAIL}
    error = failure(lambda: CONNECTOR(Target("c", "confluence", settings), TOKEN, http, {}).test())
    assert (error.kind, "no space with the key 'NOPE'" in error.message) == (ErrorKind.PERMANENT, True)
    error = failure(lambda: connector(confluence, http, page="Missing page").send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "no page titled 'Missing page'" in error.message


def test_data_center_urls_are_refused_clearly(confluence: FakeConfluence, http: InflowSession) -> None:
    error = failure(lambda: connector(confluence, http, url="https://wiki.example.com/rest/api").test())
    assert error.kind is ErrorKind.PERMANENT
    assert "Data Center" in error.message
    assert confluence.seen == []


def test_capabilities() -> None:
    assert CONNECTOR.kind == "confluence"
    assert [key.name for key in CONNECTOR.keys] == ["url", "space", "page", "username"]
    assert [key.required for key in CONNECTOR.keys] == [True, True, False, False]
    assert CONNECTOR.can_edit and CONNECTOR.can_retract and CONNECTOR.can_pull
