"""Confluence storage format (XHTML) for our moments, our invisible marker, and errors decided in one place.

The marker is an `anchor` macro named `inflow-<moment id>` (invisible on the page, kept in the storage
format); a block appended to a team page ends with a second one, `inflow-end-<moment id>`.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import requests

from sync.connector import OutgoingMoment
from sync.errors import ErrorKind, SyncError, auth, permanent, transient
from sync.formatting import heading, markdown_to_html
from sync.http import host_of as _host_of
from sync.http import network_error, retry_after_seconds

MAX_TITLE = 200
"""Confluence titles may have 255 characters; leave room for the duplicate-title suffix."""
MAX_BODY = 200_000
TRUNCATED = "<p><em>… (truncated; the full text is in the sender's Inflow library)</em></p>"


def anchor(name: str) -> str:
    parameter = f'<ac:parameter ac:name="">{html.escape(name)}</ac:parameter>'
    return f'<ac:structured-macro ac:name="anchor">{parameter}</ac:structured-macro>'


def marker(moment_id: str) -> str:
    return f"inflow-{moment_id}"


def end_marker(moment_id: str) -> str:
    return f"inflow-end-{moment_id}"


def page_title(moment: OutgoingMoment) -> str:
    title = " ".join(heading(moment).split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def suffixed_title(moment: OutgoingMoment) -> str:
    """The title with a short, stable suffix for when the plain one is taken in the space."""
    return f"{page_title(moment)} ({moment.created_at[:10]}, {moment.moment_id[:8]})"


def _xhtml(fragment: str) -> str:
    """nh3's HTML as XHTML (the storage format is XML: void elements must close)."""
    return re.sub(r"<(br|hr)\s*/?>", r"<\1 />", fragment)


def storage_body(moment: OutgoingMoment, *, with_heading: bool = False) -> str:
    """The moment in storage format: marker, (heading), body, link, tags."""
    body = _xhtml(markdown_to_html(moment.body)) if moment.body.strip() != moment.title.strip() else ""
    if len(body) > MAX_BODY:
        body = _xhtml(markdown_to_html(moment.body[: MAX_BODY // 2])) + TRUNCATED
    parts = [anchor(marker(moment.moment_id))]
    if with_heading:
        parts.append(f"<h2>{html.escape(heading(moment))}</h2>")
    if body:
        parts.append(body)
    if moment.url:
        url = html.escape(moment.url, quote=True)
        parts.append(f'<p><a href="{url}">{url}</a></p>')
    if moment.tags:
        parts.append("<p>" + html.escape(" ".join(f"#{tag}" for tag in moment.tags)) + "</p>")
    return "".join(parts)


def block(moment: OutgoingMoment) -> str:
    """What is appended to a team page: the moment with its heading, between our two markers."""
    return storage_body(moment, with_heading=True) + anchor(end_marker(moment.moment_id))


def replace_block(page_body: str, moment_id: str, new: str) -> str | None:
    """`page_body` with our block (start marker .. end marker) replaced by `new`; None when it is not there."""
    start, end = anchor(marker(moment_id)), anchor(end_marker(moment_id))
    at = page_body.find(start)
    stop = page_body.find(end, at)
    if at < 0 or stop < 0:
        return None
    return page_body[:at] + new + page_body[stop + len(end) :]


def storage_to_text(value: str) -> str:
    """Storage format as plain text (macros dropped, block ends as line breaks)."""
    value = re.sub(r"<ac:structured-macro.*?</ac:structured-macro>", "", value, flags=re.DOTALL)
    value = re.sub(r"<br\s*/?>|</(p|h\d|li|div|tr|blockquote|pre)>", "\n", value, flags=re.IGNORECASE)
    value = html.unescape(re.sub(r"<[^>]+>", "", value))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in value.splitlines())).strip()


def marker_id(value: str) -> str | None:
    """The moment id in an Inflow marker anywhere in a storage body."""
    match = re.search(r'<ac:parameter ac:name="">inflow-(?!end-)([^<]+)</ac:parameter>', value)
    return html.unescape(match.group(1)) if match else None


# ---------------------------------------------------------------------- errors


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


def classify(failure: requests.Response | requests.RequestException, *, url: str, action: str) -> SyncError:
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
