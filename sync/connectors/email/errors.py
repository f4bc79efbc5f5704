"""What an SMTP or IMAP failure means (`classify_error`), decided in one place.

Followed: RFC 5321 4.2.1 (4yz replies are transient, 5yz permanent), RFC 4954 (535: authentication failed),
RFC 3501 7.1 / RFC 5530 (IMAP `NO [AUTHENTICATIONFAILED]`).
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl

from sync.errors import SyncError, auth, permanent, transient


def classify_error(exc: BaseException, *, host: str, action: str) -> SyncError:
    """Every failure talking to a mail server as a SyncError naming the host."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return auth(f"{host} rejected the user name or password: sign in again")
    if isinstance(exc, imaplib.IMAP4.error) and not isinstance(exc, imaplib.IMAP4.abort):
        text = str(exc)
        if "AUTHENTICATIONFAILED" in text.upper() or ("LOGIN" in text.upper() and "fail" in text.lower()):
            return auth(f"{host} rejected the user name or password: sign in again")
        return permanent(f"{host} refused to {action}: {text[:200]}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return permanent(f"{host} refused the team address: {_first_reply(exc)}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return permanent(f"{host} refused the sender address: {exc.smtp_error.decode('utf-8', 'replace')[:200]}")
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace")[:200] if isinstance(exc.smtp_error, bytes) else ""
        if 400 <= exc.smtp_code < 500:
            return transient(f"{host} could not {action} right now ({exc.smtp_code} {detail})")
        return permanent(f"{host} refused to {action} ({exc.smtp_code} {detail})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return permanent(f"{host} does not offer STARTTLS: choose tls (port 465) or ask the mail admin")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return transient(f"TLS failure talking to {host}: the certificate is not trusted")
    if isinstance(exc, ssl.SSLError):
        return transient(f"TLS failure talking to {host}: the handshake failed")
    if isinstance(exc, TimeoutError | socket.timeout):
        return transient(f"{host} did not answer in time")
    if isinstance(exc, ConnectionRefusedError):
        return transient(f"{host} refused the connection (is the server running?)")
    if isinstance(exc, socket.gaierror):
        return transient(f"cannot find the server {host} (DNS lookup failed)")
    if isinstance(exc, smtplib.SMTPException | imaplib.IMAP4.abort | OSError | EOFError):
        return transient(f"{host} broke off the connection: {type(exc).__name__}")
    return transient(f"mail problem with {host}: {type(exc).__name__}")


def _first_reply(exc: smtplib.SMTPRecipientsRefused) -> str:
    for code, text in exc.recipients.values():
        return f"{code} {text.decode('utf-8', 'replace')[:200]}"
    return "no reason given"
