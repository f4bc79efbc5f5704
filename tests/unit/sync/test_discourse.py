"""The Discourse connector against a loopback fake of the forum's JSON API (stdlib http.server in a thread).

The fake follows docs.discourse.org (POST /posts.json with title/raw/category/external_id; GET /t/{id}.json
with `post_stream.posts` (the first 20) and `stream` (every id); GET /t/{id}/posts.json?post_ids[]=; GET
/t/external_id/{id}.json redirecting to the topic; GET /c/{slug}/{id}.json?page=N with
`topic_list.more_topics_url`; GET /c/{id}/show.json; GET /categories.json; PUT /posts/{id}.json; PUT
/t/-/{id}.json; DELETE /t/{id}.json; GET /session/current.json (404 with no user)) and meta.discourse.org
"Discourse REST API documentation" (Api-Key + Api-Username or User-Api-Key; 403 `invalid_access` for a bad
key; 429 with Retry-After and `{"errors","error_type":"rate_limit","extras":{"wait_seconds"}}`; 422 with
`{"errors":[...]}`; site-setting minimums: title 15, first post 20; max post 32,000).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.discourse import CONNECTOR, DiscourseConnector
from sync.connectors.discourse.content import MAX_POST, TRUNCATED
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from sync.registry import connector_for
from tests.unit.sync.local_server import Answer, LocalServer, json_or_none, matching, redirect
from tests.unit.sync.local_server import Request as Seen

KEY = "d1sc0urse-api-key"
USER = "alice"
CATEGORY = {"id": 7, "slug": "team-learning", "name": "Team learning"}
PAGE = 10
BAD_KEY = "You are not permitted to view the requested resource. The API username or key is invalid."


def _errors(status: int, *errors: str, error_type: str = "", **extra: Any) -> Answer:
    body: dict[str, Any] = {"errors": list(errors), **extra}
    if error_type:
        body["error_type"] = error_type
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class FakeDiscourse:
    url: str = ""
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail_next: list[Answer] = field(default_factory=list)
    creates: int = 0
    stall_creates: bool = False
    enqueue: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    minutes: Iterator[int] = field(default_factory=lambda: itertools.count(0))
    post_ids: Iterator[int] = field(default_factory=lambda: itertools.count(100))
    topic_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def now(self) -> str:
        minute = next(self.minutes)
        return f"2024-03-{1 + minute // 1440:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:00.000Z"

    def topic(self, title: str, raw: str, user: str = "bob", external_id: str | None = None, **extra: Any) -> int:
        topic_id = next(self.topic_ids)
        stamp = self.now()
        slug = "-".join(title.lower().split())[:40] or "topic"
        self.topics[topic_id] = {
            "id": topic_id, "title": title, "slug": slug, "category_id": CATEGORY["id"], "external_id": external_id,
            "created_at": stamp, "bumped_at": stamp, "pinned": False, "posts": [], "deleted": False,
            "tags": [], **extra,
        }  # fmt: skip
        self.reply(topic_id, raw, user)
        return topic_id

    def reply(self, topic_id: int, raw: str, user: str = "bob", **extra: Any) -> dict[str, Any]:
        topic = self.topics[topic_id]
        stamp = self.now()
        post = {
            "id": next(self.post_ids), "post_number": len(topic["posts"]) + 1, "username": user, "created_at": stamp,
            "cooked": f"<p>{raw}</p>", "post_type": 1, "deleted_at": None, **extra,
        }  # fmt: skip
        topic["posts"].append(post)
        topic["bumped_at"] = stamp
        return post

    def route(self, seen: Seen) -> Answer:
        if self.fail_next:
            return self.fail_next.pop(0)
        user_key = seen.headers.get("user-api-key") == KEY
        if not user_key and (seen.headers.get("api-key") != KEY or seen.headers.get("api-username") != USER):
            return _errors(403, BAD_KEY, error_type="invalid_access")
        parts = urlsplit(seen.path).path.strip("/").split("/")
        q = seen.query
        match seen.method, parts:
            case "GET", ["session", "current.json"]:
                return self.ok({"current_user": {"id": 1, "username": USER}})
            case "GET", ["categories.json"]:
                child = {"id": 9, "slug": "rust", "name": "Rust"}
                categories = [{"id": 1, "slug": "general"}, {**CATEGORY, "subcategory_list": [child]}]
                return self.ok({"category_list": {"categories": categories}})
            case "GET", ["c", "7", "show.json"]:
                return self.ok({"category": CATEGORY})
            case "GET", ["c", "team-learning", "7.json"]:
                return self.latest(int(q.get("page", ["0"])[0]))
            case "GET", ["c", *_]:
                return _errors(404, "The requested URL or resource could not be found.", error_type="not_found")
            case "POST", ["posts.json"]:
                return self.create(seen.body)
            case "GET", ["t", "external_id", name]:
                eid = name.removesuffix(".json")
                found = [t for t in self.topics.values() if t["external_id"] == eid and not t["deleted"]]
                if not found:
                    return _errors(404, "The requested URL or resource could not be found.", error_type="not_found")
                return redirect(f"/t/{found[0]['slug']}/{found[0]['id']}.json")
            case "GET", ["t", topic_id, "posts.json"]:
                return self.some_posts(int(topic_id), [int(i) for i in q.get("post_ids[]", [])])
            case "GET", ["t", name] | ["t", _, name] if name.endswith(".json"):
                return self.topic_view(int(name.removesuffix(".json")))
            case "PUT", ["posts", name]:
                post = next(p for t in self.topics.values() for p in t["posts"] if p["id"] == int(name[:-5]))
                post["raw"], post["cooked"] = seen.body["post"]["raw"], f"<p>{seen.body['post']['raw']}</p>"
                return self.ok({"post": post})
            case "PUT", ["t", "-", name]:
                self.topics[int(name[:-5])]["title"] = seen.body["title"]
                return self.ok({"basic_topic": {"id": int(name[:-5])}})
            case "DELETE", ["t", name]:
                topic = self.topics.get(int(name[:-5]))
                if topic is None or topic["deleted"]:
                    return _errors(404, "The requested URL or resource could not be found.", error_type="not_found")
                topic["deleted"] = True
                return 200, {}, b""
        return _errors(404, "The requested URL or resource could not be found.", error_type="not_found")

    def ok(self, value: Any) -> Answer:
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(value).encode()

    def create(self, body: dict[str, Any]) -> Answer:
        errors = []
        if len(body["title"].strip()) < 15:
            errors.append("Title must be at least 15 characters")
        if len(body["raw"].strip()) < 20:
            errors.append("Body must be at least 20 characters")
        if len(body["raw"]) > MAX_POST:
            errors.append(f"Body is limited to {MAX_POST} characters; you entered {len(body['raw'])}.")
        if any(t["title"] == body["title"] and not t["deleted"] for t in self.topics.values()):
            errors.append("Title has already been used")
        if errors:
            return _errors(422, *errors)
        if self.enqueue:
            return self.ok({"success": True, "action": "enqueued", "pending_post": {"id": 55, "raw": body["raw"]}})
        topic_id = self.topic(body["title"], body["raw"], USER, body.get("external_id"))
        self.topics[topic_id]["posts"][0]["_raw"] = body["raw"]  # kept, but not in the topic view
        self.creates += 1
        if self.stall_creates:
            self.release.wait(3)
        topic = self.topics[topic_id]
        first = topic["posts"][0]
        return self.ok({**first, "topic_id": topic_id, "topic_slug": topic["slug"], "raw": body["raw"]})

    def public(self, post: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in post.items() if not k.startswith("_")}

    def topic_view(self, topic_id: int) -> Answer:
        topic = self.topics.get(topic_id)
        if topic is None or topic["deleted"]:
            return _errors(404, "The requested URL or resource could not be found.", error_type="not_found")
        posts = topic["posts"]
        view = {k: v for k, v in topic.items() if k != "posts"}
        view["posts_count"] = len(posts)
        view["post_stream"] = {"posts": [self.public(p) for p in posts[:20]], "stream": [p["id"] for p in posts]}
        return self.ok(view)

    def some_posts(self, topic_id: int, ids: list[int]) -> Answer:
        posts = [self.public(p) for p in self.topics[topic_id]["posts"] if p["id"] in ids]
        return self.ok({"post_stream": {"posts": posts}, "id": topic_id})

    def latest(self, page: int) -> Answer:
        live = [t for t in self.topics.values() if not t["deleted"]]
        ordered = sorted(live, key=lambda t: (not t["pinned"], t["bumped_at"]), reverse=False)
        ordered = [t for t in ordered if t["pinned"]] + sorted(
            (t for t in ordered if not t["pinned"]), key=lambda t: t["bumped_at"], reverse=True
        )
        chunk = ordered[page * PAGE : (page + 1) * PAGE]
        topics = [{k: v for k, v in t.items() if k not in ("posts", "external_id")} for t in chunk]
        topic_list: dict[str, Any] = {"per_page": PAGE, "topics": topics}
        if len(ordered) > (page + 1) * PAGE:
            topic_list["more_topics_url"] = f"/c/team-learning/7/l/latest?page={page + 1}"
        return self.ok({"users": [], "topic_list": topic_list})

    def requests(self, method: str, path: str) -> list[Seen]:
        return matching(self.seen, method, path)


@pytest.fixture
def server() -> Iterator[FakeDiscourse]:
    fake = FakeDiscourse()
    with LocalServer(
        lambda seen, _h: fake.route(seen), methods=("GET", "POST", "PUT", "DELETE"), decode=json_or_none,
        log=fake.seen, release=fake.release,
    ) as local:  # fmt: skip
        fake.url = local.url
        yield fake


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 1))
    yield session
    session.close()


def connector(
    server: FakeDiscourse, http: InflowSession, state: dict[str, str] | None = None, *, key: str | None = KEY,
    username: str = USER, category: str = "team-learning",
) -> DiscourseConnector:  # fmt: skip
    target = Target("forum", "discourse", {"url": server.url, "category": category, "username": username})
    return DiscourseConnector(target, key, http, {} if state is None else state)


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "5d0c2a52-3b9e-4c1e-9a57-0a4b3c2d1e0f", "kind": "tip", "title": "Rebase your branches often",
        "body": "Use **rebase** — it keeps history *tidy*.", "url": "https://git-scm.com/docs/git-rebase",
        "tags": ("git", "workflow"), "created_at": "2024-03-01T09:30:00.000Z", "idempotency_key": "0b7c9a2ekey1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- posting


def test_send_creates_a_topic_with_our_external_id(server: FakeDiscourse, http: InflowSession) -> None:
    result = connector(server, http).send(moment())

    [seen] = server.requests("POST", "/posts.json")
    assert (seen.headers["api-key"], seen.headers["api-username"]) == (KEY, USER)
    assert seen.body == {
        "title": "Tip: Rebase your branches often",
        "raw": "Use **rebase** — it keeps history *tidy*.\n\nhttps://git-scm.com/docs/git-rebase\n\n#git #workflow",
        "category": 7,
        "external_id": "5d0c2a52-3b9e-4c1e-9a57-0a4b3c2d1e0f",
    }
    assert result.remote_id == "1"
    assert result.link == f"{server.url}/t/tip:-rebase-your-branches-often/1"


def test_a_short_title_and_post_are_completed_not_refused(server: FakeDiscourse, http: InflowSession) -> None:
    connector(server, http).send(moment(title="Vim", body="", url=None, tags=()))
    [seen] = server.requests("POST", "/posts.json")
    assert seen.body["title"] == "Tip: Vim (shared from Inflow)"
    assert seen.body["raw"] == "Tip: Vim — shared from Inflow."
    assert server.creates == 1


def test_a_huge_post_is_cut_with_a_pointer_and_a_long_title_shortened(
    server: FakeDiscourse, http: InflowSession
) -> None:
    connector(server, http).send(moment(title="word " * 80, body="lorem ipsum " * 5000))
    [seen] = server.requests("POST", "/posts.json")
    assert len(seen.body["raw"]) <= MAX_POST
    assert seen.body["raw"].endswith(TRUNCATED)
    assert len(seen.body["title"]) <= 255
    assert seen.body["title"].endswith("…")


def test_a_category_slug_is_resolved_once_and_kept(server: FakeDiscourse, http: InflowSession) -> None:
    state: dict[str, str] = {}
    connector(server, http, state).send(moment())
    connector(server, http, state).send(moment(moment_id="m-2", title="Another good tip here"))
    assert len(server.requests("GET", "/categories.json")) == 1
    assert state["category_id"] == "7"
    assert [s.body["category"] for s in server.requests("POST", "/posts.json")] == [7, 7]
    by_id = connector(server, http, category="7")
    by_id.send(moment(moment_id="m-3", title="A third good tip here"))
    assert len(server.requests("GET", "/c/7/show.json")) == 1


def test_edit_updates_the_first_post_and_the_title(server: FakeDiscourse, http: InflowSession) -> None:
    forum = connector(server, http)
    topic_id = forum.send(moment()).remote_id
    forum.edit(moment(title="Rebase your branches daily", body="Daily is best."), topic_id)
    first = server.topics[int(topic_id)]["posts"][0]
    [put] = server.requests("PUT", f"/posts/{first['id']}.json")
    assert put.body["post"]["raw"].startswith("Daily is best.")
    assert server.topics[int(topic_id)]["title"] == "Tip: Rebase your branches daily"


def test_retract_deletes_the_topic_once(server: FakeDiscourse, http: InflowSession) -> None:
    forum = connector(server, http)
    topic_id = forum.send(moment()).remote_id
    forum.retract(topic_id)
    forum.retract(topic_id)  # already gone: fine
    assert server.topics[int(topic_id)]["deleted"]


def test_a_post_held_for_approval_is_delivered_as_queued(server: FakeDiscourse, http: InflowSession) -> None:
    server.enqueue = True
    forum = connector(server, http)
    result = forum.send(moment())
    assert (result.remote_id, result.link) == ("queued:55", None)
    assert forum.fetch_replies(result.remote_id) == []
    assert failure(lambda: forum.edit(moment(), result.remote_id)).kind is ErrorKind.PERMANENT


# ---------------------------------------------------------------------- duplicates


def test_a_timeout_after_the_topic_was_created_does_not_create_twice(
    server: FakeDiscourse, http: InflowSession
) -> None:
    server.stall_creates = True
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    server.stall_creates = False

    result = connector(server, http).send(moment(attempts=1))

    assert server.creates == 1
    assert result.remote_id == "1"
    assert result.link == f"{server.url}/t/tip:-rebase-your-branches-often/1"
    assert len(server.requests("GET", f"/t/external_id/{moment().moment_id}.json")) == 1


def test_a_taken_title_is_our_topic_or_gets_a_distinct_title(server: FakeDiscourse, http: InflowSession) -> None:
    first = connector(server, http).send(moment())
    again = connector(server, http).send(moment())  # 422 title taken: ours, by external_id
    assert again == first
    assert server.creates == 1

    other = connector(server, http).send(replace(moment(), moment_id="another-moment"))
    assert other.remote_id != first.remote_id
    assert server.topics[int(other.remote_id)]["title"] == "Tip: Rebase your branches often (2024-03-01 09:30)"


def test_other_422s_are_permanent_with_the_forums_words(server: FakeDiscourse, http: InflowSession) -> None:
    server.fail_next.append(_errors(422, "Body seems unclear, is it a complete sentence?"))
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "Body seems unclear" in error.message


# ---------------------------------------------------------------------- replies


def test_fetch_replies_reads_the_whole_stream_in_chunks(server: FakeDiscourse, http: InflowSession) -> None:
    forum = connector(server, http)
    topic_id = int(forum.send(moment(kind="question", title="How do I squash commits?")).remote_id)
    for i in range(60):
        server.reply(topic_id, f"answer {i}", user="bob" if i % 2 else "carol")
    server.reply(topic_id, "", post_type=3, action_code="closed.enabled")
    server.reply(topic_id, "secret", post_type=4)
    server.reply(topic_id, "(post deleted by author)", user_deleted=True)
    server.reply(
        topic_id, "", cooked='<p><a class="attachment" href="/uploads/short-url/a.pdf">a.pdf</a> see &amp; ok</p>'
    )
    server.topics[topic_id]["posts"][5]["raw"] = "answer 4 **raw**"

    replies = forum.fetch_replies(str(topic_id))

    assert len(replies) == 61
    assert replies[0].body == "answer 0" and replies[0].author == "carol"
    assert replies[4].body == "answer 4 **raw**"
    assert replies[-1].body == "a.pdf see & ok"
    chunks = [s.query["post_ids[]"] for s in server.requests("GET", f"/t/{topic_id}/posts.json")]
    assert [len(c) for c in chunks] == [20, 20, 5]


def test_replies_of_a_deleted_topic_are_a_clear_permanent_error(server: FakeDiscourse, http: InflowSession) -> None:
    forum = connector(server, http)
    topic_id = forum.send(moment()).remote_id
    forum.retract(topic_id)
    error = failure(lambda: forum.fetch_replies(topic_id))
    assert error.kind is ErrorKind.PERMANENT
    assert f"The topic {topic_id} does not exist" in error.message


# ---------------------------------------------------------------------- feed


def test_feed_starts_at_the_newest_topic_then_reads_new_ones(server: FakeDiscourse, http: InflowSession) -> None:
    old = server.topic("About the Team learning category", "Share what you learn.", pinned=True)
    forum = connector(server, http)
    start = forum.fetch_feed(None)
    assert start.items == []
    assert start.cursor == server.topics[old]["created_at"]

    ours = forum.send(moment()).remote_id
    server.topic("Use ripgrep for searching code", "It is fast: https://github.com/BurntSushi/ripgrep")
    server.topic("Which Rust book should I read?", "Looking for one.", user="carol", tags=[{"name": "rust"}])
    upload = '<p><a class="attachment" href="/uploads/short-url/sheet.pdf">cheatsheet.pdf</a></p>'
    files = server.topic("Git cheat sheet", "", user="dave")
    server.topics[files]["posts"][0]["cooked"] = upload
    server.topic("Question: Tabs or spaces?", "Go.", user="erin", external_id="their-moment")
    server.reply(old, "a reply bumps an old topic")
    gone = server.topic("Posted by mistake", "oops")
    server.topics[gone]["deleted"] = True

    page = forum.fetch_feed(start.cursor)

    by_title = {item.title: item for item in page.items}
    assert list(by_title) == [
        "Rebase your branches often", "Use ripgrep for searching code", "Which Rust book should I read?",
        "Git cheat sheet", "Tabs or spaces?",
    ]  # fmt: skip
    echo = by_title["Rebase your branches often"]
    assert (echo.remote_id, echo.local_id, echo.kind, echo.author) == (ours, moment().moment_id, "tip", USER)
    tip = by_title["Use ripgrep for searching code"]
    assert (tip.kind, tip.author, tip.url, tip.local_id) == (
        "tip",
        "bob",
        "https://github.com/BurntSushi/ripgrep",
        None,
    )
    assert (by_title["Which Rust book should I read?"].kind, by_title["Which Rust book should I read?"].tags) == (
        "question", ("rust",),
    )  # fmt: skip
    sheet = by_title["Git cheat sheet"]
    assert (sheet.kind, sheet.url, sheet.body) == (
        "resource",
        f"{server.url}/uploads/short-url/sheet.pdf",
        "cheatsheet.pdf",
    )
    assert (by_title["Tabs or spaces?"].kind, by_title["Tabs or spaces?"].local_id) == ("question", None)
    assert forum.fetch_feed(page.cursor).items == []


def test_feed_pages_through_the_category_and_caps_each_fetch(server: FakeDiscourse, http: InflowSession) -> None:
    server.topic("The very first topic here", "Hello there, everyone.")
    forum = connector(server, http)
    cursor = forum.fetch_feed(None).cursor
    for i in range(25):
        server.topic(f"Colleague topic number {i:02d}", f"Body of topic {i}.")
    first = forum.fetch_feed(cursor)
    assert [item.title for item in first.items] == [f"Colleague topic number {i:02d}" for i in range(20)]
    pages = [s.query.get("page", ["0"])[0] for s in server.requests("GET", "/c/team-learning/7.json")]
    assert pages[-3:] == ["0", "1", "2"]
    rest = forum.fetch_feed(first.cursor)
    assert [item.title for item in rest.items] == [f"Colleague topic number {i:02d}" for i in range(20, 25)]


# ---------------------------------------------------------------------- failures, classified


@pytest.mark.parametrize(
    ("headers", "wait_seconds", "expected"),
    [({"Retry-After": "30"}, 12, 30), ({}, 12, 12), ({"Retry-After": "5"}, None, 5)],
)
def test_429_honours_retry_after_and_wait_seconds(
    server: FakeDiscourse, http: InflowSession, headers: dict[str, str], wait_seconds: int | None, expected: float
) -> None:
    extras = {"extras": {"wait_seconds": wait_seconds, "time_left": f"{wait_seconds} seconds"}} if wait_seconds else {}
    status, base, body = _errors(429, "You’ve performed this action too many times.", error_type="rate_limit", **extras)
    server.fail_next.append((status, {**base, **headers}, body))
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == expected


@pytest.mark.parametrize(
    "setup",
    [
        lambda s, h: connector(s, h, key="expired-key"),
        lambda s, h: connector(s, h, username="mallory"),
        lambda s, h: connector(s, h, key=None),
    ],
)
def test_a_bad_key_or_user_is_auth(
    server: FakeDiscourse, http: InflowSession, setup: Callable[[FakeDiscourse, InflowSession], DiscourseConnector]
) -> None:
    error = failure(lambda: setup(server, http).send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert server.creates == 0


def test_not_logged_in_and_no_current_user_are_auth(server: FakeDiscourse, http: InflowSession) -> None:
    server.fail_next.append(_errors(403, "You need to be logged in to do that.", error_type="not_logged_in"))
    assert failure(lambda: connector(server, http).send(moment())).kind is ErrorKind.AUTH
    server.fail_next.append((404, {}, b""))
    assert failure(connector(server, http).test).kind is ErrorKind.AUTH


def test_a_missing_category_is_permanent(server: FakeDiscourse, http: InflowSession) -> None:
    error = failure(lambda: connector(server, http, category="archived-stuff").send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "no category 'archived-stuff'" in error.message
    error = failure(lambda: connector(server, http, category="99").send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "does not exist" in error.message


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ((502, {"Content-Type": "text/html"}, b"<html><title>502 Bad Gateway</title></html>"), ErrorKind.TRANSIENT),
        ((200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html>Sign in via SSO</html>"), ErrorKind.TRANSIENT),
        ((200, {"Content-Type": "application/json"}, b'{"success": true}'), ErrorKind.TRANSIENT),
        ((400, {"Content-Type": "application/json"}, b'{"failed": "FAILED", "message": "??"}'), ErrorKind.PERMANENT),
        ((400, {"Content-Type": "application/json"}, b'{"errors": ["param is missing: raw"]}'), ErrorKind.PERMANENT),
    ],
)
def test_odd_answers_are_classified(
    server: FakeDiscourse, http: InflowSession, answer: Answer, kind: ErrorKind
) -> None:
    connector(server, http).test()  # the category is resolved and cached first
    server.fail_next.append(answer)
    error = failure(lambda: connector(server, http, {"category_setting": "team-learning", "category_id": "7",
                                                      "category_slug": "team-learning"}).send(moment()))  # fmt: skip
    assert error.kind is kind
    assert "127.0.0.1" in error.message or "param is missing" in error.message


def test_test_names_the_user_and_category(server: FakeDiscourse, http: InflowSession) -> None:
    assert connector(server, http).test() == "Signed in as alice; category Team learning is reachable"


def test_a_user_api_key_is_sent_without_a_username(server: FakeDiscourse, http: InflowSession) -> None:
    assert connector(server, http, username="").test().startswith("Signed in as alice")
    assert all("api-key" not in s.headers and s.headers["user-api-key"] == KEY for s in server.seen)


def test_registered_with_its_keys() -> None:
    assert connector_for("discourse") is CONNECTOR is DiscourseConnector
    assert [key.name for key in CONNECTOR.keys] == ["url", "category", "username"]
    assert CONNECTOR.can_edit and CONNECTOR.can_retract and CONNECTOR.can_pull
