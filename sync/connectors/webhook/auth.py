"""Standard Webhooks 1.0 signatures: the key of a secret, signing a delivery, verifying one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

SECRET_PREFIX = "whsec_"


#: How far a delivery's webhook-timestamp may be from the receiver's clock (Standard Webhooks: 5 minutes).
TIMESTAMP_TOLERANCE_S = 300


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
