"""MediaWiki: every documented error shape classified, and the text conversions, without a real wiki.

Follows the action API's error handling (https://www.mediawiki.org/wiki/API:Errors_and_warnings: HTTP 200,
`{"error": {"code", "info"}}`, header `MediaWiki-API-Error`), https://www.mediawiki.org/wiki/Manual:Maxlag_parameter
(`maxlag` error with `Retry-After`), https://www.mediawiki.org/wiki/API:Edit (badtoken, editconflict,
protectedpage, ratelimited...) and https://www.mediawiki.org/wiki/API:Login (bot passwords). The real wiki
tests are in tests/integration/test_mediawiki.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from sync.connector import OutgoingMoment, Target
from sync.connectors.mediawiki import content as text
from sync.connectors.mediawiki.connector import CONNECTOR, MediaWikiConnector, split_remote_id
from sync.connectors.mediawiki.errors import ApiError, classify_error
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from tests.unit.sync.local_server import Answer, LocalServer, Request

URL = "https://wiki.example.org/w/api.php"

# ---------------------------------------------------------------------- classify, from canned responses


def response(
    status: int = 200, body: bytes | dict[str, Any] = b"", headers: dict[str, str] | None = None
) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = json.dumps(body).encode() if isinstance(body, dict) else body
    answer.headers.update({"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    answer.url = URL
    return answer


def api_failure(code: str, info: str = "", headers: dict[str, str] | None = None) -> SyncError:
    body = {"error": {"code": code, "info": info, "docref": "See https://wiki.example.org/w/api.php"}}
    return classify_error(response(200, body, {"MediaWiki-API-Error": code, **(headers or {})}), url=URL)


def test_ratelimited_is_transient_for_a_minute_unless_the_wiki_says() -> None:
    error = api_failure("ratelimited", "As an anti-abuse measure, you are limited...")
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 60)
    assert error.message == "wiki.example.org is rate-limiting this account: will retry"
    assert api_failure("ratelimited", headers={"Retry-After": "12"}).retry_after == 12


def test_maxlag_honours_retry_after() -> None:
    error = api_failure("maxlag", "Waiting for 10.0.0.1: 7 seconds lagged.", {"Retry-After": "5"})
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 5)
    assert "maxlag" in error.message


@pytest.mark.parametrize("code", ["readonly", "editconflict", "internal_api_error_DBQueryError", "unknownerror"])
def test_passing_trouble_is_transient(code: str) -> None:
    error = api_failure(code, "something passing")
    assert error.kind is ErrorKind.TRANSIENT
    assert isinstance(error, ApiError) and error.code == code
    assert code in error.message


@pytest.mark.parametrize("code", ["assertuserfailed", "notloggedin", "badtoken", "readapidenied", "assertbotfailed"])
def test_a_lost_session_is_auth(code: str) -> None:
    error = api_failure(code, "You are no longer logged in.")
    assert error.kind is ErrorKind.AUTH
    assert "sign in again" in error.message


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("protectedpage", "the page is protected"),
        ("permissiondenied", "lacks a right"),
        ("cantcreate", "may not create pages"),
        ("blocked", "blocked"),
        ("contenttoobig", "the page is full"),
        ("spamblacklist", "spam blacklist"),
        ("abusefilter-disallowed", "abusefilter-disallowed"),
        ("some-new-code", "some-new-code"),
    ],
)
def test_refusals_are_permanent_with_the_wikis_words(code: str, words: str) -> None:
    error = api_failure(code, "The wiki explains it.")
    assert error.kind is ErrorKind.PERMANENT
    assert words in error.message
    assert "The wiki explains it." in error.message


def test_the_header_alone_is_enough() -> None:
    error = classify_error(response(200, b"{}", {"MediaWiki-API-Error": "ratelimited"}), url=URL)
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 60)


def test_an_html_page_with_200_is_transient_and_named() -> None:
    page = b"<!DOCTYPE html><html><head><title>Sign in - Corporate SSO</title></head><body>" + b"x" * 5000
    error = classify_error(response(200, page, {"Content-Type": "text/html"}), url=URL)
    assert error.kind is ErrorKind.TRANSIENT
    assert "an HTML page (Sign in - Corporate SSO)" in error.message
    assert len(error.message) < 300


@pytest.mark.parametrize(
    ("status", "kind"),
    [(502, ErrorKind.TRANSIENT), (503, ErrorKind.TRANSIENT), (429, ErrorKind.TRANSIENT), (401, ErrorKind.AUTH),
     (403, ErrorKind.PERMANENT), (404, ErrorKind.PERMANENT), (408, ErrorKind.TRANSIENT)],
)  # fmt: skip
def test_http_statuses(status: int, kind: ErrorKind) -> None:
    error = classify_error(response(status, b"<html><title>Oops</title></html>", {"Retry-After": "9"}), url=URL)
    assert error.kind is kind
    assert error.retry_after == (9 if status in (429, 502, 503) else None)


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"", "empty body"), (b'{"query": {"pa', "broken JSON"), (b"\xff\xfe{}", "not valid UTF-8"), (b"[1]", "a list")],
)
def test_unusable_bodies_are_transient(body: bytes, words: str) -> None:
    error = classify_error(response(200, body), url=URL)
    assert error.kind is ErrorKind.TRANSIENT
    assert words in error.message


def test_network_errors_are_transient() -> None:
    error = classify_error(requests.ConnectionError("Connection refused"), url=URL)
    assert error.kind is ErrorKind.TRANSIENT
    assert "wiki.example.org refused the connection" in error.message


# ---------------------------------------------------------------------- Markdown -> wikitext and back


def test_markdown_becomes_wikitext() -> None:
    source = (
        "# Big\n\nSome **bold**, *italic*, `co|de`, ~~gone~~ and [a link](<https://example.org/a b>).\n\n"
        "- one\n- two\n  - nested\n\n1. first\n2. second\n\n```\nx = [1] <tag>\n```\n\n> quoted\n\n---\n\nline  \nbreak"
    )
    assert text.markdown_to_wikitext(source) == (
        "=== Big ===\n\n"
        "Some '''bold''', ''italic'', <code>co&#124;de</code>, <s>gone</s> and [https://example.org/a%20b a link].\n\n"
        "* one\n* two\n** nested\n\n# first\n# second\n\n<pre>x = [1] &lt;tag&gt;</pre>\n\n<blockquote>\nquoted\n\n"
        "</blockquote>\n----\n\nline<br />break"
    )


def test_plain_text_cannot_become_markup() -> None:
    assert text.escape("{{t}} [[l]] ~~~~ __TOC__ a|b <x> &amp;") == (
        "&#123;&#123;t&#125;&#125; &#91;&#91;l&#93;&#93; &#126;&#126;&#126;&#126; _&#95;TOC_&#95; a&#124;b &lt;x&gt; "
        "&amp;amp;"
    )
    assert text.escape("it's 'quoted'") == "it's 'quoted&#39;"  # only quotes that could join markup
    assert text.markdown_to_wikitext(r"\# not a list") == "&#35; not a list"
    assert text.markdown_to_wikitext("[bad](javascript:alert(1)) [ok](ftp://x.org)") == (
        "&#91;bad&#93;(javascript:alert(1)) [ftp://x.org ok]"
    )


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": "m-1", "kind": "tip", "title": "Rebase often", "body": "Use **rebase**.",
        "url": "https://git-scm.com/docs/git-rebase", "tags": ("git",), "created_at": "2025-01-01T09:30:00.000Z",
        "idempotency_key": "key-1",
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def test_post_text_has_markers_and_signs_questions_only() -> None:
    assert text.post_text(moment(), question=False) == (
        "<!-- inflow:m-1 -->\n\nUse '''rebase'''.\n\nLink: [https://git-scm.com/docs/git-rebase "
        "https://git-scm.com/docs/git-rebase]\n\nTags: git\n<!-- /inflow:m-1 -->"
    )
    assert text.post_text(moment(kind="question", url=None, tags=()), question=True) == (
        "<!-- inflow:m-1 -->\n\nUse '''rebase'''.\n\n— ~~~~\n<!-- /inflow:m-1 -->"
    )
    assert text.section_heading(moment(title="a = b {{x}}")) == "Tip: a &#61; b &#123;&#123;x&#125;&#125;"
    assert len(text.section_heading(moment(title="x" * 500))) == text.MAX_HEADING


def test_a_huge_body_is_cut_with_a_pointer() -> None:
    posted = text.post_text(moment(body="word " * 10_000), question=False)
    assert len(posted) < text.MAX_BODY + 500
    assert text.TRUNCATED in posted
    assert posted.endswith("<!-- /inflow:m-1 -->")


def test_wikitext_to_plain() -> None:
    wikitext = (
        "<!-- hidden -->'''Bold''' and ''it'' with [[Page|a page]], [[Other]], [https://x.org site], "
        "[https://y.org] {{tmpl|{{inner}}}}<br/>\n* item\n:indent\n=== Sub ===\n&lt;ok&gt; <span>tag</span>"
    )
    assert text.wikitext_to_plain(wikitext) == (
        "Bold and it with a page, Other, site (https://x.org), https://y.org\n\n- item\nindent\nSub\n<ok> tag"
    )


def test_replies_from_signed_and_unsigned_comments() -> None:
    tail = (
        "\n:Use it with '''care'''. [[User:Alice|Alice]] ([[User talk:Alice|talk]]) 14:19, 28 November 2025 (UTC)\n"
        "::Agreed.\n::Really. —[[User:Bob_Smith|Bob]] 09:05, 1 December 2025 (UTC)\n"
        ":An anonymous one [[Special:Contributions/10.0.0.1|10.0.0.1]] 10:00, 2 December 2025 (UTC)\n"
        ":Forgot to sign\n"
    )
    replies = text.replies_from(tail, page_time="2025-12-03T00:00:00Z")
    assert [(r.author, r.body, r.created_at) for r in replies] == [
        ("Alice", "Use it with care.", "2025-11-28T14:19:00.000Z"),
        ("Bob Smith", "Agreed.\nReally.", "2025-12-01T09:05:00.000Z"),
        ("10.0.0.1", "An anonymous one", "2025-12-02T10:00:00.000Z"),
        ("(unsigned)", "Forgot to sign", "2025-12-03T00:00:00Z"),
    ]
    assert len({r.remote_id for r in replies}) == 4
    # Stable: a later edit of a signed comment's text keeps its id; the same text unsigned twice differs.
    edited = text.replies_from(tail.replace("care", "great care"), page_time="2026-01-01T00:00:00Z")
    assert edited[0].remote_id == replies[0].remote_id
    twice = text.replies_from(":Same\n\n----\n:Same\n", page_time="x")
    assert len({r.remote_id for r in twice}) == len(twice)


def test_replies_with_a_localised_date_fall_back_to_the_page_time() -> None:
    replies = text.replies_from(":Ja. [[User:Eva|Eva]] 14:19, 28. Nov. 2025 (CET)", page_time="2025-11-28T13:20:00Z")
    assert [(r.author, r.body, r.created_at) for r in replies] == [("Eva", "Ja.", "2025-11-28T13:20:00Z")]


def test_kind_and_title_from_a_heading() -> None:
    assert text.kind_and_title("Question: Who owns CI?") == ("question", "Who owns CI?")
    assert text.kind_and_title("Resource: Pro Git") == ("resource", "Pro Git")
    assert text.kind_and_title("Use git bisect") == ("tip", "Use git bisect")


def test_remote_ids() -> None:
    assert split_remote_id("Talk:Team#Question:_Why?#m-1") == ("Talk:Team", "Question:_Why?", "m-1")
    assert split_remote_id("Team#A#B#m-2") == ("Team", "A#B", "m-2")
    with pytest.raises(SyncError) as caught:
        split_remote_id("just-an-id")
    assert caught.value.kind is ErrorKind.PERMANENT


# ---------------------------------------------------------------------- the connector against a scripted wiki


@dataclass
class Wiki:
    """A scripted api.php: `answer(params)` -> (status, headers, body); every request is recorded."""

    url: str = ""
    answer: Callable[[dict[str, str]], tuple[int, dict[str, str], Any]] = lambda params: (200, {}, {})
    seen: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def actions(self) -> list[str]:
        return [
            params.get("action", "") + ("/" + params["meta"] if "meta" in params else "") for _, params, _ in self.seen
        ]


@pytest.fixture
def wiki() -> Iterator[Wiki]:
    state = Wiki()

    def serve(request: Request, _h: BaseHTTPRequestHandler) -> Answer:
        body = request.raw.decode()
        params = dict(parse_qsl(urlsplit(request.path).query)) | dict(parse_qsl(body))
        state.seen.append((request.method, params, body))
        status, headers, payload = state.answer(params)
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        cookie = {"Set-Cookie": "wiki_session=s3cr3t; path=/; HttpOnly"} if "action=login" in body else {}
        return status, {"Content-Type": "application/json", **headers, **cookie}, raw

    with LocalServer(serve, methods=("GET", "POST")) as server:
        state.url = f"{server.url}/w/api.php"
        yield state


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test", timeout=(1, 2))
    yield session
    session.close()


def connector(wiki: Wiki, http: requests.Session) -> MediaWikiConnector:
    target = Target("w", "mediawiki", {"url": wiki.url, "page": "Team", "username": "Alice@inflow"})
    return CONNECTOR(target, "p" * 32, http, {})


def error_body(code: str) -> dict[str, Any]:
    return {"error": {"code": code, "info": f"{code} happened"}}


def scripted(
    edits: list[tuple[int, dict[str, str], Any]],
) -> Callable[[dict[str, str]], tuple[int, dict[str, str], Any]]:
    """A wiki that logs in, knows page Team, and answers successive edits from `edits`."""
    tokens = iter(range(1, 100))

    def answer(params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        action = params.get("action")
        if action == "login":
            return 200, {}, {"login": {"result": "Success", "lguserid": 3, "lgusername": "Alice"}}
        if params.get("meta") == "tokens|siteinfo":
            general = {"sitename": "Wiki", "server": "//wiki.example.org", "articlepath": "/wiki/$1"}
            return 200, {}, {"query": {"tokens": {"logintoken": "L+\\"}, "general": general}}
        if params.get("meta") == "tokens":
            return 200, {}, {"query": {"tokens": {"csrftoken": f"csrf{next(tokens)}+\\"}}}
        if params.get("prop") == "info":
            return 200, {}, {"query": {"pages": [{"ns": 0, "title": "Team", "associatedpage": "Talk:Team"}]}}
        if params.get("prop") == "revisions":
            return 200, {}, {"query": {"pages": [{"title": "Team", "missing": True}]}}
        if action == "edit":
            return edits.pop(0) if edits else (200, {}, {"edit": {"result": "Success", "newrevid": 7}})
        return 200, {}, {}

    return answer


def test_the_edit_request_is_as_documented(wiki: Wiki, http: InflowSession) -> None:
    wiki.answer = scripted([])
    result = connector(wiki, http).send(moment())
    method, params, body = next(seen for seen in wiki.seen if seen[1].get("action") == "edit")
    assert method == "POST"
    assert body.endswith("&token=csrf1%2B%5C")  # the token LAST
    names = ("title", "section", "sectiontitle", "assert", "maxlag", "format", "formatversion")
    assert {name: params[name] for name in names} == {
        "title": "Team", "section": "new", "sectiontitle": "Tip: Rebase often", "assert": "user", "maxlag": "5",
        "format": "json", "formatversion": "2",
    }  # fmt: skip
    assert params["text"].startswith("<!-- inflow:m-1 -->")
    assert result.remote_id == "Team#Tip:_Rebase_often#m-1"
    assert result.link == "http://wiki.example.org/wiki/Team#Tip:_Rebase_often"
    assert list(http.cookies) == []  # the wiki's cookie stays in the connector


def test_badtoken_fetches_a_new_token_once(wiki: Wiki, http: InflowSession) -> None:
    wiki.answer = scripted([(200, {"MediaWiki-API-Error": "badtoken"}, error_body("badtoken"))])
    connector(wiki, http).send(moment())
    edits = [params["token"] for _, params, _ in wiki.seen if params.get("action") == "edit"]
    assert edits == ["csrf1+\\", "csrf2+\\"]


def test_a_lost_session_logs_in_once_then_is_auth(wiki: Wiki, http: InflowSession) -> None:
    lost = (200, {"MediaWiki-API-Error": "assertuserfailed"}, error_body("assertuserfailed"))
    wiki.answer = scripted([lost, lost])
    with pytest.raises(SyncError) as caught:
        connector(wiki, http).send(moment())
    assert caught.value.kind is ErrorKind.AUTH
    assert wiki.actions().count("login") == 2
    assert wiki.actions().count("edit") == 2


def test_maxlag_on_edit_is_transient_with_the_wait(wiki: Wiki, http: InflowSession) -> None:
    wiki.answer = scripted([(200, {"MediaWiki-API-Error": "maxlag", "Retry-After": "5"}, error_body("maxlag"))])
    with pytest.raises(SyncError) as caught:
        connector(wiki, http).send(moment())
    assert (caught.value.kind, caught.value.retry_after) == (ErrorKind.TRANSIENT, 5)


def test_an_unsaved_edit_is_permanent(wiki: Wiki, http: InflowSession) -> None:
    wiki.answer = scripted([(200, {}, {"edit": {"result": "Failure", "captcha": {"type": "image"}}})])
    with pytest.raises(SyncError) as caught:
        connector(wiki, http).send(moment())
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "captcha" in caught.value.message


@pytest.mark.parametrize(
    ("login", "kind"),
    [({"result": "Failed", "reason": "Incorrect username or password entered."}, ErrorKind.AUTH),
     ({"result": "Aborted", "reason": "Cannot log in when using BotPasswordSessionProvider."}, ErrorKind.AUTH),
     ({"result": "WrongToken"}, ErrorKind.TRANSIENT)],
)  # fmt: skip
def test_login_failures(wiki: Wiki, http: InflowSession, login: dict[str, str], kind: ErrorKind) -> None:
    base = scripted([])
    wiki.answer = lambda params: (200, {}, {"login": login}) if params.get("action") == "login" else base(params)
    with pytest.raises(SyncError) as caught:
        connector(wiki, http).test()
    assert caught.value.kind is kind
    assert login.get("reason", login["result"]) in caught.value.message


def test_missing_credentials_are_auth_and_send_nothing(wiki: Wiki, http: InflowSession) -> None:
    target = Target("w", "mediawiki", {"url": wiki.url, "page": "Team", "username": "Alice@inflow"})
    with pytest.raises(SyncError) as caught:
        CONNECTOR(target, None, http, {}).send(moment())
    assert caught.value.kind is ErrorKind.AUTH
    assert wiki.seen == []


def test_capabilities() -> None:
    assert (CONNECTOR.kind, [key.name for key in CONNECTOR.keys]) == ("mediawiki", ["url", "page", "username"])
    assert CONNECTOR.secret_label == "Bot password"
    assert CONNECTOR.can_edit and CONNECTOR.can_retract and CONNECTOR.can_pull
