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

import time
import uuid
from collections.abc import MutableMapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from sync.connector import OutgoingMoment, SendResult, Target, TargetKey
from sync.connectors.webhook.auth import sign, signing_key
from sync.connectors.webhook.content import EVENT_TYPE, TEST_DATA, TEST_EVENT_TYPE, event_body, moment_data
from sync.connectors.webhook.errors import classify_error, receiver_host
from sync.errors import auth, permanent
from sync.http import exchange
from sync.push import PushOnly


class WebhookConnector(PushOnly):
    """POSTs each moment, signed, to one URL. Push only."""

    kind: ClassVar[str] = "webhook"
    label: ClassVar[str] = "Signed webhook"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Receiver URL", help="where Inflow POSTs signed JSON (Standard Webhooks 1.0)", url=True),
    )
    secret_label: ClassVar[str] = "Signing secret (whsec_…)"
    cannot_edit = "A webhook cannot change what it delivered: the receiver keeps the first version"
    cannot_retract = "A webhook cannot take back a delivery: the receiver keeps what it got"
    cannot_reply = "A webhook only sends: replies stay wherever the receiver puts them"
    cannot_read = "A webhook only sends: Inflow cannot read anything back from it"

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        super().__init__(target, secret, http, state)
        self.clock = time.time  # replaceable in tests

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        """Sends a signed `inflow.test` ping; the receiver should answer 2xx."""
        url = self._url()
        response = self._deliver(f"inflow-test-{uuid.uuid4()}", TEST_EVENT_TYPE, TEST_DATA)
        return f"Webhook at {receiver_host(url)} accepted the signed test (HTTP {response.status_code})"

    def send(self, moment: OutgoingMoment) -> SendResult:
        """POST `learning_moment.created`; webhook-id = the idempotency key, so receivers can dedupe retries."""
        data = moment_data(moment)
        self._deliver(moment.idempotency_key, EVENT_TYPE, data)
        return SendResult(remote_id=moment.idempotency_key)

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
        body = event_body(event_type, now, data)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(seconds),
            "webhook-signature": sign(key, msg_id, seconds, body),
        }
        response = exchange(self._http, "POST", url, data=body, headers=headers)
        if response.history and response.request.method != "POST":
            raise permanent(
                f"The webhook at {receiver_host(url)} redirected the delivery to {response.url}, which dropped it "
                "(the POST became a GET): set the URL to the final address"
            )
        if not 200 <= response.status_code < 300:
            raise classify_error(response)
        return response


CONNECTOR = WebhookConnector
