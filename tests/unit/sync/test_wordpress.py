"""WordPress answers the real test site cannot be made to give (throttling, a proxy's 503, a role without
rights), classified from responses shaped as the REST API handbook documents its errors."""

from __future__ import annotations

import json

import requests

from sync.connector import OutgoingMoment
from sync.connectors.wordpress.content import marker, post_content
from sync.connectors.wordpress.errors import classify_error
from sync.errors import ErrorKind


def answer(status: int, code: str = "", message: str = "", headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = "https://blog.example.org/?rest_route=/wp/v2/posts"
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    response._content = json.dumps({"code": code, "message": message, "data": {"status": status}}).encode()
    return response


def test_429_and_503_wait_for_retry_after() -> None:
    for status in (429, 503):
        error = classify_error(answer(status, headers={"Retry-After": "30"}), action="post")
        assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 30.0)


def test_a_role_that_may_not_post_is_permanent_and_says_which_role() -> None:
    error = classify_error(
        answer(403, "rest_cannot_create", "Sorry, you are not allowed to create posts."), action="post"
    )
    assert error.kind is ErrorKind.PERMANENT
    assert "does not allow this account to post (it needs the Author role or more)" in error.message


def test_an_auth_code_pauses_even_without_401() -> None:
    error = classify_error(answer(400, "application_passwords_disabled", "Disabled."), action="post")
    assert error.kind is ErrorKind.AUTH and "sign in again" in error.message


def test_a_missing_rest_api_is_named() -> None:
    error = classify_error(answer(404, "rest_no_route", "No route was found."), action="post")
    assert error.message.startswith("The site's REST API does not exist")


def test_the_content_ends_with_the_marker() -> None:
    shared = OutgoingMoment("m1", "tip", "Rebase", "Often.", None, ("git",), "2025-01-01T00:00:00Z", "key-1")
    assert post_content(shared).endswith(marker(shared.idempotency_key))
    assert marker("abc") == "<!-- inflow:abc -->"
