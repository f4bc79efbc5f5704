"""What Slack's answer to a webhook POST means (`raise_for_answer`): a 2xx `ok`, or a short text code."""

from __future__ import annotations

import requests

from sync.errors import SyncError, auth, decode_body, gone, permanent, transient
from sync.http import host_of, retry_after_seconds

_AUTH_CODES = ("action_prohibited", "invalid_token", "team_disabled", "no_service", "no_team")


def raise_for_answer(response: requests.Response) -> None:
    """Nothing for Slack's 2xx `ok`, else the failure as a SyncError."""
    status = response.status_code
    text = decode_body(response.content or b"")
    html = text[:1] == "<"  # a page; not the Content-Type: Slack sends its plain codes as text/html
    code = "" if html else " ".join(text.split())[:100]
    host = webhook_host(response.url)
    if 200 <= status < 300:
        if html:
            raise transient(f"{host} answered with an HTML page instead of Slack's ok (a proxy or captive portal?)")
        return
    if status == 429:
        raise transient("Slack is rate-limiting the webhook: will retry", retry_after_seconds(response))
    if status >= 500 or status == 408 or html:
        detail = "an HTML page (a proxy?)" if html else (code or "no details")
        raise transient(f"{host} failed (HTTP {status}): {detail}", retry_after_seconds(response))
    raise _refusal(status, code)


def _refusal(status: int, code: str) -> SyncError:
    if code in _AUTH_CODES or status in (401, 403):
        return auth(f"Slack no longer accepts this webhook URL ({code or status}): create a new one and paste it")
    if code == "channel_not_found" or status == 404:
        return permanent(f"The webhook's channel no longer exists ({code or status}): create a new webhook")
    if code == "channel_is_archived" or status == 410:
        return gone("The webhook's channel is archived: unarchive it or create a webhook for another channel")
    return permanent(f"Slack refused the message ({status} {code or 'without a reason'})")


def webhook_host(url: str | None) -> str:
    return host_of(url, "the webhook")
