"""A server's error text that echoes a secret back is recorded without it (issue 14 part 4)."""

from __future__ import annotations

import base64

from sync.errors import REDACTED, ErrorKind, SyncError, redact, scrubbed


def test_every_form_of_the_secret_is_redacted() -> None:
    secret = "tok/en+42 secret"
    echoed = " | ".join(
        [secret, "tok%2Fen%2B42%20secret", "tok%2Fen%2B42+secret", base64.b64encode(secret.encode()).decode()]
    )
    assert redact(echoed, secret) == " | ".join([REDACTED] * 4)


def test_a_secret_urls_path_and_any_bearer_or_basic_credential_are_redacted() -> None:
    url = "https://hooks.example.com/services/T0/B1/xyzzy123"
    text = "no hook at /services/T0/B1/xyzzy123; sent Authorization: Bearer abcdefgh12 and Basic dXNlcjpwYXNzMQ=="
    assert redact(text, url) == f"no hook at {REDACTED}; sent Authorization: Bearer {REDACTED} and Basic {REDACTED}"
    words = "Basic authentication failed; the access token verification failed (token=expired)"
    assert redact(words, url) == words


def test_scrubbed_keeps_kind_and_retry_after_and_plain_messages_untouched() -> None:
    error = SyncError(ErrorKind.TRANSIENT, "busy: token sEcReT-99 refused", retry_after=5)
    clean = scrubbed(error, "sEcReT-99")
    assert (clean.kind, clean.retry_after, clean.message) == (ErrorKind.TRANSIENT, 5, f"busy: token {REDACTED} refused")
    plain = SyncError(ErrorKind.AUTH, "Invalid token")
    assert scrubbed(plain, "sEcReT-99") is plain
