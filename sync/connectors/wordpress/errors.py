"""What a WordPress REST answer means (`classify_error`), decided in one place.

Followed: the WordPress REST API handbook, "Using the REST API > Authentication" (application passwords,
Basic auth; `incorrect_password`, `invalid_username`, `rest_not_logged_in` are 401) and the error shape
`{"code", "message", "data": {"status"}}`; `rest_cannot_create` / `rest_cannot_edit` are 403,
`rest_post_invalid_id` 404. 429 and 503 (a proxy or a rate-limit plugin) carry Retry-After.
"""

from __future__ import annotations

import requests

from sync.errors import SyncError, auth, permanent, transient
from sync.http import decode_json, host_of, network_error, retry_after_seconds

_AUTH_CODES = {"incorrect_password", "invalid_username", "invalid_email", "rest_not_logged_in",
               "application_passwords_disabled", "application_passwords_disabled_for_user"}  # fmt: skip


def classify_error(
    failure: requests.Response | requests.RequestException, *, action: str, post_id: str | None = None, url: str = ""
) -> SyncError:
    """Every WordPress failure as a SyncError (a non-2xx, or a 2xx without the JSON we need)."""
    if isinstance(failure, requests.RequestException):
        return network_error(failure, url)
    response = failure
    host = host_of(response.url or url)
    status = response.status_code
    payload, problem = decode_json(response)
    code = str((payload or {}).get("code") or "")
    detail = str((payload or {}).get("message") or f"HTTP {status}")[:300]
    if status in (429, 503):
        return transient(f"{host} is busy or rate-limiting us: will retry", retry_after=retry_after_seconds(response))
    if status == 401 or code in _AUTH_CODES:
        return auth(
            f"{host} rejected the user name or application password ({detail}): sign in again with a new "
            "application password (Users > Profile > Application Passwords)"
        )
    if status >= 500:
        return transient(f"{host} had a server error (HTTP {status})", retry_after=retry_after_seconds(response))
    if 200 <= status < 300:
        return transient(f"{host} {problem or 'answered without the post we need'}")
    if status == 403:
        return permanent(f"{host} does not allow this account to {action} (it needs the Author role or more): {detail}")
    if status == 404:
        what = f"The post {post_id}" if post_id and code == "rest_post_invalid_id" else "The site's REST API"
        return permanent(f"{what} does not exist (any more) on {host}: {detail}")
    if status in (408, 409):
        return transient(f"{host} could not {action} right now (HTTP {status}): {detail}")
    if payload is None:
        return permanent(f"{host} refused to {action} (HTTP {status}) and {problem}")
    return permanent(f"{host} refused to {action} (HTTP {status}): {detail}")
