"""What an LRS's answer means (`classify_error`), with the LRS's own reason in one short line."""

from __future__ import annotations

import json
import re
from typing import Any

import requests

from sync.errors import SyncError, auth, clean_message, decode_body, gone, permanent, transient
from sync.http import host_of, retry_after_seconds

_MESSAGE_LIMIT = 300


def classify_error(response: requests.Response, action: str = "storing the statement") -> SyncError:
    """Every unusable LRS answer (non-2xx) as a SyncError whose message names the host and the LRS's reason."""
    status = response.status_code
    host = lrs_host(response.url)
    detail = answer_detail(response)
    reason = f": {detail}" if detail else ""
    if status in (401, 403):
        return auth(f"The LRS at {host} refused the username or password ({status}){reason}")
    if status == 429:
        return transient(f"The LRS at {host} asks to slow down (429){reason}", retry_after_seconds(response))
    if status == 408 or status >= 500:
        return transient(f"The LRS at {host} failed while {action} ({status}){reason}", retry_after_seconds(response))
    if status == 410:  # the endpoint is gone: every statement would fail alike, so the target pauses
        return gone(
            f"The LRS at {host} says this endpoint is gone (410){reason}; once it takes statements again, "
            "resume the target in Settings"
        )
    if status == 404:
        return permanent(f"The LRS at {host} has no such resource ({response.url} → 404): check the endpoint URL")
    if 400 <= status < 500:
        what = "rejected the statement" if action == "storing the statement" else f"refused {action}"
        return permanent(f"The LRS at {host} {what} ({status}){reason}")
    return transient(f"The LRS at {host} answered unexpectedly (HTTP {status}) while {action}{reason}")


def answer_detail(response: requests.Response) -> str:
    """What the LRS said, in one short line: its JSON message, an HTML page's title, or the text."""
    text = decode_body(response.content or b"")
    if not text:
        return ""
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type or text[:1] == "<":
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        page_title = _one_line(title.group(1)) if title else ""
        return f"an HTML page{' (' + page_title + ')' if page_title else ''} instead of an xAPI answer"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _one_line(text)
    return _json_message(value) or _one_line(text)


def _json_message(value: Any, depth: int = 0) -> str:
    """The human part of a JSON error: `message`/`detail`/`error`/`errors`, FastAPI's `[{"msg", "loc"}]`."""
    if depth > 3:
        return ""
    if isinstance(value, str):
        return _one_line(value)
    if isinstance(value, list):
        parts = [part for part in (_json_message(item, depth + 1) for item in value[:5]) if part]
        return _one_line("; ".join(parts))
    if isinstance(value, dict):
        if isinstance(value.get("msg"), str):  # pydantic / FastAPI validation error
            where = value.get("loc")
            loc = ".".join(str(part) for part in where) if isinstance(where, list) else ""
            return _one_line(f"{loc}: {value['msg']}" if loc else value["msg"])
        for key in ("message", "detail", "error_description", "error", "errors", "warnings"):
            if key in value:
                found = _json_message(value[key], depth + 1)
                if found:
                    return found
    return ""


def _one_line(text: str) -> str:
    return clean_message(text, _MESSAGE_LIMIT)


def decode_json(response: requests.Response) -> tuple[Any, str]:
    """The body as JSON, or None and what is wrong with it (phrased to follow the host name)."""
    raw = response.content or b""
    if not raw.strip():
        return None, "answered with an empty body"
    if "html" in response.headers.get("Content-Type", "").lower() or raw.lstrip()[:1] == b"<":
        return None, "answered with an HTML page instead of xAPI JSON (a proxy or login page?)"
    try:
        return json.loads(raw.decode("utf-8")), ""
    except UnicodeDecodeError:
        return None, "answered with text that is not valid UTF-8"
    except (ValueError, RecursionError):
        return None, "answered with broken JSON (cut off on the way?)"


def lrs_host(url: str | None) -> str:
    return host_of(url, "the LRS")
