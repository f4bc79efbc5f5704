"""The Mastodon connector against a loopback fake of the REST API v1 (contract-tested, not run against a
real Mastodon server).

The fake follows docs.joinmastodon.org: methods/statuses (POST with the `Idempotency-Key` header, which the
server keeps for an hour and answers a repeat with the first status; PUT to edit, 404 once deleted; DELETE;
GET :id/context with `ancestors`/`descendants`), methods/accounts (verify_credentials), methods/timelines
(hashtag timeline with `min_id`/`limit`, at most 40, newest first), entities/Error (`{"error"}`), and
api/rate-limits (429 with `X-RateLimit-Reset`; we also send `Retry-After`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, get_moment
from storage.pull import replies_for
from sync.connector import OutgoingMoment, Target
from sync.connectors.mastodon import CONNECTOR, MastodonConnector
from sync.connectors.mastodon.content import MAX_CHARACTERS, TRUNCATED, counted_length
from sync.engine import SyncEngine
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from sync.registry import connector_for
from tests.unit.storage.crashed import crashed_owner
from tests.unit.sync.local_server import LocalServer, json_or_none, matching
from tests.unit.sync.local_server import Request as Seen

TOKEN = "mastodon-token-1"
ME = {"id": "1001", "username": "inflow", "acct": "inflow"}
BOB = {"id": "2002", "username": "bob", "acct": "bob@other.example"}
Answer = tuple[int, dict[str, str], bytes]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps({"error": message}).encode()


@dataclass
class FakeMastodon:
    url: str = ""
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail_next: list[Answer] = field(default_factory=list)
    creates: int = 0
    stall_creates: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(110_000_000_000_000_001))

    def add(self, account: dict[str, str], text: str, **fields: Any) -> dict[str, Any]:
        status_id = str(next(self.ids))
        status: dict[str, Any] = {
            "id": status_id, "created_at": "2026-12-03T10:00:00.000Z", "in_reply_to_id": None, "account": account,
            "content": f"<p>{text}</p>", "spoiler_text": "", "visibility": "public", "tags": [], "reblog": None,
            "url": f"{self.url}/@{account['username']}/{status_id}",
        }  # fmt: skip
        status.update(fields)
        self.statuses[status_id] = status
        return status

    def route(self, seen: Seen) -> Answer:
        if self.fail_next:
            return self.fail_next.pop(0)
        if seen.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, "The access token is invalid")
        parts = urlsplit(seen.path).path.strip("/").split("/")
        q = seen.params
        match seen.method, parts:
            case "GET", ["api", "v1", "accounts", "verify_credentials"]:
                return self.ok(ME)
            case "POST", ["api", "v1", "statuses"]:
                return self.create(seen)
            case "PUT", ["api", "v1", "statuses", status_id] if status_id in self.statuses:
                self.statuses[status_id]["content"] = "<p>" + seen.body["status"] + "</p>"
                self.statuses[status_id]["spoiler_text"] = seen.body.get("spoiler_text", "")
                return self.ok(self.statuses[status_id])
            case "DELETE", ["api", "v1", "statuses", status_id] if status_id in self.statuses:
                return self.ok(self.statuses.pop(status_id))
            case "GET", ["api", "v1", "statuses", status_id, "context"] if status_id in self.statuses:
                return self.ok({"ancestors": [], "descendants": self.descendants(status_id)})
            case "GET", ["api", "v1", "timelines", "tag", tag]:
                return self.tag_timeline(tag, q)
        return _error(404, "Record not found")

    def ok(self, value: Any) -> Answer:
        return 200, {"Content-Type": "application/json"}, json.dumps(value).encode()

    def create(self, seen: Seen) -> Answer:
        key = seen.headers.get("idempotency-key", "")
        if key and key in self.keys:
            return self.ok(self.statuses[self.keys[key]])
        body = seen.body
        if len(body.get("status", "")) > MAX_CHARACTERS * 2:
            return _error(422, "Validation failed: Text character limit of 500 exceeded")
        fields = {k: body[k] for k in ("visibility", "spoiler_text", "in_reply_to_id") if k in body}
        status = self.add(ME, body["status"], **fields)
        self.creates += 1
        if key:
            self.keys[key] = status["id"]
        if self.stall_creates:
            self.release.wait(3)  # past the client's 1 s read timeout: the status exists, the answer is late
        return self.ok(status)

    def descendants(self, root: str) -> list[dict[str, Any]]:
        found, wanted = [], {root}
        for status in sorted(self.statuses.values(), key=lambda s: int(s["id"])):
            if status["in_reply_to_id"] in wanted:
                found.append(status)
                wanted.add(status["id"])
        return found

    def tag_timeline(self, tag: str, q: dict[str, str]) -> Answer:
        tagged = [s for s in self.statuses.values() if tag in [t["name"] for t in s["tags"]]]
        limit = min(int(q.get("limit", 20)), 40)
        if "min_id" in q:  # the statuses right after min_id, answered newest first
            after = sorted((s for s in tagged if int(s["id"]) > int(q["min_id"])), key=lambda s: int(s["id"]))
            return self.ok(list(reversed(after[:limit])))
        return self.ok(sorted(tagged, key=lambda s: -int(s["id"]))[:limit])

    def requests(self, method: str, path: str) -> list[Seen]:
        return matching(self.seen, method, path)


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
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


def target_for(server: FakeMastodon, **settings: str) -> Target:
    return Target("fedi", "mastodon", {"url": server.url + "/", **settings})


def connector(
    server: FakeMastodon, http: InflowSession, token: str | None = TOKEN, **settings: str
) -> MastodonConnector:
    return MastodonConnector(target_for(server, **settings), token, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "5d0c2a52-3b9e-4c1e-9a57-0a4b3c2d1e0f", "kind": "tip", "title": "Rebase often",
        "body": "Keep your branch tidy.", "url": "https://git-scm.com/docs/git-rebase", "tags": ("git",),
        "created_at": "2026-12-03T09:00:00.000Z", "idempotency_key": "outbox-7",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Any) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- the connector


def test_send_posts_unlisted_with_the_outbox_id_as_idempotency_key(server: FakeMastodon, http: InflowSession) -> None:
    result = connector(server, http).send(moment())
    [seen] = server.requests("POST", "/api/v1/statuses")
    assert seen.headers["idempotency-key"] == "outbox-7"
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.body["visibility"] == "unlisted"
    assert "spoiler_text" not in seen.body
    assert seen.body["status"].startswith("Tip: Rebase often\n\nKeep your branch tidy.")
    assert "#git" in seen.body["status"]
    assert result.remote_id in server.statuses
    assert result.link == server.statuses[result.remote_id]["url"]


def test_public_only_when_set_and_the_content_warning(server: FakeMastodon, http: InflowSession) -> None:
    connector(server, http, visibility="public", content_warning="work talk").send(moment())
    [seen] = server.requests("POST", "/api/v1/statuses")
    assert (seen.body["visibility"], seen.body["spoiler_text"]) == ("public", "work talk")


def test_an_unknown_visibility_is_refused_before_posting(server: FakeMastodon, http: InflowSession) -> None:
    error = failure(lambda: connector(server, http, visibility="direct").send(moment()))
    assert error.kind is ErrorKind.PERMANENT and "unlisted, public or private" in str(error)
    assert server.requests("POST", "/api/v1/statuses") == []


def test_a_long_moment_is_cut_to_fit_with_its_link_and_tags(server: FakeMastodon, http: InflowSession) -> None:
    connector(server, http).send(moment(body="word " * 400, url="https://example.com/" + "x" * 300))
    [seen] = server.requests("POST", "/api/v1/statuses")
    text = seen.body["status"]
    assert counted_length(text) <= MAX_CHARACTERS
    assert TRUNCATED in text and text.endswith("https://example.com/" + "x" * 300 + "\n\n#git")


def test_a_timeout_after_the_server_stored_it_does_not_post_twice(server: FakeMastodon, http: InflowSession) -> None:
    server.stall_creates = True
    assert failure(lambda: connector(server, http).send(moment())).kind is ErrorKind.TRANSIENT
    server.stall_creates = False
    result = connector(server, http).send(moment(attempts=1))
    assert server.creates == 1 and list(server.statuses) == [result.remote_id]


def test_edit_puts_the_new_text_and_retract_deletes_once(server: FakeMastodon, http: InflowSession) -> None:
    mastodon = connector(server, http)
    remote = mastodon.send(moment()).remote_id
    mastodon.edit(moment(title="Rebase daily"), remote)
    assert "Tip: Rebase daily" in server.statuses[remote]["content"]
    mastodon.retract(remote)
    mastodon.retract(remote)  # already gone: harmless
    assert server.statuses == {}
    assert failure(lambda: mastodon.edit(moment(), remote)).kind is ErrorKind.PERMANENT


def test_replies_come_from_the_context_descendants(server: FakeMastodon, http: InflowSession) -> None:
    mastodon = connector(server, http)
    remote = mastodon.send(moment(kind="question", title="Who owns the certs?")).remote_id
    first = server.add(BOB, "The ops team &amp; me.", in_reply_to_id=remote)
    server.add(ME, "Thanks!", in_reply_to_id=first["id"], spoiler_text="")
    server.add(BOB, "unrelated")
    replies = mastodon.fetch_replies(remote)
    assert [(r.author, r.body) for r in replies] == [
        ("@bob@other.example", "The ops team & me."),
        ("@inflow", "Thanks!"),
    ]


def test_feed_starts_from_now_then_pages_colleagues_tagged_posts(server: FakeMastodon, http: InflowSession) -> None:
    tag = [{"name": "teamlearning"}]
    server.add(BOB, "old news", tags=tag)
    mastodon = connector(server, http, feed_tag="#teamlearning")
    start = mastodon.fetch_feed(None)
    assert start.items == []
    for n in range(45):  # more than one page of 40
        server.add(BOB, f"Tip {n}<br>https://example.com/{n}", tags=tag)
    server.add(ME, "our own echo", tags=tag)
    server.add(BOB, "untagged")
    page = mastodon.fetch_feed(start.cursor)
    assert [item.title for item in page.items] == [f"Tip {n}" for n in range(45)]
    assert page.items[0].author == "@bob@other.example" and page.items[0].url == "https://example.com/0"
    assert mastodon.fetch_feed(page.cursor).items == []


def test_without_a_feed_hashtag_there_is_no_feed(server: FakeMastodon, http: InflowSession) -> None:
    assert connector(server, http).fetch_feed(None).items == []
    assert server.seen == []


def test_401_is_auth_and_429_honours_retry_after_or_the_reset_time(server: FakeMastodon, http: InflowSession) -> None:
    assert failure(lambda: connector(server, http, token="wrong").send(moment())).kind is ErrorKind.AUTH
    server.fail_next.append(_error(429, "Too many requests", {"Retry-After": "42"}))
    limited = failure(lambda: connector(server, http).send(moment()))
    assert (limited.kind, limited.retry_after) == (ErrorKind.TRANSIENT, 42)
    reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 300))
    server.fail_next.append(_error(429, "Too many requests", {"X-RateLimit-Reset": reset}))
    limited = failure(lambda: connector(server, http).send(moment()))
    assert limited.retry_after is not None and 200 < limited.retry_after <= 300


def test_validation_errors_are_permanent_with_the_servers_words(server: FakeMastodon, http: InflowSession) -> None:
    server.fail_next.append(_error(422, "Validation failed: Text can't be blank"))
    error = failure(lambda: connector(server, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT and "Text can't be blank" in str(error)


def test_test_names_the_account_and_the_visibility(server: FakeMastodon, http: InflowSession) -> None:
    assert connector(server, http).test() == "Signed in as @inflow; posts will be public but unlisted"


def test_registered_as_a_public_kind() -> None:
    assert connector_for("mastodon") is CONNECTOR is MastodonConnector
    assert CONNECTOR.public is True


# ---------------------------------------------------------------------- through the engine


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "inflow.db")


def engine_for(db: Database, server: FakeMastodon, token: str = TOKEN, **settings: str) -> SyncEngine:
    target = target_for(server, **settings)
    return SyncEngine(db, lambda: [target], lambda _t: token, lambda: new_session("t", timeout=(1, 1)), rng=lambda: 0.0)


def delivery(db: Database, moment_id: str) -> Any:
    return outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)[0]


def test_engine_shares_and_brings_an_answer_back(server: FakeMastodon, db: Database) -> None:
    engine = engine_for(db, server)
    moment_id = add_moment(db, Draft(kind=Kind.QUESTION, title="Who owns the certs?", share_to=("fedi",))).id
    assert engine.run_pass().sent == 1
    remote = delivery(db, moment_id).remote_id
    server.add(BOB, "The ops team does.", in_reply_to_id=remote)
    report = engine.run_pass(pull_now=True)
    assert [(a.moment_id, a.count) for a in report.answers] == [(moment_id, 1)]
    assert [r.body for r in replies_for(db, get_moment(db, moment_id).rowid)] == ["The ops team does."]
    engine.close()


def test_engine_recovers_a_crash_after_the_server_accepted_without_a_duplicate(
    server: FakeMastodon, db: Database, tmp_path: Path, http: InflowSession
) -> None:
    moment_id = add_moment(db, Draft(kind=Kind.TIP, title="Crash-proof tip", share_to=("fedi",))).id
    claimed = outbox.claim_due(db, time.time(), owner=crashed_owner())
    assert claimed is not None
    sent = MastodonConnector(target_for(server), TOKEN, http, {}).send(
        moment(moment_id=claimed.moment_id, idempotency_key=claimed.idempotency_key)
    )  # the server stored it, then the app was killed before recording it
    db.conn.close()
    reopened = open_database(tmp_path / "inflow.db")
    engine = engine_for(reopened, server)
    assert engine.reconcile() == 1
    assert engine.run_pass().sent == 1
    assert delivery(reopened, moment_id).remote_id == sent.remote_id
    assert server.creates == 1
    engine.close()


def test_engine_pauses_on_401_and_waits_out_a_429(server: FakeMastodon, db: Database) -> None:
    moment_id = add_moment(db, Draft(kind=Kind.TIP, title="a tip", share_to=("fedi",))).id
    engine = engine_for(db, server, token="revoked")
    assert engine.run_pass().paused == ["fedi"]
    assert delivery(db, moment_id).state is DeliveryState.PAUSED
    engine.resume("fedi")
    engine.close()
    engine = engine_for(db, server)
    server.fail_next.append(_error(429, "Too many requests", {"Retry-After": "120"}))
    server.seen.clear()
    before = time.time()
    report = engine.run_pass()
    assert report.sent == 0 and report.next_due is not None and report.next_due >= before + 119
    assert len(server.requests("POST", "/api/v1/statuses")) == 1
    assert engine.run_pass().sent == 0  # nothing is tried before the deadline
    assert len(server.requests("POST", "/api/v1/statuses")) == 1
    engine.close()
