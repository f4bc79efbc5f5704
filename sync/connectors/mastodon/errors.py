"""What a Mastodon answer means (`classify_error`), decided in one place.

Followed: docs.joinmastodon.org entities/Error (`{"error", "error_description"}`) and api/rate-limits
(300 requests per 5 minutes per account, 30 status deletions per 30 minutes; 429 with the
`X-RateLimit-Reset` time; a `Retry-After` is honoured too).
"""

from __future__ import annotations

import time
from datetime import datetime

import requests

from sync.errors import SyncError, auth, permanent, transient
from sync.http import decode_json, host_of, network_error, retry_after_seconds


def reset_seconds(response: requests.Response) -> float | None:
    """Seconds until the rate limit resets: Retry-After, else the X-RateLimit-Reset ISO time."""
    after = retry_after_seconds(response)
    if after is not None:
        return after
    value = response.headers.get("X-RateLimit-Reset", "")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, when.timestamp() - time.time())


def classify_error(
    failure: requests.Response | requests.RequestException, *, action: str, status_id: str | None = None, url: str = ""
) -> SyncError:
    """Every Mastodon failure as a SyncError (a non-2xx, or a 2xx without the JSON we need)."""
    if isinstance(failure, requests.RequestException):
        return network_error(failure, url)
    response = failure
    host = host_of(response.url or url)
    status = response.status_code
    payload, problem = decode_json(response)
    detail = str((payload or {}).get("error") or f"HTTP {status}")[:300]
    if status == 429:
        return transient(f"{host} is rate-limiting us: will retry", retry_after=reset_seconds(response))
    if status == 401:
        return auth(f"{host} rejected the access token (revoked, or missing the write:statuses scope?): {detail}")
    if status >= 500:
        return transient(f"{host} had a server error (HTTP {status})", retry_after=retry_after_seconds(response))
    if 200 <= status < 300:
        return transient(f"{host} {problem or 'answered without the status we need'}")
    if status == 403:
        return permanent(f"{host} does not allow this account to {action}: {detail}")
    if status == 404:
        what = f"The status {status_id}" if status_id else "The server's API"
        return permanent(f"{what} does not exist (any more) on {host}: {detail}")
    if status == 422:
        return permanent(f"{host} refused the status: {detail}")
    if status in (408, 409):
        return transient(f"{host} could not {action} right now (HTTP {status}): {detail}")
    if payload is None:
        return permanent(f"{host} refused to {action} (HTTP {status}) and {problem}")
    return permanent(f"{host} refused to {action} (HTTP {status}): {detail}")
