"""What a receiver's non-2xx answer means (`classify_error`), with its reason in one short line."""

from __future__ import annotations

import json
import re

import requests

from sync.errors import SyncError, auth, clean_message, decode_body, gone, permanent, transient
from sync.http import host_of, retry_after_seconds

_MESSAGE_LIMIT = 300


def classify_error(response: requests.Response) -> SyncError:
    """A non-2xx answer from the receiver as a SyncError (see the module docstring for the meanings)."""
    status = response.status_code
    host = receiver_host(response.url)
    detail = _answer_detail(response)
    reason = f": {detail}" if detail else ""
    if status == 410:
        return gone(
            f"The receiver disabled this webhook (410 Gone): {host} asks Inflow to stop sending; "
            "once it takes deliveries again, resume the target in Settings"
        )
    if status in (401, 403):
        return auth(f"The webhook at {host} refused the delivery ({status}): check the signing secret{reason}")
    if status == 429:
        return transient(f"The webhook at {host} asks to slow down (429){reason}", retry_after_seconds(response))
    if status == 408 or status >= 500:
        return transient(f"The webhook at {host} failed ({status}){reason}", retry_after_seconds(response))
    if 400 <= status < 500:
        return permanent(f"The webhook at {host} rejected the delivery ({status}){reason}")
    return transient(f"The webhook at {host} answered unexpectedly (HTTP {status}){reason}")


def _answer_detail(response: requests.Response) -> str:
    """What the receiver said, in one short line: a JSON message, an HTML page's title, or the text."""
    text = decode_body(response.content or b"")
    if not text:
        return ""
    if "html" in response.headers.get("Content-Type", "").lower() or text[:1] == "<":
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        page_title = _one_line(title.group(1)) if title else ""
        return f"an HTML page{' (' + page_title + ')' if page_title else ''}"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _one_line(text)
    if isinstance(value, dict):
        for field in ("message", "detail", "error"):
            if isinstance(value.get(field), str):
                return _one_line(value[field])
    return _one_line(text)


def _one_line(text: str) -> str:
    return clean_message(text, _MESSAGE_LIMIT)


def receiver_host(url: str | None) -> str:
    return host_of(url, "the receiver")
