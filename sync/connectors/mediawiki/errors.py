"""What a MediaWiki action API answer means, decided in one place (`classify_error`).

The action API answers errors with HTTP 200, a body `{"error": {"code", "info"}}` and the header
`MediaWiki-API-Error: <code>` (ApiMain.php). `maxlag` errors carry `Retry-After`; `ratelimited` usually
carries nothing, so we wait a minute. An HTML page (a proxy, a login wall, index.php instead of api.php)
or cut-off JSON is a transient fault of the path to the wiki, never an uncaught exception.
"""

from __future__ import annotations

import html
import re
from typing import Any

import requests

from sync.errors import ErrorKind, SyncError, auth, permanent
from sync.http import decode_json as http_decode_json
from sync.http import host_of as _host_of
from sync.http import network_error, retry_after_seconds

RATELIMIT_WAIT_S = 60.0
"""How long to wait after `ratelimited` when the wiki does not say (MediaWiki's limits are per minute)."""
MAXLAG_WAIT_S = 5.0
READONLY_WAIT_S = 300.0

#: The session or the bot password no longer works (the caller logs in again once before giving up).
SESSION_CODES = frozenset({"assertuserfailed", "assertbotfailed", "assertnameduserfailed", "notloggedin", "badtoken"})
#: Codes that mean "sign in again" when they persist.
_AUTH_CODES = SESSION_CODES | {"readapidenied", "mustbeloggedin", "login-required"}
_TRANSIENT_CODES = frozenset({"ratelimited", "maxlag", "readonly", "editconflict", "concurrency", "unknownerror"})
_PERMANENT_WORDS = {
    "protectedpage": "the page is protected",
    "cascadeprotected": "the page is protected (cascading protection)",
    "permissiondenied": "the bot password lacks a right for this",
    "cantcreate": "the bot password may not create pages (grant 'Create, edit, and move pages', or create the page)",
    "writeapidenied": "the bot password may not edit through the API (grant 'Edit existing pages')",
    "blocked": "the account is blocked",
    "autoblocked": "the account's IP address is blocked",
    "missingtitle": "the page does not exist (any more)",
    "nosuchsection": "the section does not exist (any more)",
    "contenttoobig": "the page is full (archive older sections)",
    "invalidtitle": "the page name is not a valid title",
    "spamblacklist": "a link is on the wiki's spam blacklist",
}


class ApiError(SyncError):
    """A classified error the wiki returned, keeping its API `code` for the caller's own decisions."""

    def __init__(self, kind: ErrorKind, message: str, code: str, *, retry_after: float | None = None) -> None:
        super().__init__(kind, message, retry_after=retry_after)
        self.code = code


def host_of(url: str | None) -> str:
    return _host_of(url, "the wiki")


def _html_title(raw: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title>", raw[:20000], re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    title = html.unescape(match.group(1).decode("utf-8", "replace"))
    return " ".join(title.split())[:120]


def _html_page(raw: bytes) -> str:
    title = _html_title(raw)
    return f"answered with an HTML page{f' ({title})' if title else ''} instead of JSON (a proxy? is it api.php?)"


def decode_json(response: requests.Response) -> tuple[dict[str, Any] | None, str]:
    """The body as a JSON object, or None and what is wrong with it (an HTML page named by its title)."""
    return http_decode_json(response, html_page=_html_page)


def unexpected_shape(url: str | None, expected: str) -> SyncError:
    return SyncError(ErrorKind.TRANSIENT, f"{host_of(url)} answered with JSON of an unexpected shape (no {expected})")


def api_error(code: str, info: str, *, host: str, retry_after: float | None = None) -> ApiError:
    """The API error `code` (with the wiki's `info`) as a classified ApiError."""
    said = f"{info} ({code})" if info else code
    if code == "ratelimited":
        wait = retry_after if retry_after is not None else RATELIMIT_WAIT_S
        return ApiError(
            ErrorKind.TRANSIENT, f"{host} is rate-limiting this account: will retry", code, retry_after=wait
        )
    if code == "maxlag":
        wait = retry_after if retry_after is not None else MAXLAG_WAIT_S
        return ApiError(ErrorKind.TRANSIENT, f"{host} is lagging behind (maxlag): will retry", code, retry_after=wait)
    if code == "readonly":
        wait = retry_after if retry_after is not None else READONLY_WAIT_S
        return ApiError(ErrorKind.TRANSIENT, f"{host} is read-only for now: {said}", code, retry_after=wait)
    if code in _TRANSIENT_CODES or code.startswith("internal_api_error"):
        return ApiError(ErrorKind.TRANSIENT, f"{host} could not do it right now: {said}", code, retry_after=retry_after)
    if code in _AUTH_CODES:
        return ApiError(ErrorKind.AUTH, f"{host} no longer accepts our sign-in: {said}; sign in again", code)
    if code in _PERMANENT_WORDS:
        return ApiError(ErrorKind.PERMANENT, f"{host} refused: {_PERMANENT_WORDS[code]}: {said}", code)
    return ApiError(ErrorKind.PERMANENT, f"{host} refused: {said}", code)


def classify_error(
    failure: requests.Response | requests.RequestException, *, url: str, expected: str = "usable data"
) -> SyncError:
    """Every failure of one API request as a SyncError (an ApiError when the wiki named a code).

    `failure` is a transport exception, or a response we cannot use: non-2xx, an API error body, or a
    2xx whose body is not the JSON object we need (`expected` names what is missing).
    """
    if isinstance(failure, requests.RequestException):
        return network_error(failure, url)
    response = failure
    host = host_of(response.url or url)
    status = response.status_code
    payload, problem = decode_json(response)
    error = payload.get("error") if payload else None
    header_code = response.headers.get("MediaWiki-API-Error", "").strip()
    if isinstance(error, dict) or header_code:
        details: dict[str, Any] = error if isinstance(error, dict) else {}
        code = str(details.get("code") or header_code)
        info = details.get("info") if isinstance(details.get("info"), str) else ""
        return api_error(code, " ".join(str(info).split())[:300], host=host, retry_after=retry_after_seconds(response))
    if status == 429:
        return SyncError(
            ErrorKind.TRANSIENT, f"{host} is rate-limiting us (HTTP 429)", retry_after=retry_after_seconds(response)
        )
    if status >= 500:
        detail = f"; it {problem}" if problem else ""
        return SyncError(
            ErrorKind.TRANSIENT,
            f"{host} had a server error (HTTP {status}){detail}",
            retry_after=retry_after_seconds(response),
        )
    if status == 401:
        return auth(f"{host} refused the request (HTTP 401): sign in again")
    if status in (408, 409):
        return SyncError(ErrorKind.TRANSIENT, f"{host} could not answer right now (HTTP {status})")
    if status >= 400:
        detail = f"; it {problem}" if problem else ""
        return permanent(f"{host} refused the request (HTTP {status}): is {url} the wiki's api.php?{detail}")
    if payload is None:
        return SyncError(ErrorKind.TRANSIENT, f"{host} {problem} (HTTP {status})")
    return unexpected_shape(response.url or url, expected)
