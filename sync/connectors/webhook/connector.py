"""A generic outbound webhook, signed the Standard Webhooks 1.0 way (push only).

Settings: `url` (the receiver). Secret: the signing secret, normally in the Standard Webhooks form
`whsec_<base64>` (the key is the decoded bytes); any other string is used as a raw key (its UTF-8 bytes).

Each shared moment is one POST of

    {"type": "learning_moment.created", "timestamp": "<ISO 8601 now>",
     "data": {"id", "kind", "title", "body", "url", "tags", "created_at", "text", "html"}}

with the headers
    webhook-id         the outbox row's idempotency key: the same on every retry, so receivers dedupe on it
    webhook-timestamp  unix seconds (integer) of this attempt
    webhook-signature  `v1,<base64 HMAC-SHA256(key, f"{webhook-id}.{webhook-timestamp}.{body}")>`

For integrators: check a delivery with `verify_signature(secret, webhook-id, webhook-timestamp, raw body,
webhook-signature)` (or any Standard Webhooks library); it compares in constant time, accepts a
space-separated list of signatures (secret rotation) and rejects timestamps more than 5 minutes off.
Answer 2xx when you have it; 410 Gone asks Inflow to stop sending; 429/502/503/504 with Retry-After
make it wait.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
import urllib3

from sync.connector import FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.errors import NotSupportedError, SyncError, auth, clean_message, decode_body, gone, permanent, transient
from sync.formatting import as_html, as_plain_text
from sync.http import host_of, network_error, retry_after_seconds

EVENT_TYPE = "learning_moment.created"
TEST_EVENT_TYPE = "inflow.test"
SECRET_PREFIX = "whsec_"
#: How far a delivery's webhook-timestamp may be from the receiver's clock (Standard Webhooks: 5 minutes).
TIMESTAMP_TOLERANCE_S = 300
_MESSAGE_LIMIT = 300


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret: base64-decoded after `whsec_`, else the string's UTF-8 bytes.

    Raises ValueError for an empty secret or a `whsec_` secret that is not base64.
    """
    secret = secret.strip()
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the signing secret is not valid base64 after 'whsec_'") from exc
    else:
        key = secret.encode("utf-8")
    if not key:
        raise ValueError("the signing secret is empty")
    return key


def sign(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """The `webhook-signature` value (`v1,<base64>`) for one delivery."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def verify_signature(
    secret: str,
    msg_id: str,
    timestamp: int | str,
    body: bytes | str,
    header: str,
    *,
    now: float | None = None,
    tolerance: float = TIMESTAMP_TOLERANCE_S,
) -> bool:
    """Whether `header` (one or more space-separated `v1,<base64>`) signs this delivery with `secret`.

    False when no v1 signature matches (constant-time comparison) or when `timestamp` is not an integer
    within `tolerance` seconds of `now` (default: the clock). ValueError for a malformed secret.
    """
    key = signing_key(secret)
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    expected = sign(key, msg_id, sent_at, raw).encode("ascii")
    matched = False
    for candidate in header.split():
        if candidate.startswith("v1,"):
            matched |= hmac.compare_digest(expected, candidate.encode("utf-8", errors="replace"))
    return matched


class WebhookConnector:
    """POSTs each moment, signed, to one URL. Push only."""

    kind: ClassVar[str] = "webhook"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Receiver URL", help="where Inflow POSTs signed JSON (Standard Webhooks 1.0)", url=True),
    )
    secret_label: ClassVar[str] = "Signing secret (whsec_…)"
    can_edit: ClassVar[bool] = False
    can_retract: ClassVar[bool] = False
    can_pull: ClassVar[bool] = False

    def __init__(
        self,
        target: Target,
        secret: str | None,
        http: requests.Session,
        state: MutableMapping[str, str],
    ) -> None:
        self._target = target
        self._secret = secret
        self._http = http
        self._state = state
        self.clock = time.time  # replaceable in tests

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        """Sends a signed `inflow.test` ping; the receiver should answer 2xx."""
        url = self._url()
        data = {"message": "A signed test delivery from Inflow: you can ignore it"}
        response = self._deliver(f"inflow-test-{uuid.uuid4()}", TEST_EVENT_TYPE, data)
        return f"Webhook at {_host(url)} accepted the signed test (HTTP {response.status_code})"

    def send(self, moment: OutgoingMoment) -> SendResult:
        """POST `learning_moment.created`; webhook-id = the idempotency key, so receivers can dedupe retries."""
        data = {
            "id": moment.moment_id,
            "kind": moment.kind,
            "title": moment.title,
            "body": moment.body,
            "url": moment.url,
            "tags": list(moment.tags),
            "created_at": moment.created_at,
            "text": as_plain_text(moment),
            "html": as_html(moment),
        }
        self._deliver(moment.idempotency_key, EVENT_TYPE, data)
        return SendResult(remote_id=moment.idempotency_key)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        raise NotSupportedError("A webhook cannot change what it delivered: the receiver keeps the first version")

    def retract(self, remote_id: str) -> None:
        raise NotSupportedError("A webhook cannot take back a delivery: the receiver keeps what it got")

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        raise NotSupportedError("A webhook only sends: replies stay wherever the receiver puts them")

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        raise NotSupportedError("A webhook only sends: Inflow cannot read anything back from it")

    # ------------------------------------------------------------------ HTTP

    def _url(self) -> str:
        url = self._target.get("url").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise permanent(f"The webhook URL {url!r} is not an http(s) URL: check the target's settings")
        return url

    def _key(self) -> bytes:
        if not self._secret:
            raise auth("No signing secret is set for this webhook: enter it in Settings")
        try:
            return signing_key(self._secret)
        except ValueError as exc:
            raise auth(f"The webhook's signing secret is unusable: {exc}") from exc

    def _deliver(self, msg_id: str, event_type: str, data: dict[str, Any]) -> requests.Response:
        url = self._url()
        key = self._key()
        now = self.clock()
        seconds = int(now)
        iso = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = json.dumps(
            {"type": event_type, "timestamp": iso, "data": data}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(seconds),
            "webhook-signature": sign(key, msg_id, seconds, body),
        }
        try:
            response = self._http.post(url, data=body, headers=headers)
        except requests.RequestException as exc:
            raise network_error(exc, url) from exc
        except urllib3.exceptions.HTTPError as exc:  # a body cut off mid-read (the session streams it raw)
            raise transient(f"the connection to {_host(url)} broke off while it answered") from exc
        if response.history and response.request.method != "POST":
            raise permanent(
                f"The webhook at {_host(url)} redirected the delivery to {response.url}, which dropped it "
                "(the POST became a GET): set the URL to the final address"
            )
        if not 200 <= response.status_code < 300:
            raise classify(response)
        return response


def classify(response: requests.Response) -> SyncError:
    """A non-2xx answer from the receiver as a SyncError (see the module docstring for the meanings)."""
    status = response.status_code
    host = _host(response.url)
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


def _host(url: str | None) -> str:
    return host_of(url, "the receiver")


CONNECTOR = WebhookConnector
