"""The Slack (bot token, Web API) connector against a loopback fake of the Web API.

The fake follows the documented requests and answers (and ../shared/docs/BACKENDS.md, "Slack"):
api.slack.com/methods/chat.postMessage, /chat.update, /chat.delete, /chat.getPermalink, /auth.test,
/conversations.info, /conversations.list, /conversations.history, /conversations.replies;
api.slack.com/web#responses (HTTP 200 `{"ok": false, "error"}`), api.slack.com/apis/rate-limits (429 +
Retry-After, `ratelimited`), api.slack.com/apis/pagination (cursor, response_metadata.next_cursor),
api.slack.com/metadata (message metadata, include_all_metadata), api.slack.com/reference/block-kit/blocks
(50 blocks, 3,000 characters per section text, header 150), api.slack.com/reference/surfaces/formatting
(mrkdwn, escaping &, <, >), api.slack.com/events/message (subtypes: message_deleted, tombstone, bot_message,
file_share, channel_join; `edited`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.slack import CONNECTOR, SlackConnector
from sync.connectors.slack import connector as slack_module
from sync.connectors.slack.content import blocks, from_mrkdwn
from sync.connectors.slack.markdown import SLACK, TRUNCATED, render_markdown
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync.local_server import Answer, LocalServer, Request

TOKEN = "xoxb-1-good"
CHANNEL = "C0LEARN"
BOT = "U0BOT"

# ---------------------------------------------------------------------- a loopback Slack


@dataclass
class Call:
    verb: str
    method: str
    headers: dict[str, str]
    params: dict[str, str]
    body: dict[str, Any] | None


Override = Callable[[Call], tuple[int, dict[str, str], bytes] | None]


@dataclass
class FakeSlack:
    url: str = ""
    token: str = TOKEN
    token_error: str = "invalid_auth"
    messages: list[dict[str, Any]] = field(default_factory=list)  # the channel, oldest first
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # parent ts -> replies, oldest first
    archived: bool = False
    member: bool = True
    deleted_threads: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    overrides: dict[str, Override] = field(default_factory=dict)
    stall_post: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    page_cap: int = 200
    clock: int = 1_700_000_000

    def posts(self) -> list[Call]:
        return [c for c in self.calls if c.method == "chat.postMessage"]

    def next_ts(self) -> str:
        self.clock += 1
        return f"{self.clock}.{self.clock % 1000:06d}"

    def add(self, **message: Any) -> dict[str, Any]:
        message.setdefault("type", "message")
        message.setdefault("ts", self.next_ts())
        self.messages.append(message)
        return message

    # --- the API
    def handle(self, call: Call) -> tuple[int, dict[str, str], bytes] | None:
        self.calls.append(call)
        if call.method in self.overrides:
            answer = self.overrides[call.method](call)
            if answer is not None:
                return answer
        if call.headers.get("authorization") != f"Bearer {self.token}":
            return _ok_false(self.token_error)
        handler = getattr(self, "api_" + call.method.replace(".", "_"), None)
        if handler is None:
            return 404, {"Content-Type": "application/json"}, b'{"ok":false,"error":"unknown_method"}'
        result: dict[str, Any] = handler(call)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(result).encode()

    def _channel_problem(self, channel: str | None) -> dict[str, Any] | None:
        if channel != CHANNEL:
            return {"ok": False, "error": "channel_not_found"}
        if self.archived:
            return {"ok": False, "error": "is_archived"}
        if not self.member:
            return {"ok": False, "error": "not_in_channel"}
        return None

    def api_auth_test(self, _call: Call) -> dict[str, Any]:
        return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "inflow", "team_id": "T1",
                "user_id": BOT, "bot_id": "B0BOT"}  # fmt: skip

    def api_conversations_info(self, call: Call) -> dict[str, Any]:
        if call.params.get("channel") != CHANNEL:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": CHANNEL, "name": "learning", "is_channel": True,
                                        "is_archived": self.archived, "is_member": self.member}}  # fmt: skip

    def api_conversations_list(self, call: Call) -> dict[str, Any]:
        channels = [{"id": f"C{n:07d}", "name": f"other-{n}"} for n in range(150)] + [
            {"id": CHANNEL, "name": "learning"}
        ]
        return self._page(channels, call, "channels")

    def api_chat_postMessage(self, call: Call) -> dict[str, Any]:
        body = call.body or {}
        problem = self._channel_problem(body.get("channel"))
        if problem:
            return problem
        if len(body.get("text", "")) > 40_000:
            return {"ok": False, "error": "msg_too_long"}
        items = body.get("blocks") or []
        too_long = any(len(b.get("text", {}).get("text", "")) > 3000 for b in items if b["type"] == "section")
        if len(items) > 50 or too_long:
            return {"ok": False, "error": "invalid_blocks"}
        stored = self.add(user=BOT, bot_id="B0BOT", text=body["text"], blocks=items, metadata=body.get("metadata"))
        if self.stall_post:
            self.release.wait(3)  # longer than the client's 1 s read timeout: the post is made, the answer lost
        return {"ok": True, "channel": CHANNEL, "ts": stored["ts"], "message": stored}

    def api_chat_update(self, call: Call) -> dict[str, Any]:
        body = call.body or {}
        for message in self.messages:
            if message["ts"] == body.get("ts"):
                message.update(text=body["text"], blocks=body.get("blocks"), edited={"user": BOT, "ts": "1"})
                return {"ok": True, "channel": CHANNEL, "ts": message["ts"], "text": body["text"]}
        return {"ok": False, "error": "message_not_found"}

    def api_chat_delete(self, call: Call) -> dict[str, Any]:
        body = call.body or {}
        for message in self.messages:
            if message["ts"] == body.get("ts"):
                self.messages.remove(message)
                return {"ok": True, "channel": CHANNEL, "ts": message["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def api_chat_getPermalink(self, call: Call) -> dict[str, Any]:
        ts = call.params["message_ts"].replace(".", "")
        return {"ok": True, "channel": CHANNEL, "permalink": f"https://acme.slack.com/archives/{CHANNEL}/p{ts}"}

    def api_conversations_history(self, call: Call) -> dict[str, Any]:
        problem = self._channel_problem(call.params.get("channel"))
        if problem:
            return problem
        oldest = float(call.params.get("oldest", "0"))
        visible = [m for m in reversed(self.messages) if float(m["ts"]) > oldest]  # newest first
        if call.params.get("include_all_metadata") != "true":
            visible = [{k: v for k, v in m.items() if k != "metadata"} for m in visible]
        return self._page(visible, call, "messages")

    def api_conversations_replies(self, call: Call) -> dict[str, Any]:
        problem = self._channel_problem(call.params.get("channel"))
        if problem:
            return problem
        ts = call.params["ts"]
        parent = next((m for m in self.messages if m["ts"] == ts), None)
        if ts in self.deleted_threads or parent is None:
            return {"ok": False, "error": "thread_not_found"}
        thread = [parent, *self.replies.get(ts, [])]
        return self._page(thread, call, "messages")

    def _page(self, items: list[dict[str, Any]], call: Call, key: str) -> dict[str, Any]:
        start = int(call.params.get("cursor", "offset:0").split(":")[1])
        size = min(int(call.params.get("limit", "100")), self.page_cap)
        chunk = items[start : start + size]
        more = start + size < len(items)
        meta = {"next_cursor": f"offset:{start + size}" if more else ""}
        return {"ok": True, key: chunk, "has_more": more, "response_metadata": meta}


def _ok_false(code: str, status: int = 200, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps({"ok": False, "error": code}).encode(),
    )


@pytest.fixture
def api() -> Iterator[FakeSlack]:
    fake = FakeSlack()

    def serve(seen: Request, _h: object) -> Answer | None:
        body = json.loads(seen.raw) if seen.raw and "json" in seen.headers.get("content-type", "") else None
        method = urlsplit(seen.path).path.removeprefix("/api/")
        return fake.handle(Call(seen.method, method, seen.headers, seen.params, body))

    with LocalServer(serve, methods=("GET", "POST"), release=fake.release) as server:
        fake.url = f"{server.url}/api"
        yield fake


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 1))
    yield session
    session.close()


def connector(
    api: FakeSlack, http: InflowSession, *, token: str | None = TOKEN, channel: str = CHANNEL,
    state: dict[str, str] | None = None,
) -> SlackConnector:  # fmt: skip
    made = SlackConnector(
        Target("team", "slack", {"url": api.url, "channel": channel}), token, http, {} if state is None else state
    )
    made.sleep = lambda _seconds: None  # pacing has its own test
    return made


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "m-1", "kind": "tip", "title": "Rebase often",
        "body": "Use **rebase** & keep _history_ tidy: see [the docs](https://git-scm.com/docs).\n\n- one\n- two",
        "url": "https://git-scm.com/docs/git-rebase", "tags": ("git", "workflow"),
        "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": "key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- posting


def test_the_module_exposes_the_connector() -> None:
    assert CONNECTOR is SlackConnector
    assert CONNECTOR.kind == "slack"
    assert CONNECTOR.can_edit and CONNECTOR.can_retract and CONNECTOR.can_pull
    assert [key.name for key in CONNECTOR.keys] == ["url", "channel"]
    assert not CONNECTOR.keys[0].required


def test_send_posts_blocks_text_and_metadata(api: FakeSlack, http: InflowSession) -> None:
    result = connector(api, http).send(moment())

    post = api.posts()[0]
    assert post.verb == "POST"
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["content-type"].startswith("application/json")
    body = post.body
    assert body is not None
    assert body["channel"] == CHANNEL
    assert body["metadata"] == {
        "event_type": "learning_moment",
        "event_payload": {"local_id": "m-1", "kind": "tip", "title": "Rebase often",
                          "url": "https://git-scm.com/docs/git-rebase", "tags": ["git", "workflow"]},
    }  # fmt: skip
    assert body["text"] == (
        "*Tip: Rebase often*\n\n"
        "Use *rebase* &amp; keep _history_ tidy: see <https://git-scm.com/docs|the docs>.\n\n• one\n• two\n\n"
        "<https://git-scm.com/docs/git-rebase>\n\n#git #workflow"
    )
    assert body["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "Tip: Rebase often", "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text":
            "Use *rebase* &amp; keep _history_ tidy: see <https://git-scm.com/docs|the docs>.\n\n• one\n• two"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "<https://git-scm.com/docs/git-rebase>"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "#git #workflow"}]},
    ]  # fmt: skip
    ts = api.messages[0]["ts"]
    assert result.remote_id == ts
    assert result.link == f"https://acme.slack.com/archives/{CHANNEL}/p{ts.replace('.', '')}"
    assert [c.method for c in api.calls] == ["chat.postMessage", "chat.getPermalink"]


def test_markdown_becomes_mrkdwn() -> None:
    text = (
        "# Heading\n\nA **bold**, *italic*, ~~gone~~ and `x < y` [link](https://e.com/a|b) <not html>\n"
        "next line\n\n1. first\n2. second\n   - nested\n\n> quoted\n\n```\nif a < b:\n    pass\n```"
    )
    assert render_markdown(text, SLACK) == (
        "*Heading*\n\n"
        "A *bold*, _italic_, ~gone~ and `x &lt; y` <https://e.com/a%7Cb|link> &lt;not html&gt;\nnext line\n\n"
        "1. first\n2. second\n    • nested\n\n"
        "> quoted\n\n"
        "```\nif a &lt; b:\n    pass\n```"
    )
    assert from_mrkdwn("see <https://e.com|the site>, <@U1>, <#C1|general> &amp; <!here>") == (
        "see [the site](https://e.com), @U1, #general & @here"
    )


def test_a_long_body_is_split_into_sections_then_cut_with_a_pointer() -> None:
    paragraph = "word " * 500  # 2,500 characters
    long_body = "\n\n".join(paragraph.strip() for _ in range(100))  # ~250,000 characters
    result = blocks(moment(body=long_body))
    assert len(result) == 50
    sections = [b for b in result if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert sections[-2]["text"]["text"].endswith(TRUNCATED)  # the last section is the link
    huge_header = blocks(moment(title="t" * 400))[0]
    assert len(huge_header["text"]["text"]) == 150


def test_a_huge_moment_is_posted_within_the_limits(api: FakeSlack, http: InflowSession) -> None:
    body = "\n\n".join(("lorem ipsum " * 200).strip() for _ in range(100))
    connector(api, http).send(moment(body=body))  # the fake refuses msg_too_long / invalid_blocks
    posted = api.posts()[0].body
    assert posted is not None
    assert len(posted["text"]) <= 40_000
    assert posted["text"].endswith(TRUNCATED)


def test_edit_updates_and_retract_deletes(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    ts = slack.send(moment()).remote_id
    slack.edit(moment(title="Rebase sometimes"), ts)
    update = next(c for c in api.calls if c.method == "chat.update").body
    assert update is not None
    assert update["ts"] == ts
    assert update["channel"] == CHANNEL
    assert update["text"].startswith("*Tip: Rebase sometimes*")
    assert update["metadata"]["event_payload"]["title"] == "Rebase sometimes"
    slack.retract(ts)
    assert api.messages == []
    slack.retract(ts)  # already gone: message_not_found is what we wanted
    error = failure(lambda: slack.edit(moment(), ts))
    assert error.kind is ErrorKind.PERMANENT
    assert "no longer exists" in error.message


def test_posts_to_one_channel_are_paced_to_one_per_second(api: FakeSlack, http: InflowSession) -> None:
    now = [1000.0]
    slept: list[float] = []
    slack = connector(api, http)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    slack.clock = lambda: now[0]
    slack.sleep = sleep
    slack.send(moment())
    now[0] += 0.25
    slack.send(moment(moment_id="m-2"))
    assert slept == [pytest.approx(0.75)]
    now[0] += 5
    slack.send(moment(moment_id="m-3"))
    assert len(slept) == 1
    slack_module._LAST_WRITE.clear()


def test_a_channel_name_is_resolved_once_through_paginated_conversations_list(
    api: FakeSlack, http: InflowSession
) -> None:
    api.page_cap = 100
    state: dict[str, str] = {}
    slack = connector(api, http, channel="#learning", state=state)
    slack.send(moment())
    slack.send(moment(moment_id="m-2"))
    assert [c.method for c in api.calls].count("conversations.list") == 2  # two pages, once
    assert state == {"channel_name": "#learning", "channel_id": CHANNEL}
    error = failure(lambda: connector(api, http, channel="#nope").send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "#nope" in error.message


# ---------------------------------------------------------------------- duplicates after an ambiguous failure


def test_an_ambiguous_failure_is_not_posted_twice(api: FakeSlack, http: InflowSession) -> None:
    api.stall_post = True
    first = failure(lambda: connector(api, http).send(moment()))
    assert first.kind is ErrorKind.TRANSIENT
    assert first.message == "127.0.0.1 did not answer in time"
    api.stall_post = False
    api.add(user="U0BOB", text="unrelated")  # the history moved on meanwhile

    result = connector(api, http).send(moment(attempts=1))

    assert len(api.posts()) == 1
    assert result.remote_id == api.messages[0]["ts"]
    assert result.link is not None
    history = next(c for c in api.calls if c.method == "conversations.history")
    assert history.params["include_all_metadata"] == "true"


def test_a_retry_that_finds_nothing_posts(api: FakeSlack, http: InflowSession) -> None:
    api.add(user="U0BOB", text="hello", metadata={"event_type": "learning_moment", "event_payload": {"local_id": "x"}})
    connector(api, http).send(moment(attempts=2))
    assert len(api.posts()) == 1


def test_the_lookup_reads_a_few_pages_of_history(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    slack.send(moment())
    for n in range(450):
        api.add(user="U0BOB", text=f"chatter {n}")
    api.page_cap = 100
    assert slack.send(moment(attempts=1)).remote_id == api.messages[0]["ts"]
    assert len(api.posts()) == 1
    assert [c.method for c in api.calls].count("conversations.history") == 5


# ---------------------------------------------------------------------- replies


def test_replies_skip_the_parent_and_read_every_page(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    parent = slack.send(moment(kind="question", title="How do I squash?")).remote_id
    api.replies[parent] = [
        {"type": "message", "ts": f"{1_800_000_000 + n}.000100", "thread_ts": parent, "user": f"U{n % 7}",
         "text": f"answer {n} with <https://e.com|a link>"}
        for n in range(1000)
    ]  # fmt: skip
    api.replies[parent].insert(3, {"type": "message", "subtype": "bot_message", "ts": "1799999999.000200",
                                   "thread_ts": parent, "username": "Helper Bot", "text": "automated"})  # fmt: skip

    replies = slack.fetch_replies(parent)

    assert len(replies) == 1001
    assert replies[0].remote_id == "1800000000.000100"
    assert replies[0].author == "U0"
    assert replies[0].body == "answer 0 with [a link](https://e.com)"
    assert replies[0].created_at == "2027-01-15T08:00:00.000Z"
    assert replies[3].author == "Helper Bot"
    pages = [c for c in api.calls if c.method == "conversations.replies"]
    assert len(pages) == 6  # 1,002 messages (parent included) in pages of 200
    assert pages[1].params["cursor"] == "offset:200"


def test_replies_of_a_deleted_thread_are_empty(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    parent = slack.send(moment(kind="question")).remote_id
    api.deleted_threads.add(parent)
    assert slack.fetch_replies(parent) == []


def test_a_deleted_parent_with_replies_keeps_them(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    parent = slack.send(moment(kind="question")).remote_id
    api.messages[0].update(subtype="tombstone", text="This message was deleted.", user="USLACKBOT", hidden=True)
    api.replies[parent] = [
        {"type": "message", "ts": "1800000000.000001", "thread_ts": parent, "user": "U0BOB", "text": "still here"},
        {"type": "message", "ts": "1800000001.000001", "thread_ts": parent, "subtype": "message_deleted",
         "hidden": True, "deleted_ts": "1800000001.000001"},
    ]  # fmt: skip
    assert [r.body for r in slack.fetch_replies(parent)] == ["still here"]


# ---------------------------------------------------------------------- the feed


def test_the_first_feed_call_starts_from_now(api: FakeSlack, http: InflowSession) -> None:
    api.add(user="U0BOB", text="old news")
    newest = api.add(user="U0BOB", text="newer news")
    page = connector(api, http).fetch_feed(None)
    assert page.items == []
    assert page.cursor == newest["ts"]
    assert [c.params for c in api.calls] == [{"channel": CHANNEL, "limit": "1"}]


def test_the_feed_reads_every_page_since_the_cursor(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    cursor = slack.fetch_feed(None).cursor
    assert cursor == "0"  # an empty channel
    for n in range(450):
        api.add(user="U0BOB", text=f"Tip {n}\nmore text")
    api.page_cap = 100

    page = slack.fetch_feed(cursor)

    assert len(page.items) == 450
    assert [item.title for item in page.items[:2]] == ["Tip 0", "Tip 1"]  # oldest first
    assert page.items[0].body == "more text"
    assert page.items[0].kind == "tip"
    assert page.items[0].author == "U0BOB"
    assert page.cursor == api.messages[-1]["ts"]
    calls = [c for c in api.calls if c.method == "conversations.history" and "oldest" in c.params]
    assert len(calls) == 5
    assert all(c.params["oldest"] == "0" and c.params["include_all_metadata"] == "true" for c in calls)
    again = slack.fetch_feed(page.cursor)
    assert again.items == [] and again.cursor == page.cursor


def test_the_feed_marks_our_echo_and_keeps_a_colleagues_inflow_moment(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    cursor = slack.fetch_feed(None).cursor
    assert cursor is not None
    ours = slack.send(moment())
    colleague = connector(api, http, token=TOKEN)  # colleagues may share the bot token
    colleague.send(moment(moment_id="m-bob", kind="resource", title="Pro Git", body="The book", tags=("books",)))

    items = slack.fetch_feed(cursor).items

    assert [item.remote_id for item in items] == [ours.remote_id, api.messages[1]["ts"]]
    mine, bobs = items
    assert mine.local_id == "m-1"  # storage skips it: that moment is in our library
    assert bobs.local_id == "m-bob"  # not in our library: storage keeps it
    assert (bobs.kind, bobs.title, bobs.body, bobs.tags) == ("resource", "Pro Git", "The book", ("books",))
    assert bobs.url == "https://git-scm.com/docs/git-rebase"
    assert mine.body.startswith("Use *rebase* & keep _history_ tidy: see [the docs](https://git-scm.com/docs).")


def test_the_feed_handles_what_colleagues_really_post(api: FakeSlack, http: InflowSession) -> None:
    slack = connector(api, http)
    cursor = slack.fetch_feed(None).cursor
    assert cursor is not None
    api.add(subtype="channel_join", user="U0NEW", text="<@U0NEW> has joined the channel")
    files = "https://acme.slack.com/files/U0BOB"
    sheet = {
        "id": "F1",
        "name": "cheatsheet.pdf",
        "title": "Git cheat sheet",
        "permalink": f"{files}/F1/cheatsheet.pdf",
    }
    api.add(user="U0BOB", text="", files=[sheet])
    api.add(subtype="file_share", user="U0BOB", text="slides from today",
            files=[{"id": "F2", "name": "s.pptx", "permalink": f"{files}/F2/s.pptx"}])  # fmt: skip
    api.add(user="U0EVE", text="", attachments=[{"fallback": "An article", "title": "Why rebase",
                                                 "title_link": "https://blog.example/rebase"}])  # fmt: skip
    api.add(user="U0EVE", text="fixed typo *now*", edited={"user": "U0EVE", "ts": "1"})
    api.add(subtype="tombstone", user="USLACKBOT", text="This message was deleted.", hidden=True)
    api.add(subtype="message_deleted", hidden=True, deleted_ts="1")
    parent = api.add(user="U0BOB", text="a thread", thread_ts=None)
    api.add(user="U0EVE", text="broadcast reply", subtype="thread_broadcast", thread_ts=parent["ts"])
    api.add(subtype="bot_message", bot_id="B9", username="RSS", text="New post: <https://news.example/x|X>")
    api.add(user="U0BOB", text="", files=[{"id": "F3", "mode": "tombstone"}])

    items = slack.fetch_feed(cursor).items

    assert [(i.kind, i.title, i.url, i.author) for i in items] == [
        ("resource", "Git cheat sheet", "https://acme.slack.com/files/U0BOB/F1/cheatsheet.pdf", "U0BOB"),
        ("resource", "s.pptx", "https://acme.slack.com/files/U0BOB/F2/s.pptx", "U0BOB"),
        ("resource", "Why rebase", "https://blog.example/rebase", "U0EVE"),
        ("tip", "fixed typo *now*", None, "U0EVE"),
        ("tip", "a thread", None, "U0BOB"),
        ("tip", "New post: [X](https://news.example/x)", "https://news.example/x", "RSS"),
    ]
    assert items[1].body == "slides from today"
    assert all(item.local_id is None for item in items)


# ---------------------------------------------------------------------- failures


def test_ratelimited_is_transient_with_retry_after(api: FakeSlack, http: InflowSession) -> None:
    api.overrides["chat.postMessage"] = lambda _c: _ok_false("ratelimited", 429, {"Retry-After": "30"})
    error = failure(lambda: connector(api, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 30
    api.overrides["conversations.history"] = lambda _c: _ok_false("ratelimited", 429, {"Retry-After": "7"})
    error = failure(lambda: connector(api, http).fetch_feed("1.0"))
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 7)


@pytest.mark.parametrize("code", ["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"])
def test_a_rejected_or_expired_token_is_auth(api: FakeSlack, http: InflowSession, code: str) -> None:
    api.token_error = code
    error = failure(lambda: connector(api, http, token="xoxb-old").send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert code in error.message
    assert api.posts()[0].headers["authorization"] == "Bearer xoxb-old"


def test_no_token_or_a_webhook_url_as_token_is_auth_without_a_request(api: FakeSlack, http: InflowSession) -> None:
    assert failure(lambda: connector(api, http, token=None).send(moment())).kind is ErrorKind.AUTH
    hook = failure(lambda: connector(api, http, token="https://hooks.slack.com/services/T/B/x").send(moment()))
    assert hook.kind is ErrorKind.AUTH
    assert "slack-webhook" in hook.message
    assert api.calls == []


def test_an_archived_channel_is_permanent(api: FakeSlack, http: InflowSession) -> None:
    api.archived = True
    error = failure(lambda: connector(api, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "archived" in error.message


def test_a_bot_outside_the_channel_is_told_to_invite_it(api: FakeSlack, http: InflowSession) -> None:
    api.member = False
    known = {"channel_name": "#learning", "channel_id": CHANNEL}
    error = failure(lambda: connector(api, http, channel="#learning", state=known).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert error.message == "The bot is not in #learning: invite it with /invite @Inflow (or check the channel id)"
    renamed = failure(lambda: connector(api, http, channel="C0GONE").send(moment()))
    assert renamed.kind is ErrorKind.PERMANENT
    assert "channel C0GONE" in renamed.message


@pytest.mark.parametrize("code", ["msg_too_long", "invalid_blocks"])
def test_a_refused_message_is_permanent(api: FakeSlack, http: InflowSession, code: str) -> None:
    api.overrides["chat.postMessage"] = lambda _c: _ok_false(code)
    error = failure(lambda: connector(api, http).send(moment()))
    assert (error.kind, error.message) == (ErrorKind.PERMANENT, f"Slack refused the message ({code})")


def test_an_unknown_error_code_is_permanent_and_named(api: FakeSlack, http: InflowSession) -> None:
    api.overrides["chat.postMessage"] = lambda _c: _ok_false("brand_new_problem")
    error = failure(lambda: connector(api, http).send(moment()))
    assert (error.kind, error.message) == (ErrorKind.PERMANENT, "Slack refused chat.postMessage: brand_new_problem")


def test_missing_scope_names_it(api: FakeSlack, http: InflowSession) -> None:
    body = json.dumps({"ok": False, "error": "missing_scope", "needed": "channels:history"}).encode()
    api.overrides["conversations.history"] = lambda _c: (200, {"Content-Type": "application/json"}, body)
    error = failure(lambda: connector(api, http).fetch_feed("1.0"))
    assert error.kind is ErrorKind.PERMANENT
    assert "channels:history" in error.message


@pytest.mark.parametrize("status", [200, 502])
def test_an_html_page_from_a_proxy_is_transient(api: FakeSlack, http: InflowSession, status: int) -> None:
    page = b"<html><head><title>Gateway</title></head><body>proxy says no</body></html>"
    api.overrides["chat.postMessage"] = lambda _c: (status, {"Content-Type": "text/html"}, page)
    error = failure(lambda: connector(api, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "HTML page" in error.message


def test_server_trouble_is_transient(api: FakeSlack, http: InflowSession) -> None:
    api.overrides["chat.postMessage"] = lambda _c: _ok_false("internal_error", 500)
    assert failure(lambda: connector(api, http).send(moment())).kind is ErrorKind.TRANSIENT
    api.overrides["chat.postMessage"] = lambda _c: _ok_false("fatal_error")
    assert failure(lambda: connector(api, http).send(moment())).kind is ErrorKind.TRANSIENT


def test_a_missing_permalink_does_not_fail_the_post(api: FakeSlack, http: InflowSession) -> None:
    api.overrides["chat.getPermalink"] = lambda _c: _ok_false("ratelimited", 429)
    result = connector(api, http).send(moment())
    assert result.link is None
    assert result.remote_id == api.messages[0]["ts"]


def test_test_checks_the_token_and_the_channel(api: FakeSlack, http: InflowSession) -> None:
    assert connector(api, http).test() == "Signed in to Acme as inflow; #learning is reachable"
    assert [c.method for c in api.calls] == ["auth.test", "conversations.info"]
    api.member = False
    assert "invite it" in failure(lambda: connector(api, http).test()).message
    api.member, api.archived = True, True
    assert "archived" in failure(lambda: connector(api, http).test()).message
    assert failure(lambda: connector(api, http, token="xoxb-bad").test()).kind is ErrorKind.AUTH


def test_connection_refused_is_transient(http: InflowSession) -> None:
    api = FakeSlack(url="http://127.0.0.1:9/api")
    assert failure(lambda: connector(api, http).send(moment())).kind is ErrorKind.TRANSIENT
