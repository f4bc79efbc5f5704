"""What a Microsoft Graph answer means (`classify_error`), decided in one place."""

from __future__ import annotations

import requests

from sync.connector import Target
from sync.errors import ErrorKind, SyncError, auth, permanent, transient
from sync.http import decode_json, host_of, retry_after_seconds
from sync.microsoft_signin import sign_in_hint

_PERMISSION = {
    "post": "post in this channel: check the ChannelMessage.Send permission and its consent",
    "read": "read this channel: check the ChannelMessage.Read.All permission and its admin consent",
    "edit": "edit this message: check the ChannelMessage.ReadWrite permission and its admin consent",
    "retract": "remove this message: check the ChannelMessage.ReadWrite permission and its admin consent",
}


class DeltaExpiredError(SyncError):
    """410 Gone: a delta link Graph no longer knows (the feed starts from now again)."""


def graph_host(url: str | None) -> str:
    return host_of(url, "the server")


def classify_error(response: requests.Response, target: Target, *, action: str, message: bool) -> SyncError:
    """A non-2xx Graph answer as a SyncError (`message`: the request concerned one message)."""
    status, host = response.status_code, graph_host(response.url)
    payload, problem = decode_json(response)
    error = payload.get("error") if payload else None
    code = str(error.get("code") or "") if isinstance(error, dict) else ""
    text = str(error.get("message") or "") if isinstance(error, dict) else ""
    detail = f"{code}: {text}" if code and text else code or text or f"HTTP {status}"
    if status == 429:
        return transient(f"{host} is throttling us ({detail}): will retry", retry_after_seconds(response))
    if status >= 500 or status in (408, 409):
        return transient(f"{host} had a problem (HTTP {status}): {detail}", retry_after_seconds(response))
    if status == 401:
        return auth(f"{sign_in_hint(target)} (Graph rejected the token: {detail})")
    if payload is None:
        return transient(f"{host} {problem} (HTTP {status})")
    if status == 403:
        return permanent(f"Not allowed to {_PERMISSION.get(action, action)} ({detail})")
    if status == 404:
        if message or action in ("edit", "retract"):
            return permanent(f"The Teams message does not exist (any more): {detail}")
        return permanent(f"The team or channel does not exist (any more), or you are not a member: {detail}")
    if status == 410:
        return DeltaExpiredError(ErrorKind.PERMANENT, f"{host} forgot this change-tracking state: {detail}")
    return permanent(f"{host} refused to {action} (HTTP {status}): {detail}")
