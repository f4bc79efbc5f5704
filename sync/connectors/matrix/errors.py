"""What a Matrix homeserver's answer means, decided in one place (`classify_error`).

Matrix errors are `{"errcode": "M_...", "error": "..."}` with an HTTP status; rate limits carry
`retry_after_ms` in the body (and `Retry-After` only where the server enables it). A 2xx whose body
is not the JSON we need (an HTML page from a proxy, cut-off JSON, bad UTF-8, a missing field) is
treated as a transient fault of the path to the server, never as an uncaught exception.
"""

from __future__ import annotations

from typing import Any

import requests

from sync.errors import SyncError, auth, permanent, transient
from sync.http import decode_json, host_of, network_error, retry_after_seconds

_AUTH_CODES = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED"})
TOKEN_REJECTED = "The access token was rejected: sign in again"


def unexpected_shape(url: str | None, expected: str) -> SyncError:
    """A 2xx whose JSON lacks what we need (a field missing or of the wrong type)."""
    return transient(f"{host_of(url)} answered with JSON of an unexpected shape (no {expected})")


def _text(payload: dict[str, Any] | None, key: str) -> str:
    value = payload.get(key) if payload else None
    return value if isinstance(value, str) else ""


def _retry_after(payload: dict[str, Any] | None, response: requests.Response) -> float | None:
    millis = payload.get("retry_after_ms") if payload else None
    if isinstance(millis, int | float) and not isinstance(millis, bool) and millis >= 0:
        return float(millis) / 1000.0
    return retry_after_seconds(response)


def classify_error(
    failure: requests.Response | requests.RequestException,
    *,
    room: str,
    action: str = "post",
    event_id: str | None = None,
    expected: str | None = None,
    url: str | None = None,
) -> SyncError:
    """Every Matrix failure as a SyncError.

    `failure` is a transport exception or a response we cannot use: any non-2xx, or a 2xx whose body
    is not the JSON object we need (`expected` names the missing field). `action` is what we tried
    ("post", "edit", "retract", "read", "join", "login"); `event_id` the message it concerned, if any.
    """
    if isinstance(failure, requests.RequestException):
        request_url = url or (failure.request.url if failure.request is not None else None) or ""
        return network_error(failure, str(request_url))
    response = failure
    host = host_of(response.url or url)
    status = response.status_code
    payload, problem = decode_json(response)
    errcode = _text(payload, "errcode")
    error = _text(payload, "error") or errcode or f"HTTP {status}"

    if status == 429 or errcode == "M_LIMIT_EXCEEDED":
        return transient(f"{host} is rate-limiting us: will retry", retry_after=_retry_after(payload, response))
    if action == "login" and (status in (401, 403) or errcode in ("M_FORBIDDEN", "M_USER_DEACTIVATED")):
        return auth(f"{host} rejected the user name or password: {error}")
    if status == 401 or errcode in _AUTH_CODES:
        return auth(TOKEN_REJECTED)
    if status >= 500:
        detail = f": {error}" if payload else ""
        return transient(
            f"{host} had a server error (HTTP {status}){detail}", retry_after=retry_after_seconds(response)
        )
    if payload is None:
        return transient(f"{host} {problem} (HTTP {status})")
    if 200 <= status < 300:
        return unexpected_shape(response.url or url, expected or "usable data")
    if errcode == "M_UNRECOGNIZED":
        return permanent(f"{host} does not understand this request (is it a recent Matrix homeserver?): {error}")
    if status == 403 or errcode == "M_FORBIDDEN":
        return permanent(f"Not allowed to {action} in {room}: {error}")
    if status == 404 or errcode == "M_NOT_FOUND":
        if event_id is not None:
            return permanent(f"The message {event_id} in {room} does not exist (any more): {error}")
        return permanent(f"The room {room} does not exist (any more)")
    if status in (408, 409):
        return transient(f"{host} could not {action} right now (HTTP {status}): {error}")
    return permanent(f"{host} refused to {action} (HTTP {status}): {error}")
