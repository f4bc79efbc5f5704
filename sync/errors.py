"""How a connector says what went wrong, classified once, where the backend's meaning is known."""

from __future__ import annotations

import base64
import enum
import re
from urllib.parse import quote, quote_plus, urlsplit

#: The longest message kept (a server's words are cut to fit, with an ellipsis).
MESSAGE_LIMIT = 400
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")  # not the whitespace ones: split() takes those


class ErrorKind(enum.StrEnum):
    TRANSIENT = "transient"  # network, 5xx, 429: retry later (honouring retry_after)
    PERMANENT = "permanent"  # the backend refused this item: dead, shown with a Retry button
    AUTH = "auth"  # the credentials no longer work: pause the whole target, ask to sign in again
    GONE = "gone"  # the backend asks us to stop (410 Gone, an archived channel): pause the target, say why


class SyncError(Exception):
    """A classified failure. `message` is written for the person (it is shown in the library)."""

    def __init__(self, kind: ErrorKind, message: str, *, retry_after: float | None = None) -> None:
        message = clean_message(message)
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"SyncError({self.kind.value}, {self.message!r}, retry_after={self.retry_after})"


def clean_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line for a person: control characters dropped (escape sequences in a server's error body
    never reach the library or a terminal), whitespace collapsed, cut to `limit` with an ellipsis."""
    flat = " ".join(_CONTROLS.sub("", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# A credential after Bearer/Basic/token=: 8+ token characters with a digit or mixed case, as tokens and
# base64 have and words do not ("Basic authentication", "token=expired" stay).
_CREDENTIAL = re.compile(
    r"\b((?i:bearer|basic)\s+|(?i:token)=)(?=[\w.~+/-]*?(?:\d|[a-z][A-Z]|[A-Z]{2}))[\w.~+/-]{8,}=*", re.ASCII
)
REDACTED = "•••"


def redact(text: str, secret: str | None) -> str:
    """`text` without the secret in any form a server might echo it in (as typed, URL-encoded, base64,
    a secret URL's path) and without any Bearer/Basic credential: what is recorded or logged from a
    server's answer never carries a secret to disk."""
    forms = set()
    if secret and len(secret) >= 4:
        raw = secret.encode()
        encoded = (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode())
        forms = {secret, quote(secret, safe=""), quote_plus(secret), *encoded, *(e.rstrip("=") for e in encoded)}
        parts = urlsplit(secret)
        if parts.scheme in ("http", "https") and len(parts.path) > 1:
            forms.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return _CREDENTIAL.sub(lambda m: m.group(1) + REDACTED, text)


def scrubbed(exc: SyncError, secret: str | None) -> SyncError:
    """The same error with `redact` applied to its message (itself when nothing changes)."""
    message = redact(exc.message, secret)
    return exc if message == exc.message else SyncError(exc.kind, message, retry_after=exc.retry_after)


def decode_body(raw: bytes) -> str:
    """A response body as text for an error message: UTF-8 with bad bytes replaced; a binary body
    (NUL bytes, or mostly undecodable) is described by its size instead of shown as mojibake."""
    if not raw.strip():
        return ""
    text = raw.decode("utf-8", errors="replace")
    junk = sum(1 for c in text if c == "\ufffd" or _CONTROLS.match(c))
    if b"\x00" in raw or junk * 10 > len(text) * 3:
        return f"a binary answer ({len(raw):,} bytes)"
    return text.strip()


def transient(message: str, retry_after: float | None = None) -> SyncError:
    return SyncError(ErrorKind.TRANSIENT, message, retry_after=retry_after)


def permanent(message: str) -> SyncError:
    return SyncError(ErrorKind.PERMANENT, message)


def auth(message: str) -> SyncError:
    return SyncError(ErrorKind.AUTH, message)


def gone(message: str) -> SyncError:
    return SyncError(ErrorKind.GONE, message)


class NotSupportedError(Exception):
    """The backend cannot do this (edit, retract, replies, feed); the message says what stays online."""
