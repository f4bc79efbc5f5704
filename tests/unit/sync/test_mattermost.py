"""The Mattermost connector against a loopback fake of the REST API v4 (stdlib http.server in a thread).

The fake follows api.mattermost.com: #tag/posts (Create a post: 201, `pending_post_id` remembered ~30 s and
500 `api.post.deduplicate_create_post.pending` while the first is being saved; Get a thread with
`perPage`/`fromPost`/`fromCreateAt`/`direction` and `has_next`; Get posts for a channel with `since` (capped
at 1,000) or `page`/`per_page` (max 200); Patch a post (403 for a deleted post); Delete a post (404 once
deleted)), #tag/users (Get a user "me", Get users by ids), #tag/channels (Get a channel, `delete_at` when
archived), the error object `{"id","message","request_id","status_code"}`, and developers.mattermost.com
"Rate limiting" (429, plain-text body, `X-Ratelimit-*` headers, no Retry-After).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.mattermost import CONNECTOR, MattermostConnector
from sync.connectors.mattermost.content import CONTINUED, MAX_MESSAGE, TRUNCATED
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from sync.registry import connector_for
from tests.unit.sync.local_server import LocalServer, json_or_none, matching
from tests.unit.sync.local_server import Request as Seen

TOKEN = "xoxmm-token-1"
CHANNEL = "c" * 26
ME = "u" * 26
BOB = "b" * 26
Answer = tuple[int, dict[str, str], bytes]


def _error(status: int, error_id: str, message: str) -> Answer:
    body = {"id": error_id, "message": message, "request_id": "r" * 26, "status_code": status}
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class FakeMattermost:
    url: str = ""
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=lambda: {ME: "inflow-bot", BOB: "bob"})
    channel: dict[str, Any] = field(
        default_factory=lambda: {"id": CHANNEL, "name": "learning", "display_name": "Learning", "delete_at": 0}
    )
    pending: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail_next: list[Answer] = field(default_factory=list)
    creates: int = 0
    max_message: int = MAX_MESSAGE
    stall_creates: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    clock: Iterator[int] = field(default_factory=lambda: itertools.count(1_700_000_000_000, 1000))
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, user: str = BOB, message: str = "", **fields: Any) -> dict[str, Any]:
        now = next(self.clock)
        post: dict[str, Any] = {
            "id": f"p{next(self.ids):025d}", "create_at": now, "update_at": now, "edit_at": 0, "delete_at": 0,
            "user_id": user, "channel_id": CHANNEL, "root_id": "", "message": message, "type": "", "props": {},
            "file_ids": [], "metadata": {},
        }  # fmt: skip
        post.update(fields)
        self.posts[post["id"]] = post
        return post

    def visible(self) -> list[dict[str, Any]]:
        return sorted((p for p in self.posts.values() if not p["delete_at"]), key=lambda p: -p["create_at"])

    def route(self, seen: Seen) -> Answer:
        if self.fail_next:
            return self.fail_next.pop(0)
        if seen.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, "api.context.session_expired.app_error", "Invalid or expired session, please login.")
        parts = urlsplit(seen.path).path.removeprefix("/api/v4").strip("/").split("/")
        q = {k: v[0] for k, v in seen.query.items()}
        match seen.method, parts:
            case "GET", ["users", "me"]:
                return self.ok({"id": ME, "username": self.users[ME]})
            case "POST", ["users", "ids"]:
                return self.ok([{"id": uid, "username": self.users[uid]} for uid in seen.body if uid in self.users])
            case "GET", ["channels", channel_id] if channel_id == CHANNEL:
                return self.ok(self.channel)
            case "GET", ["channels", channel_id, "posts"] if channel_id == CHANNEL:
                return self.channel_posts(q)
            case "GET", ["channels", *_]:
                return _error(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.")
            case "POST", ["posts"]:
                return self.create(seen.body)
            case "GET", ["posts", post_id, "thread"]:
                return self.thread(post_id, q)
            case "PUT", ["posts", post_id, "patch"]:
                post = self.posts.get(post_id)
                if post is None or post["delete_at"]:
                    return _error(
                        403, "api.context.permissions.app_error", "You do not have the appropriate permissions."
                    )
                post.update({k: v for k, v in seen.body.items() if k in ("message", "props")})
                post["edit_at"] = post["update_at"] = next(self.clock)
                return self.ok(post)
            case "DELETE", ["posts", post_id]:
                post = self.posts.get(post_id)
                if post is None or post["delete_at"]:
                    return _error(404, "app.post.get.app_error", "Unable to get the post.")
                post["delete_at"] = post["update_at"] = next(self.clock)
                return self.ok({"status": "OK"})
        return _error(404, "api.context.404.app_error", "Sorry, we could not find the page.")

    def ok(self, value: Any, status: int = 200) -> Answer:
        return status, {"Content-Type": "application/json"}, json.dumps(value).encode()

    def post_list(self, posts: list[dict[str, Any]], **extra: Any) -> Answer:
        return self.ok({"order": [p["id"] for p in posts], "posts": {p["id"]: p for p in posts}, **extra})

    def create(self, body: dict[str, Any]) -> Answer:
        if self.channel["delete_at"]:
            return _error(400, "api.post.create_post.can_not_post_to_deleted.error", "Can not post to deleted channel.")
        if body.get("channel_id") != CHANNEL:
            return _error(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")
        if len(body.get("message", "")) > self.max_message:
            return _error(400, "model.post.is_valid.msg.app_error", "Invalid message.")
        pending = body.get("pending_post_id", "")
        if pending in self.pending:
            if self.pending[pending] == "":
                return _error(500, "api.post.deduplicate_create_post.pending", "Post rejected: still being saved.")
            return self.ok(self.posts[self.pending[pending]], 201)
        fields = {k: body[k] for k in ("root_id", "props") if k in body}
        post = self.add(ME, body.get("message", ""), **fields)
        self.creates += 1
        if pending:
            self.pending[pending] = post["id"]
        if self.stall_creates:
            self.release.wait(3)  # past the client's 1 s read timeout: the post exists, the answer is late
        return self.ok(post, 201)

    def channel_posts(self, q: dict[str, str]) -> Answer:
        if "since" in q:
            since = int(q["since"])
            changed = sorted((p for p in self.posts.values() if p["update_at"] > since), key=lambda p: -p["create_at"])
            return self.post_list(changed[:1000])
        page, per_page = int(q.get("page", 0)), min(int(q.get("per_page", 60)), 200)
        return self.post_list(self.visible()[page * per_page : (page + 1) * per_page])

    def thread(self, post_id: str, q: dict[str, str]) -> Answer:
        root = self.posts.get(post_id)
        if root is None or root["delete_at"]:
            return _error(404, "app.post.get.app_error", "Unable to get the post.")
        replies = sorted(
            (p for p in self.posts.values() if p["root_id"] == post_id and not p["delete_at"]),
            key=lambda p: (p["create_at"], p["id"]),
        )
        per_page = int(q.get("perPage", 0))
        if not per_page:
            return self.post_list([root, *replies])
        after = (int(q.get("fromCreateAt", 0)), q.get("fromPost", ""))
        if q.get("fromPost"):
            replies = [p for p in replies if (p["create_at"], p["id"]) > after]
        page = replies[:per_page]
        return self.post_list([root, *page], has_next=len(replies) > per_page)

    def requests(self, method: str, path: str) -> list[Seen]:
        return matching(self.seen, method, path)


@pytest.fixture
def server() -> Iterator[FakeMattermost]:
    fake = FakeMattermost()
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
    server: FakeMattermost, http: InflowSession, state: dict[str, str] | None = None, token: str | None = TOKEN
) -> MattermostConnector:
    target = Target("mm", "mattermost", {"url": server.url + "/", "channel_id": CHANNEL})
    return MattermostConnector(target, token, http, {} if state is None else state)


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "5d0c2a52-3b9e-4c1e-9a57-0a4b3c2d1e0f", "kind": "tip", "title": "Rebase often",
        "body": "Use **rebase** — it's *tidy*.", "url": "https://git-scm.com/docs/git-rebase",
        "tags": ("git", "workflow"), "created_at": "2023-11-14T22:13:00.000Z", "idempotency_key": "0b7c9a2ekey1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- posting


def test_send_posts_markdown_with_props_and_the_idempotency_key(server: FakeMattermost, http: InflowSession) -> None:
    result = connector(server, http).send(moment())

    [seen] = server.requests("POST", "/api/v4/posts")
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.body == {
        "channel_id": CHANNEL,
        "message": "**Tip: Rebase often**\n\nUse **rebase** — it's *tidy*.\n\nhttps://git-scm.com/docs/git-rebase\n\n"
        "#git #workflow",
        "props": {
            "inflow_local_id": "5d0c2a52-3b9e-4c1e-9a57-0a4b3c2d1e0f", "inflow_kind": "tip",
            "inflow_title": "Rebase often", "inflow_url": "https://git-scm.com/docs/git-rebase",
            "inflow_tags": ["git", "workflow"],
        },
        "pending_post_id": "0b7c9a2ekey1",
    }  # fmt: skip
    post_id = next(iter(server.posts))
    assert result.remote_id == post_id
    assert result.link == f"{server.url}/_redirect/pl/{post_id}"


def test_the_same_pending_post_id_posts_once(server: FakeMattermost, http: InflowSession) -> None:
    first = connector(server, http).send(moment())
    again = connector(server, http).send(moment())  # a crash before the result was recorded
    assert first == again
    assert server.creates == 1


def test_a_long_message_becomes_a_root_post_and_continuation_replies(
    server: FakeMattermost, http: InflowSession
) -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 150 for i in range(60)]  # ~46k characters
    result = connector(server, http).send(moment(body="\n\n".join(paragraphs)))

    root = server.posts[result.remote_id]
    parts = [p for p in server.posts.values() if p["root_id"] == result.remote_id]
    assert len(parts) == 2
    assert all(len(p["message"]) <= MAX_MESSAGE for p in [root, *parts])
    assert root["message"].endswith(CONTINUED)
    assert [p["props"]["inflow_part"] for p in parts] == [2, 3]
    text = root["message"] + "".join(p["message"] for p in parts)
    assert all(f"Paragraph {i}:" in text for i in range(60))
    assert connector(server, http).fetch_replies(result.remote_id) == []  # our parts are no replies


def test_a_huge_message_is_cut_with_a_pointer_never_refused(server: FakeMattermost, http: InflowSession) -> None:
    result = connector(server, http).send(moment(body="x " * 200_000))
    parts = [server.posts[result.remote_id]] + [p for p in server.posts.values() if p["root_id"]]
    assert len(parts) == 4
    assert all(len(p["message"]) <= MAX_MESSAGE for p in parts)
    assert parts[-1]["message"].endswith(TRUNCATED)


def test_a_server_on_the_old_4000_rune_schema_gets_shorter_parts(server: FakeMattermost, http: InflowSession) -> None:
    server.max_message = 4000
    state: dict[str, str] = {}
    result = connector(server, http, state).send(moment(body="word " * 2000))
    assert state["max_message"] == "4000"
    assert all(len(p["message"]) <= 4000 for p in server.posts.values())
    assert len([p for p in server.posts.values() if p["root_id"] == result.remote_id]) == 2


def test_edit_patches_the_message_and_props(server: FakeMattermost, http: InflowSession) -> None:
    mm = connector(server, http)
    post_id = mm.send(moment()).remote_id
    mm.edit(moment(title="Rebase very often"), post_id)
    [seen] = server.requests("PUT", f"/api/v4/posts/{post_id}/patch")
    assert seen.body["message"].startswith("**Tip: Rebase very often**")
    assert server.posts[post_id]["props"]["inflow_title"] == "Rebase very often"


def test_retract_deletes_and_a_second_retract_is_harmless(server: FakeMattermost, http: InflowSession) -> None:
    mm = connector(server, http)
    post_id = mm.send(moment()).remote_id
    mm.retract(post_id)
    mm.retract(post_id)  # 404 once deleted: already done
    assert server.posts[post_id]["delete_at"] > 0
    error = failure(lambda: mm.edit(moment(), post_id))
    assert error.kind is ErrorKind.PERMANENT
    assert post_id in error.message


# ---------------------------------------------------------------------- duplicates after ambiguous failures


def test_a_timeout_after_the_post_was_stored_does_not_post_twice(server: FakeMattermost, http: InflowSession) -> None:
    server.stall_creates = True
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.message == "127.0.0.1 did not answer in time"
    server.stall_creates = False
    server.pending.clear()  # the 30 s dedupe window has passed

    result = connector(server, http).send(moment(attempts=1))

    assert server.creates == 1
    assert result.remote_id == next(iter(server.posts))
    lookups = server.requests("GET", f"/api/v4/channels/{CHANNEL}/posts")
    assert lookups[0].query["per_page"] == ["200"]


def test_the_lookup_pages_through_a_busy_channel(server: FakeMattermost, http: InflowSession) -> None:
    ours = connector(server, http).send(moment()).remote_id
    for i in range(450):
        server.add(BOB, f"chatter {i}")
    server.pending.clear()
    result = connector(server, http).send(moment(attempts=2))
    assert result.remote_id == ours
    assert server.creates == 1
    pages = [s.query["page"][0] for s in server.requests("GET", f"/api/v4/channels/{CHANNEL}/posts")]
    assert pages == ["0", "1", "2"]


def test_a_retry_completes_missing_continuations_only(server: FakeMattermost, http: InflowSession) -> None:
    long = moment(body="\n\n".join("line " * 200 for _ in range(30)))  # ~30k: a root and one part
    rate_limited = (429, {"X-Ratelimit-Reset": "2", "Content-Type": "text/plain"}, b"limit exceeded\n")
    original = server.create

    def limited_parts(body: dict[str, Any]) -> Answer:
        return rate_limited if body.get("root_id") else original(body)

    server.create = limited_parts  # type: ignore[method-assign]
    assert failure(lambda: connector(server, http).send(long)).retry_after == 2
    server.create = original  # type: ignore[method-assign]

    result = connector(server, http).send(replace_attempts(long, 1))
    roots = [p for p in server.posts.values() if not p["root_id"]]
    parts = [p for p in server.posts.values() if p["root_id"] == result.remote_id]
    assert [r["id"] for r in roots] == [result.remote_id]
    assert len(parts) == 1


def replace_attempts(m: OutgoingMoment, attempts: int) -> OutgoingMoment:
    from dataclasses import replace

    return replace(m, attempts=attempts)


def test_a_repeat_while_the_first_is_still_saving_retries_shortly(server: FakeMattermost, http: InflowSession) -> None:
    server.pending["0b7c9a2ekey1"] = ""  # the first request is still being saved
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 2.0
    assert "still saving" in error.message


# ---------------------------------------------------------------------- replies


def test_fetch_replies_pages_a_huge_thread_and_names_authors(server: FakeMattermost, http: InflowSession) -> None:
    root = connector(server, http).send(moment(kind="question", title="How do I squash?")).remote_id
    for i in range(450):
        server.add(BOB, f"answer {i}", root_id=root)
    server.add(BOB, "", root_id=root, file_ids=["f1"], metadata={"files": [{"id": "f1", "name": "squash.png"}]})
    server.add(BOB, "bob joined", root_id=root, type="system_join_channel")
    server.add(BOB, "oops", root_id=root, delete_at=next(server.clock))

    replies = connector(server, http).fetch_replies(root)

    assert [r.body for r in replies[:2]] == ["answer 0", "answer 1"]
    assert len(replies) == 451
    assert replies[-1].body == "Attached: squash.png"
    assert {r.author for r in replies} == {"bob"}
    assert replies[0].created_at.endswith("Z")
    thread_calls = server.requests("GET", f"/api/v4/posts/{root}/thread")
    assert len(thread_calls) == 3
    assert thread_calls[0].query["perPage"] == ["200"]
    assert len(server.requests("POST", "/api/v4/users/ids")) == 1


def test_replies_to_a_deleted_thread_are_a_clear_permanent_error(server: FakeMattermost, http: InflowSession) -> None:
    mm = connector(server, http)
    root = mm.send(moment()).remote_id
    mm.retract(root)
    error = failure(lambda: mm.fetch_replies(root))
    assert error.kind is ErrorKind.PERMANENT
    assert f"The post {root} does not exist" in error.message


# ---------------------------------------------------------------------- feed


def test_feed_starts_at_the_newest_post_then_reads_colleagues_root_posts(
    server: FakeMattermost, http: InflowSession
) -> None:
    old = server.add(BOB, "Old news")
    mm = connector(server, http)
    start = mm.fetch_feed(None)
    assert start.items == []
    assert start.cursor == str(old["create_at"])

    ours = mm.send(moment()).remote_id
    server.add(BOB, "Use ripgrep\nIt is *fast*: https://github.com/BurntSushi/ripgrep")
    server.add(BOB, "Anyone know a good Rust book?")
    server.add(BOB, "", file_ids=["f1"], metadata={"files": [{"id": "f1", "name": "cheatsheet.pdf"}]})
    server.add(BOB, "a reply", root_id=ours)
    server.add(BOB, "bob joined the channel", type="system_join_channel")
    server.add(BOB, "regretted", delete_at=next(server.clock))
    marker = {
        "inflow_local_id": "other-moment",
        "inflow_kind": "resource",
        "inflow_title": "The Book",
        "inflow_url": "",
    }
    server.add(BOB, "**Resource: The Book**\n\nRead it.", props=marker)
    old["message"], old["update_at"] = "Old news (edited)", next(server.clock)

    page = mm.fetch_feed(start.cursor)

    by_title = {item.title: item for item in page.items}
    assert list(by_title) == [
        "Rebase often", "Use ripgrep", "Anyone know a good Rust book?", "Shared file: cheatsheet.pdf", "The Book",
    ]  # fmt: skip
    echo = page.items[0]
    assert (echo.remote_id, echo.local_id, echo.kind) == (ours, moment().moment_id, "tip")
    assert (echo.body, echo.url, echo.tags) == ("Use **rebase** — it's *tidy*.", moment().url, ("git", "workflow"))
    tip = by_title["Use ripgrep"]
    assert (tip.kind, tip.author, tip.url, tip.local_id) == (
        "tip",
        "bob",
        "https://github.com/BurntSushi/ripgrep",
        None,
    )
    assert by_title["Anyone know a good Rust book?"].kind == "question"
    file_item = by_title["Shared file: cheatsheet.pdf"]
    assert file_item.kind == "resource"
    assert file_item.url is not None and file_item.url.startswith(f"{server.url}/_redirect/pl/")
    colleague_inflow = by_title["The Book"]
    assert (colleague_inflow.kind, colleague_inflow.body, colleague_inflow.local_id) == ("resource", "Read it.", None)
    assert int(page.cursor or 0) == max(p["update_at"] for p in server.posts.values())
    assert mm.fetch_feed(page.cursor).items == []


def test_feed_pages_when_since_hits_its_cap(server: FakeMattermost, http: InflowSession) -> None:
    server.add(BOB, "before")
    mm = connector(server, http)
    cursor = mm.fetch_feed(None).cursor
    for i in range(1100):
        server.add(BOB, f"post {i}")
    page = mm.fetch_feed(cursor)
    assert len(page.items) == 1100
    assert [item.title for item in page.items[:2]] == ["post 0", "post 1"]
    paged = [s for s in server.requests("GET", f"/api/v4/channels/{CHANNEL}/posts") if "page" in s.query]
    assert len(paged) == 6


# ---------------------------------------------------------------------- failures, classified


def test_429_honours_x_ratelimit_reset(server: FakeMattermost, http: InflowSession) -> None:
    headers = {"Content-Type": "text/plain", "X-Ratelimit-Limit": "10", "X-Ratelimit-Remaining": "0"}
    server.fail_next.append((429, {**headers, "X-Ratelimit-Reset": "7"}, b"limit exceeded\n"))
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 7
    assert server.creates == 0


@pytest.mark.parametrize("token", ["expired-token", None, ""])
def test_a_rejected_or_missing_token_is_auth(server: FakeMattermost, http: InflowSession, token: str | None) -> None:
    error = failure(lambda: connector(server, http, token=token).send(moment()))
    assert error.kind is ErrorKind.AUTH
    if token:
        assert "Invalid or expired session" in error.message
    else:
        assert server.seen == []


def test_no_permission_is_permanent(server: FakeMattermost, http: InflowSession) -> None:
    server.fail_next.append(_error(403, "api.context.permissions.app_error", "You do not have the permissions."))
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert error.message.startswith(f"No permission to post in the channel {CHANNEL}")


def test_an_archived_channel_is_permanent_and_test_says_so(server: FakeMattermost, http: InflowSession) -> None:
    server.channel["delete_at"] = 1
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "archived" in error.message
    assert "archived" in failure(connector(server, http).test).message


def test_a_missing_channel_is_permanent(server: FakeMattermost, http: InflowSession) -> None:
    target = Target("mm", "mattermost", {"url": server.url, "channel_id": "gone" * 6 + "xx"})
    error = failure(MattermostConnector(target, TOKEN, http, {}).test)
    assert error.kind is ErrorKind.PERMANENT
    assert "does not exist" in error.message


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ((502, {"Content-Type": "text/html"}, b"<html><title>502 Bad Gateway</title></html>"), ErrorKind.TRANSIENT),
        ((201, {"Content-Type": "text/html"}, b"<html>login portal</html>"), ErrorKind.TRANSIENT),
        ((503, {}, b""), ErrorKind.TRANSIENT),
        ((400, {"Content-Type": "application/json"}, b'{"weird": ["shape"]}'), ErrorKind.PERMANENT),
        ((418, {"Content-Type": "application/json"}, b'{"id": "x.y", "message": "teapot"}'), ErrorKind.PERMANENT),
    ],
)
def test_odd_answers_are_classified(
    server: FakeMattermost, http: InflowSession, answer: Answer, kind: ErrorKind
) -> None:
    server.fail_next.append(answer)
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is kind
    assert "127.0.0.1" in error.message or "teapot" in error.message


def test_test_signs_in_and_reads_the_channel(server: FakeMattermost, http: InflowSession) -> None:
    assert connector(server, http).test() == "Signed in as @inflow-bot; channel Learning is reachable"
    assert [urlsplit(s.path).path for s in server.seen] == ["/api/v4/users/me", f"/api/v4/channels/{CHANNEL}"]


def test_registered_with_its_keys() -> None:
    assert connector_for("mattermost") is CONNECTOR is MattermostConnector
    assert [key.name for key in CONNECTOR.keys] == ["url", "channel_id"]
    assert CONNECTOR.can_edit and CONNECTOR.can_retract and CONNECTOR.can_pull
