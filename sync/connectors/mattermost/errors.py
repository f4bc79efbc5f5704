"""What a Mattermost answer means (`classify_error`), decided in one place."""

from __future__ import annotations

import requests

from sync.connectors.mattermost.content import PENDING, PENDING_RETRY_S, str_field
from sync.errors import SyncError, auth, permanent, transient
from sync.http import decode_json, host_of, network_error, retry_after_seconds


def _reset_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("X-Ratelimit-Reset")
    try:
        return max(0.0, float(value)) if value else retry_after_seconds(response)
    except ValueError:
        return retry_after_seconds(response)


def classify_error(
    failure: requests.Response | requests.RequestException,
    *,
    channel: str,
    action: str = "post",
    post_id: str | None = None,
    expected: str | None = None,
    url: str = "",
) -> SyncError:
    """Every Mattermost failure as a SyncError (a non-2xx, or a 2xx without the JSON we need)."""
    if isinstance(failure, requests.RequestException):
        return network_error(failure, url)
    response = failure
    host = host_of(response.url or url)
    status = response.status_code
    payload, problem = decode_json(response)
    error_id = str_field(payload, "id")
    message = str_field(payload, "message") or error_id or f"HTTP {status}"
    if status == 429:
        return transient(f"{host} is rate-limiting us: will retry", retry_after=_reset_seconds(response))
    if error_id == PENDING:
        return transient(f"{host} is still saving this post: will check again", retry_after=PENDING_RETRY_S)
    if status == 401:
        return auth(f"{host} rejected the token (expired or revoked?): {message}")
    if status >= 500:
        detail = f": {message}" if payload else ""
        return transient(
            f"{host} had a server error (HTTP {status}){detail}", retry_after=retry_after_seconds(response)
        )
    if payload is None:
        return transient(f"{host} {problem} (HTTP {status})")
    if 200 <= status < 300:
        return transient(f"{host} answered with JSON of an unexpected shape (no {expected or 'usable data'})")
    if status == 403:
        if post_id is not None:
            return permanent(f"Cannot {action} the post {post_id} (deleted, or not ours?): {message}")
        return permanent(f"No permission to {action} in the channel {channel}: {message}")
    if status == 404:
        if post_id is not None:
            return permanent(f"The post {post_id} does not exist (any more): {message}")
        return permanent(f"The channel {channel} does not exist (any more), or the token cannot see it: {message}")
    if "deleted" in error_id or "archived" in error_id:
        return permanent(f"The channel {channel} is archived: {message}")
    if status in (408, 409):
        return transient(f"{host} could not {action} right now (HTTP {status}): {message}")
    return permanent(f"{host} refused to {action} (HTTP {status}): {message}")
