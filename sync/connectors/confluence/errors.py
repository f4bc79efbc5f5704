"""What a Confluence answer means (`classify_error`), with the status kept for the connector's own decisions."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import requests

from sync.errors import ErrorKind, SyncError, auth, permanent, transient
from sync.http import host_of as _host_of
from sync.http import network_error, retry_after_seconds


def host_of(url: str | None) -> str:
    return _host_of(url, "Confluence")


def decode(response: requests.Response) -> tuple[Any, str]:
    """The JSON body, or None and what is wrong with it (phrased to follow the host name)."""
    raw = response.content or b""
    if not raw.strip():
        return None, "answered with an empty body"
    if "html" in response.headers.get("Content-Type", "").lower() or raw.lstrip()[:1] == b"<":
        found = re.search(rb"<title[^>]*>(.*?)</title>", raw[:20000], re.IGNORECASE | re.DOTALL)
        title = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split())[:120] if found else ""
        return None, f"answered with an HTML page{f' ({title})' if title else ''} instead of JSON (a proxy?)"
    try:
        return json.loads(raw.decode("utf-8")), ""
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "answered with broken JSON (cut off on the way?)"


def error_text(payload: Any) -> str:
    """The server's words from any of Confluence's error shapes (v2 `errors[]`, v1 `message`)."""
    if not isinstance(payload, dict):
        return ""
    errors = payload.get("errors")
    if isinstance(errors, list):
        words = []
        for error in errors:
            if isinstance(error, dict):
                words += [str(error[k]) for k in ("title", "detail", "message") if error.get(k)]
        if words:
            return "; ".join(words)[:300]
    for key in ("message", "detail", "title", "reason"):
        if isinstance(payload.get(key), str) and payload[key]:
            return str(payload[key])[:300]
    return ""


def _reset_wait(response: requests.Response) -> float | None:
    """Retry-After, else X-RateLimit-Reset (an ISO 8601 time, or seconds)."""
    wait = retry_after_seconds(response)
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if wait is not None or not reset:
        return wait
    try:
        return max(0.0, float(reset))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() - datetime.now(UTC).timestamp())


def classify_error(failure: requests.Response | requests.RequestException, *, url: str, action: str) -> SyncError:
    """Every Confluence failure as a SyncError; `action` says what we tried ("create the page")."""
    if isinstance(failure, requests.RequestException):
        return network_error(failure, url)
    response = failure
    host, status = host_of(response.url or url), response.status_code
    payload, problem = decode(response)
    said = error_text(payload) or problem or f"HTTP {status}"
    if status == 429 or (status == 503 and response.headers.get("Retry-After")):
        return transient(f"{host} is rate-limiting us: will retry", retry_after=_reset_wait(response))
    if status == 401:
        return auth(f"{host} refused the API token (HTTP 401): {said}; sign in again")
    if status >= 500 or (payload is None and problem.startswith("answered with an HTML")):
        return transient(
            f"{host} could not {action} (HTTP {status}): {said}", retry_after=retry_after_seconds(response)
        )
    if status == 403:
        return permanent(f"{host} does not allow us to {action} (HTTP 403): {said}")
    if status == 404:
        return permanent(f"{host} could not {action}: not found (HTTP 404; deleted, or no permission?): {said}")
    if status in (408, 409):
        return SyncError(ErrorKind.TRANSIENT, f"{host} could not {action} right now (HTTP {status}): {said}")
    if 200 <= status < 300:
        return transient(f"{host} {problem or 'answered with JSON of an unexpected shape'} (HTTP {status})")
    return permanent(f"{host} refused to {action} (HTTP {status}): {said}")


class StatusError(SyncError):
    """A classified failure that keeps the HTTP status (for duplicate titles and version conflicts)."""

    def __init__(self, error: SyncError, status: int) -> None:
        super().__init__(error.kind, error.message, retry_after=error.retry_after)
        self.status = status
