"""What a Discourse answer means (`classify_error`), decided in one place."""

from __future__ import annotations

from typing import Any

import requests

from sync.errors import SyncError, auth, permanent, transient
from sync.http import decode_json, host_of, network_error, retry_after_seconds


def error_messages(payload: dict[str, Any] | None) -> str:
    errors = payload.get("errors") if payload else None
    if isinstance(errors, list):
        return "; ".join(str(e) for e in errors if isinstance(e, str | int | float))
    return errors if isinstance(errors, str) else ""


def _wait(payload: dict[str, Any] | None, response: requests.Response) -> float | None:
    extras = payload.get("extras") if payload else None
    seconds = extras.get("wait_seconds") if isinstance(extras, dict) else None
    waits = [retry_after_seconds(response)]
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        waits.append(float(seconds))
    known = [w for w in waits if w is not None]
    return max(known) if known else None


def classify_error(
    failure: requests.Response | requests.RequestException,
    *,
    category: str,
    action: str = "post",
    topic_id: str | None = None,
    expected: str | None = None,
    url: str = "",
) -> SyncError:
    """Every Discourse failure as a SyncError (a non-2xx, or a 2xx without the JSON we need)."""
    if isinstance(failure, requests.RequestException):
        return network_error(failure, url)
    response = failure
    host = host_of(response.url or url)
    status = response.status_code
    payload, problem = decode_json(response)
    error_type = payload.get("error_type") if payload else None
    message = error_messages(payload) or (error_type if isinstance(error_type, str) else "") or f"HTTP {status}"
    if status == 429 or error_type == "rate_limit":
        return transient(f"{host} is rate-limiting us: will retry", retry_after=_wait(payload, response))
    if status >= 500:
        detail = f": {message}" if payload else ""
        return transient(
            f"{host} had a server error (HTTP {status}){detail}", retry_after=retry_after_seconds(response)
        )
    if payload is None:
        return transient(f"{host} {problem} (HTTP {status})")
    if 200 <= status < 300:
        return transient(f"{host} answered with JSON of an unexpected shape (no {expected or 'usable data'})")
    bad_key = "API username or key is invalid" in message or "invalid_api_credentials" in message
    if status == 401 or error_type == "not_logged_in" or bad_key:
        return auth(f"{host} rejected the API key or user name: {message}")
    if status == 403:
        if topic_id is not None:
            return permanent(f"Not allowed to {action} the topic {topic_id}: {message}")
        return auth(f"{host} does not let this API key {action} in the category {category}: {message}")
    if status == 404:
        if topic_id is not None:
            return permanent(f"The topic {topic_id} does not exist (any more): {message}")
        return permanent(f"The category {category} does not exist on {host} (any more): {message}")
    if status in (408, 409):
        return transient(f"{host} could not {action} right now (HTTP {status}): {message}")
    return permanent(f"{host} refused to {action} (HTTP {status}): {message}")
