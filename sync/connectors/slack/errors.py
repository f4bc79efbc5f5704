"""What a Slack Web API answer means (`ok_payload`): `ok: true`, or an error code."""

from __future__ import annotations

from typing import Any

import requests

from sync.errors import auth, permanent, transient
from sync.http import retry_after_seconds

GONE = "The Slack message no longer exists"
NO_THREAD = "The Slack thread no longer exists"
_AUTH = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type",
    "no_permission", "team_access_not_granted", "org_login_required", "ekm_access_denied", "two_factor_setup_required",
})  # fmt: skip
_TRANSIENT = frozenset({
    "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
    "team_added_to_org", "accesslimited",
})  # fmt: skip
_TOO_BIG = frozenset({
    "msg_too_long", "invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "too_many_attachments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "metadata_must_be_sent_from_app",
    "no_text", "invalid_arguments",
})  # fmt: skip


def _json(response: requests.Response) -> dict[str, Any] | None:
    try:
        value = response.json()
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def ok_payload(response: requests.Response, method: str, where: str) -> dict[str, Any]:
    """The payload of an `ok: true` answer, else the failure as a SyncError (raised)."""
    from urllib.parse import urlsplit

    host = urlsplit(response.url or "").hostname or "Slack"
    status = response.status_code
    payload = _json(response)
    code = payload.get("error") if payload else None
    code = code if isinstance(code, str) else ""
    if status == 429 or code in ("ratelimited", "rate_limited"):
        raise transient(f"Slack is rate-limiting {method}: will retry", retry_after_seconds(response))
    if payload is None:
        kind = "an HTML page (a proxy?)" if response.text.lstrip()[:1] == "<" else "something that is not JSON"
        hint = ": check the API URL" if status == 404 else ""
        raise transient(f"{host} answered {method} with {kind} (HTTP {status}){hint}", retry_after_seconds(response))
    if payload.get("ok") is True and 200 <= status < 300:
        return payload
    if status >= 500 or code in _TRANSIENT:
        problem = code or f"HTTP {status}"
        raise transient(f"Slack had a problem with {method} ({problem})", retry_after_seconds(response))
    if code in _AUTH or (status in (401, 403) and not code):
        raise auth(f"Slack rejected the bot token ({code or status}): get a new token and enter it in Settings")
    if code in ("channel_not_found", "not_in_channel"):
        raise permanent(f"The bot is not in {where}: invite it with /invite @Inflow (or check the channel id)")
    if code in ("is_archived", "channel_is_archived"):
        raise permanent(f"{where} is archived: unarchive it or choose another channel")
    if code == "missing_scope":
        needed = payload.get("needed") if isinstance(payload.get("needed"), str) else "a scope"
        raise permanent(f"The Slack app lacks {needed}: reinstall it from the Inflow app manifest")
    if code == "message_not_found":
        raise permanent(GONE)
    if code == "thread_not_found":
        raise permanent(NO_THREAD)
    if code in ("cant_update_message", "cant_delete_message", "edit_window_closed"):
        raise permanent(f"Slack does not allow {method} on this message ({code}): only the bot's own posts")
    if code in _TOO_BIG:
        raise permanent(f"Slack refused the message ({code})")
    if code in ("restricted_action", "restricted_action_read_only_channel", "posting_to_general_channel_denied"):
        raise permanent(f"Posting in {where} is restricted by the workspace ({code})")
    raise permanent(f"Slack refused {method}: {code or f'HTTP {status}'}")
