"""The xAPI connector against a loopback fake LRS (stdlib http.server in a thread): statements and errors."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from sync.connector import OutgoingMoment, Target
from sync.connectors.xapi import CONNECTOR, XapiConnector
from sync.connectors.xapi.content import (
    MOMENT_EXTENSION,
    STATEMENT_NAMESPACE,
    TAGS_EXTENSION,
    TIP_ACTIVITY_TYPE,
    statement_id,
)
from sync.errors import ErrorKind, NotSupportedError, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync import local_server
from tests.unit.sync.local_server import Handler, LocalServer, cut_off
from tests.unit.sync.local_server import Request as Seen

JSON = {"Content-Type": "application/json"}

# ---------------------------------------------------------------------- a loopback fake LRS


#: What the server answers: (status, headers, body), or None when the handler wrote the answer itself.
Answer = local_server.Answer | None


@dataclass
class Lrs:
    """Answers POST /xAPI/statements like an LRS by default (200 [ids]); tests replace `handler`."""

    endpoint: str = ""
    seen: list[Seen] = field(default_factory=list)
    handler: Handler | None = None

    def answer(self, status: int, body: bytes | Any = b"", headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.handler = lambda _seen, _h: (status, headers if headers is not None else JSON, raw)

    def posts(self) -> list[Seen]:
        return [seen for seen in self.seen if seen.method == "POST"]


def _default(seen: Seen) -> Answer:
    if seen.method == "POST":
        body = seen.json()
        ids = [item["id"] for item in body] if isinstance(body, list) else [body["id"]]
        return 200, JSON, json.dumps(ids).encode()
    if seen.path.endswith("/about"):
        return 200, JSON, b'{"version": ["1.0.3", "1.0.2"]}'
    return 200, JSON, b'{"statements": [], "more": ""}'


@pytest.fixture
def lrs() -> Iterator[Lrs]:
    state = Lrs()

    def serve(seen: Seen, h: BaseHTTPRequestHandler) -> Answer:
        return state.handler(seen, h) if state.handler else _default(seen)

    with LocalServer(serve, methods=("GET", "POST"), strip_query=True, log=state.seen) as server:
        state.endpoint = f"{server.url}/xAPI"
        yield state


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 1))
    yield session
    session.close()


def connector(
    url: str,
    http: InflowSession,
    *,
    password: str | None = "s3cret",
    state: dict[str, str] | None = None,
    **settings: str,
) -> XapiConnector:
    values = {"url": url, "username": "ada", **settings}
    return XapiConnector(Target("lrs", "xapi", values), password, http, state if state is not None else {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "6f1c2a9e-0000-4000-8000-000000000001", "kind": "resource", "title": "Git rebase docs",
        "body": "The **official** reference.", "url": "https://git-scm.com/docs/git-rebase",
        "tags": ("git", "docs"), "created_at": "2025-01-02T09:30:00.123Z", "idempotency_key": "key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- the statement


def test_send_posts_one_statement_and_returns_its_id(lrs: Lrs, http: InflowSession) -> None:
    result = connector(lrs.endpoint, http).send(moment())

    expected_id = str(uuid.uuid5(STATEMENT_NAMESPACE, "key-1"))
    assert result.remote_id == expected_id
    assert result.link is None
    (post,) = lrs.posts()
    assert post.path == "/xAPI/statements"
    assert post.headers["x-experience-api-version"] == "1.0.3"
    assert post.headers["content-type"] == "application/json"
    assert post.headers["authorization"] == "Basic " + base64.b64encode(b"ada:s3cret").decode()
    assert post.json() == {
        "id": expected_id,
        "timestamp": "2025-01-02T09:30:00.123Z",
        "actor": {"objectType": "Agent", "account": {"homePage": lrs.endpoint.rsplit("/", 1)[0], "name": "ada"}},
        "verb": {"id": "http://id.tincanapi.com/verb/bookmarked", "display": {"en-US": "bookmarked"}},
        "object": {
            "objectType": "Activity",
            "id": "https://git-scm.com/docs/git-rebase",
            "definition": {
                "name": {"en-US": "Git rebase docs"},
                "description": {"en-US": "The **official** reference."},
                "type": "http://adlnet.gov/expapi/activities/link",
            },
        },
        "context": {
            "platform": "Inflow",
            "extensions": {TAGS_EXTENSION: ["git", "docs"], MOMENT_EXTENSION: "6f1c2a9e-0000-4000-8000-000000000001"},
        },
    }


@pytest.mark.parametrize(
    ("kind", "verb", "activity_type"),
    [
        ("resource", "http://id.tincanapi.com/verb/bookmarked", "http://adlnet.gov/expapi/activities/link"),
        ("tip", "http://adlnet.gov/expapi/verbs/shared", TIP_ACTIVITY_TYPE),
        ("question", "http://adlnet.gov/expapi/verbs/asked", "http://adlnet.gov/expapi/activities/question"),
    ],
)
def test_verb_and_activity_type_follow_the_kind(http: InflowSession, kind: str, verb: str, activity_type: str) -> None:
    statement = connector("https://lrs.example.com/xAPI", http).statement(moment(kind=kind))
    assert statement["verb"]["id"] == verb
    assert statement["object"]["definition"]["type"] == activity_type
    # Only a resource's URL becomes the activity id; tips and questions are named by the moment.
    expected_object = (
        "https://git-scm.com/docs/git-rebase"
        if kind == "resource"
        else "urn:inflow:moment:6f1c2a9e-0000-4000-8000-000000000001"
    )
    assert statement["object"]["id"] == expected_object


def test_the_statement_is_deterministic_across_instances(http: InflowSession) -> None:
    first = connector("https://lrs.example.com/xAPI", http).statement(moment())
    again = connector("https://lrs.example.com/xAPI/", http).statement(moment())
    assert first == again
    assert first["id"] == statement_id("key-1") != statement_id("key-2")
    assert uuid.UUID(first["id"]).version == 5


def test_the_same_key_re_posts_byte_identical_json(lrs: Lrs, http: InflowSession) -> None:
    connector(lrs.endpoint, http).send(moment())
    lrs.answer(204)  # Ralph, when every id already exists
    result = connector(lrs.endpoint, http).send(moment())
    first, second = lrs.posts()
    assert first.body == second.body
    assert result.remote_id == statement_id("key-1")


@pytest.mark.parametrize(
    ("created_at", "timestamp"),
    [
        ("2025-01-02T09:30:00.123Z", "2025-01-02T09:30:00.123Z"),
        ("2025-01-02T10:30:00.5+01:00", "2025-01-02T09:30:00.500Z"),
        ("2025-01-02T09:30:00", "2025-01-02T09:30:00.000Z"),
    ],
)
def test_timestamp_comes_from_created_at_in_utc(http: InflowSession, created_at: str, timestamp: str) -> None:
    statement = connector("https://lrs.example.com/xAPI", http).statement(moment(created_at=created_at))
    assert statement["timestamp"] == timestamp


def test_a_broken_created_at_is_permanent(http: InflowSession) -> None:
    error = failure(lambda: connector("https://lrs.example.com/xAPI", http).statement(moment(created_at="yesterday")))
    assert error.kind is ErrorKind.PERMANENT


def test_actor_is_an_account_never_an_email(http: InflowSession) -> None:
    base = "https://lrs.example.com:8443/data/xAPI/"
    default = connector(base, http).statement(moment())["actor"]
    assert default == {"objectType": "Agent", "account": {"homePage": "https://lrs.example.com:8443", "name": "ada"}}
    chosen = connector(base, http, actor="ada.lovelace", actor_home_page="https://id.example.org").statement(moment())
    assert chosen["actor"]["account"] == {"homePage": "https://id.example.org", "name": "ada.lovelace"}
    from_state = connector(base, http, state={"actor_home_page": "https://sso.example.org"}).statement(moment())
    assert from_state["actor"]["account"]["homePage"] == "https://sso.example.org"
    assert "mbox" not in json.dumps(chosen)


def test_names_descriptions_and_odd_urls(http: InflowSession) -> None:
    lrs = connector("https://lrs.example.com/xAPI", http)
    long_body = "word " * 1000
    statement = lrs.statement(moment(title="", body=long_body + "\nsecond line", url="https://x.example/a b"))
    definition = statement["object"]["definition"]
    assert definition["name"]["en-US"].startswith("word word")
    assert len(definition["description"]["en-US"]) <= 2000
    assert definition["description"]["en-US"].endswith("…")
    assert statement["object"]["id"].startswith("urn:inflow:moment:")  # a URL with a space is no IRI
    bare = lrs.statement(moment(title="", body="", url=None, kind="tip"))
    assert bare["object"]["definition"]["name"] == {"en-US": "Tip"}
    assert "description" not in bare["object"]["definition"]
    assert lrs.statement(moment(url="javascript:alert(1)"))["object"]["id"].startswith("urn:inflow:moment:")


def test_an_unknown_kind_is_permanent(http: InflowSession) -> None:
    error = failure(lambda: connector("https://lrs.example.com/xAPI", http).statement(moment(kind="poem")))
    assert error.kind is ErrorKind.PERMANENT


# ---------------------------------------------------------------------- success shapes and batches


def test_204_without_a_body_is_delivered(lrs: Lrs, http: InflowSession) -> None:
    lrs.answer(204, b"", {})
    assert connector(lrs.endpoint, http).send(moment()).remote_id == statement_id("key-1")


def test_send_batch_posts_an_array(lrs: Lrs, http: InflowSession) -> None:
    moments = [moment(idempotency_key="a"), moment(idempotency_key="b", kind="tip"), moment(idempotency_key="a")]
    results = connector(lrs.endpoint, http).send_batch(moments)
    assert [result.remote_id for result in results] == [statement_id("a"), statement_id("b"), statement_id("a")]
    (post,) = lrs.posts()
    assert [item["id"] for item in post.json()] == [statement_id("a"), statement_id("b")]
    assert connector(lrs.endpoint, http).send_batch([]) == []


# ---------------------------------------------------------------------- 409


def _conflict_then(lookup: Callable[[Seen], Answer]) -> Handler:
    conflict = json.dumps({"detail": "Differing statements already exist with the same ID"}).encode()

    def handle(seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:
        if seen.method == "POST":
            return 409, JSON, conflict
        return lookup(seen)

    return handle


def test_409_is_delivered_when_the_lrs_has_the_statement(lrs: Lrs, http: InflowSession) -> None:
    wanted = statement_id("key-1")
    lrs.handler = _conflict_then(lambda seen: (200, JSON, json.dumps({"id": wanted, "verb": {}}).encode()))
    assert connector(lrs.endpoint, http).send(moment()).remote_id == wanted
    lookup = lrs.seen[-1]
    assert (lookup.method, lookup.path, lookup.query) == ("GET", "/xAPI/statements", {"statementId": [wanted]})
    assert lookup.headers["x-experience-api-version"] == "1.0.3"
    assert "authorization" in lookup.headers


def test_409_is_delivered_when_ralph_lists_the_statement(lrs: Lrs, http: InflowSession) -> None:
    wanted = statement_id("key-1")
    lrs.handler = _conflict_then(lambda seen: (200, JSON, json.dumps({"statements": [{"id": wanted}]}).encode()))
    assert connector(lrs.endpoint, http).send(moment()).remote_id == wanted


@pytest.mark.parametrize("lookup", [(404, JSON, b'{"detail": "Not Found"}'), (200, JSON, b'{"statements": []}')])
def test_409_without_the_statement_is_permanent_with_the_lrs_message(
    lrs: Lrs, http: InflowSession, lookup: Answer
) -> None:
    lrs.handler = _conflict_then(lambda seen: lookup)
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "Differing statements already exist with the same ID" in error.message
    assert "127.0.0.1" in error.message


def test_409_whose_lookup_fails_is_transient(lrs: Lrs, http: InflowSession) -> None:
    lrs.handler = _conflict_then(lambda seen: (503, {"Retry-After": "4"}, b"maintenance"))
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 4)


def test_a_batch_409_re_posts_only_the_missing_statements(lrs: Lrs, http: InflowSession) -> None:
    present, missing = statement_id("a"), statement_id("b")

    def handle(seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:
        if seen.method == "POST":
            ids = [item["id"] for item in seen.json()] if isinstance(seen.json(), list) else [seen.json()["id"]]
            return (409, JSON, b'{"detail": "conflict"}') if present in ids else (200, JSON, json.dumps(ids).encode())
        found = seen.query["statementId"][0] == present
        return (200, JSON, json.dumps({"id": present}).encode()) if found else (404, JSON, b"{}")

    lrs.handler = handle
    results = connector(lrs.endpoint, http).send_batch([moment(idempotency_key="a"), moment(idempotency_key="b")])
    assert [result.remote_id for result in results] == [present, missing]
    assert lrs.posts()[-1].json()["id"] == missing


# ---------------------------------------------------------------------- errors, classified


def test_400_is_permanent_with_the_lrs_message(lrs: Lrs, http: InflowSession) -> None:
    lrs.answer(400, {"detail": "Invalid JSON body"})
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert error.message == "The LRS at 127.0.0.1 rejected the statement (400): Invalid JSON body"


def test_422_validation_details_are_readable(lrs: Lrs, http: InflowSession) -> None:
    detail = [{"type": "missing", "loc": ["body", "actor"], "msg": "Field required", "input": {}}]
    lrs.answer(422, {"detail": detail})
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "body.actor: Field required" in error.message


def test_410_pauses_the_target_instead_of_failing_each_statement(lrs: Lrs, http: InflowSession) -> None:
    lrs.answer(410, {"detail": "This LRS was retired"})
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.GONE
    assert error.message.startswith("The LRS at 127.0.0.1 says this endpoint is gone (410): This LRS was retired")


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_auth(lrs: Lrs, http: InflowSession, status: int) -> None:
    lrs.answer(status, {"detail": "Invalid authentication credentials"})
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert "127.0.0.1" in error.message
    assert "Invalid authentication credentials" in error.message


def test_429_honours_retry_after(lrs: Lrs, http: InflowSession) -> None:
    lrs.answer(429, b"Too Many Requests", {"Retry-After": "7", "Content-Type": "text/plain"})
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 7)
    assert "Too Many Requests" in error.message


def test_5xx_with_an_html_page_is_transient_and_readable(lrs: Lrs, http: InflowSession) -> None:
    page = b"<html><head><title>503 Service Unavailable</title></head><body>" + b"<p>x</p>" * 2000 + b"</body></html>"
    lrs.answer(503, page, {"Content-Type": "text/html"})
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "127.0.0.1" in error.message
    assert "503 Service Unavailable" in error.message
    assert len(error.message) < 400


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b"<html><title>Sign in</title></html>", {"Content-Type": "text/html"}, "HTML page"),
        (b'{"ok": true}', JSON, "without the list of statement ids"),
        (b'["abc", 3]', JSON, "without the list of statement ids"),
        (b'["abc", "d', JSON, "broken JSON"),
        (b"\xff\xfe\xfd", JSON, "not valid UTF-8"),
    ],
)
def test_a_2xx_that_is_not_an_lrs_answer_is_transient(
    lrs: Lrs, http: InflowSession, body: bytes, headers: dict[str, str], words: str
) -> None:
    lrs.answer(200, body, headers)
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert words in error.message
    assert "127.0.0.1" in error.message


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, b"\xc3\x28 invalid \xff utf-8", ErrorKind.PERMANENT),
        (400, b'{"detail": {"nested": ["no message here"]}}', ErrorKind.PERMANENT),
        (400, b"[1, 2, 3]", ErrorKind.PERMANENT),
        (400, b"", ErrorKind.PERMANENT),
        (500, b'{"detail": "xAPI statements query fai', ErrorKind.TRANSIENT),
        (404, b"Not Found", ErrorKind.PERMANENT),
    ],
)
def test_odd_error_bodies_never_crash(lrs: Lrs, http: InflowSession, status: int, body: bytes, kind: ErrorKind) -> None:
    lrs.answer(status, body)
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is kind
    assert "127.0.0.1" in error.message


def test_a_body_cut_off_mid_answer_is_transient(lrs: Lrs, http: InflowSession) -> None:
    lrs.handler = lambda _seen, h: cut_off(h, b'["6f1c', declared=500)
    error = failure(lambda: connector(lrs.endpoint, http).send(moment()))
    assert error.kind is ErrorKind.TRANSIENT
    assert "127.0.0.1" in error.message


def test_no_password_is_auth_and_sends_nothing(lrs: Lrs, http: InflowSession) -> None:
    error = failure(lambda: connector(lrs.endpoint, http, password=None).send(moment()))
    assert error.kind is ErrorKind.AUTH
    assert lrs.seen == []


def test_a_trailing_slash_is_tolerated(lrs: Lrs, http: InflowSession) -> None:
    connector(lrs.endpoint + "/", http).send(moment())
    assert lrs.posts()[0].path == "/xAPI/statements"


# ---------------------------------------------------------------------- test()


def test_test_reports_versions_and_accepted_credentials(lrs: Lrs, http: InflowSession) -> None:
    message = connector(lrs.endpoint, http).test()
    assert message == "LRS at 127.0.0.1 speaks xAPI 1.0.3, 1.0.2; credentials accepted"
    about, probe = lrs.seen
    assert (about.path, "authorization" in about.headers) == ("/xAPI/about", False)
    assert (probe.path, probe.query) == ("/xAPI/statements", {"limit": ["1"]})
    assert probe.headers["x-experience-api-version"] == "1.0.3"
    assert "authorization" in probe.headers


def test_test_without_about_still_checks_the_credentials(lrs: Lrs, http: InflowSession) -> None:
    def no_about(seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:  # Ralph has no /about
        return (404, JSON, b'{"detail":"Not Found"}') if seen.path.endswith("/about") else _default(seen)

    lrs.handler = no_about
    assert connector(lrs.endpoint, http).test() == (
        "LRS at 127.0.0.1 speaks xAPI (version not reported); credentials accepted"
    )


def test_test_with_a_wrong_password_is_auth(lrs: Lrs, http: InflowSession) -> None:
    def refuse(seen: Seen, _h: BaseHTTPRequestHandler) -> Answer:
        return (401, JSON, b'{"detail":"Invalid authentication credentials"}') if seen.query else _default(seen)

    lrs.handler = refuse
    assert failure(connector(lrs.endpoint, http).test).kind is ErrorKind.AUTH


def test_test_on_something_that_is_not_an_lrs(lrs: Lrs, http: InflowSession) -> None:
    lrs.answer(200, b"<html><title>Intranet</title></html>", {"Content-Type": "text/html"})
    error = failure(connector(lrs.endpoint, http).test)
    assert error.kind is ErrorKind.PERMANENT
    assert "does not look like an xAPI endpoint" in error.message


def test_test_on_an_lrs_that_speaks_only_xapi_2(lrs: Lrs, http: InflowSession) -> None:
    lrs.answer(200, {"version": ["2.0.0"]})
    error = failure(connector(lrs.endpoint, http).test)
    assert error.kind is ErrorKind.PERMANENT
    assert "2.0.0" in error.message


def test_test_when_the_lrs_is_down(http: InflowSession) -> None:
    error = failure(connector("http://127.0.0.1:9/xAPI", http).test)
    assert error.kind is ErrorKind.TRANSIENT
    assert "127.0.0.1" in error.message


# ---------------------------------------------------------------------- capabilities


def test_push_only_and_immutable(http: InflowSession) -> None:
    lrs = connector("https://lrs.example.com/xAPI", http)
    assert CONNECTOR is XapiConnector
    assert (lrs.kind, [key.name for key in lrs.keys]) == ("xapi", ["url", "username", "track"])
    assert lrs.secret_label == "Password (or LRS secret)"
    assert not (lrs.can_edit or lrs.can_retract or lrs.can_pull)
    with pytest.raises(NotSupportedError, match="stays in the LRS"):
        lrs.retract(statement_id("key-1"))
    calls: list[Callable[[], object]] = [
        lambda: lrs.edit(moment(), "x"),
        lambda: lrs.fetch_replies("x"),
        lambda: lrs.fetch_feed(None),
    ]
    for call in calls:
        with pytest.raises(NotSupportedError, match=r"\w"):
            call()
