"""What a Teams workflow's answer means (`raise_for_answer`), the legacy 429-inside-a-200 included."""

from __future__ import annotations

import json

import requests

from sync.errors import auth, decode_body, permanent, transient
from sync.http import host_of, retry_after_seconds


def _detail(response: requests.Response) -> str:
    text = decode_body(response.content or b"")
    if not text:
        return ""
    if text[:1] == "<" or "html" in response.headers.get("Content-Type", "").lower():
        return "an HTML page (a proxy?)"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return " ".join(text.split())[:300]
    error = value.get("error") if isinstance(value, dict) else None
    if isinstance(error, dict):
        return " ".join(str(error.get(k, "")) for k in ("code", "message")).strip()[:300]
    return " ".join(text.split())[:300]


def raise_for_answer(response: requests.Response) -> None:
    """Nothing for a 2xx, else (or for the legacy 429-inside-a-200) the failure as a SyncError."""
    status = response.status_code
    detail = _detail(response)
    reason = f": {detail}" if detail else ""
    html = detail == "an HTML page (a proxy?)"
    if 200 <= status < 300:
        if status == 200 and "429" in response.text:
            raise transient("Teams is rate-limiting the workflow (HTTP 429 inside a 200): will retry")
        if html:
            raise transient(
                f"{workflow_host(response.url)} answered with an HTML page, not the workflow (a captive portal?)"
            )
        return
    if html and status != 429:
        raise transient(f"{workflow_host(response.url)} answered HTTP {status} with an HTML page (a proxy?)")
    if status == 429:
        raise transient(f"Teams is rate-limiting the workflow (429){reason}", retry_after_seconds(response))
    if status >= 500 or status == 408:
        raise transient(f"The Teams workflow failed (HTTP {status}){reason}", retry_after_seconds(response))
    if status in (401, 403):
        raise auth(f"The Teams workflow refused the URL ({status}): copy the flow's URL again{reason}")
    if status == 404:
        raise permanent(f"The workflow URL no longer exists (404): the flow was deleted or changed{reason}")
    if status == 400:
        raise permanent(f"The Teams workflow rejected the card (400){reason}")
    raise permanent(f"The Teams workflow refused the post (HTTP {status}){reason}")


def workflow_host(url: str | None) -> str:
    return host_of(url, "the workflow")
