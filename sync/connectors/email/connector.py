"""E-mail: a moment as a mail to the team address (SMTP submission), replies and list mail read over IMAP.

Followed: RFC 6409 (submission, port 587 with STARTTLS, or 465 implicit TLS per RFC 8314), RFC 3501 (IMAP
SEARCH HEADER, UID FETCH), RFC 5322 (Message-ID). No extra library: the standard library's smtplib, imaplib
and email (policy SMTP) cover submission, IMAP search and MIME. Answers are polled with the engine's back-off,
not IDLE (RFC 2177): imaplib has no IDLE and the engine calls a connector per pass, so a held connection
would have nobody to wake.

Once per outbox id: the Message-ID is made from the outbox id, so it is known before sending. A retry
(attempts > 0: the earlier try may have been sent before a crash) first searches the IMAP folder and Sent
for that Message-ID and returns it when found. Without IMAP settings there is nothing to search: a retry
after a crash between sending and recording sends again (the repeat carries the same Message-ID, which
many mail clients and list servers drop as a duplicate).
"""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import ClassVar

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.email.content import build_message, feed_item_from, message_id_for, parse, reply_from
from sync.connectors.email.errors import classify_error
from sync.errors import NotSupportedError, auth, permanent

TIMEOUT = 30.0
"""Seconds for every socket operation (connect, read) with a mail server."""
SECURITY = ("starttls", "tls", "plain")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
SENT_FOLDERS = ("Sent", "INBOX.Sent", "Sent Items", "Sent Messages")
MAX_FEED = 200


def os_trust_context() -> ssl.SSLContext:
    """Certificates checked against the OS store, as sync.http does for HTTPS (truststore)."""
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class EmailConnector:
    kind: ClassVar[str] = "email"
    label: ClassVar[str] = "E-mail (team address or list)"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("address", "Team address", help="e.g. learning@example.org"),
        TargetKey("smtp_host", "SMTP server", help="e.g. smtp.example.org"),
        TargetKey("smtp_port", "SMTP port", required=False, help="587 (default); 465 with tls"),
        TargetKey("security", "Security", required=False,
                  help="starttls (default) or tls"),
        TargetKey("username", "User name", help="e.g. ada@example.org"),
        TargetKey("imap_host", "IMAP server", required=False,
                  help="for replies: imap.example.org"),
        TargetKey("imap_port", "IMAP port", required=False, help="143 (default); 993 with tls"),
        TargetKey("folder", "IMAP folder", required=False, help="the list's mail (default INBOX)"),
    )  # fmt: skip
    secret_label: ClassVar[str] = "Mail password (or an app password)"
    can_edit: ClassVar[bool] = False
    can_retract: ClassVar[bool] = False
    can_pull: ClassVar[bool] = True
    speaks_http: ClassVar[bool] = False
    """Talks SMTP and IMAP, not HTTP (the HTTP redirect and error-page suites do not apply)."""
    cannot_edit: ClassVar[str] = "A sent mail cannot be changed: the change stays in Inflow only"
    cannot_retract: ClassVar[str] = "A sent mail cannot be called back: it stays in the team's inboxes"
    ssl_context: ClassVar[object] = None
    """Tests set an SSLContext trusting their own CA; None uses the OS trust store."""

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._to = target.get("address").strip()
        self._smtp_host = target.get("smtp_host").strip()
        self._security = target.get("security").strip().lower() or "starttls"
        self._smtp_port = target.get("smtp_port").strip() or ("465" if self._security == "tls" else "587")
        self._user = target.get("username").strip()
        self._imap_host = target.get("imap_host").strip()
        self._imap_port = target.get("imap_port").strip() or ("993" if self._security == "tls" else "143")
        self._folder = target.get("folder").strip() or "INBOX"
        self._password = secret or ""
        self._state = state

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        with self._smtp():
            pass
        if not self._imap_host:
            return f"Signed in to {self._smtp_host} as {self._user}; no IMAP server: replies are not read"
        with self._imap() as imap:
            count = self._select(imap)
        return f"Signed in to {self._smtp_host} and {self._imap_host} as {self._user} ({count} mails in {self._folder})"

    def send(self, moment: OutgoingMoment) -> SendResult:
        message_id = message_id_for(moment.idempotency_key, self._to)
        if moment.attempts > 0 and self._imap_host and self._already_there(message_id):
            return SendResult(remote_id=message_id)
        message = build_message(moment, sender=self._user, to=self._to, message_id=message_id)
        with self._smtp() as smtp:
            try:
                smtp.send_message(message, from_addr=self._user, to_addrs=[self._to])
            except (smtplib.SMTPException, OSError) as exc:
                raise classify_error(exc, host=self._smtp_host, action="send the mail") from exc
        return SendResult(remote_id=message_id)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        raise NotSupportedError(self.cannot_edit)

    def retract(self, remote_id: str) -> None:
        raise NotSupportedError(self.cannot_retract)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        if not self._imap_host:
            return []  # nowhere to read from: documented, the target still sends
        if not remote_id.startswith("<") or "\r" in remote_id or "\n" in remote_id or '"' in remote_id:
            raise permanent(f"{remote_id!r} is not a Message-ID Inflow sent")
        with self._imap() as imap:
            self._select(imap)
            uids = self._search(imap, "OR", "HEADER", "In-Reply-To", remote_id, "HEADER", "References", remote_id)
            found = [reply_from(parse(raw)) for raw in self._fetch(imap, uids)]
        return [reply for reply in found if reply is not None]

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        if not self._imap_host:
            return FeedPage([], cursor=cursor)
        with self._imap() as imap:
            self._select(imap)
            validity = self._uidvalidity(imap)
            all_uids = self._search(imap, "ALL")
            newest = max((int(u) for u in all_uids), default=0)
            seen_validity, _, last = (cursor or "").partition(":")
            if not cursor or seen_validity != validity or not last.isdigit():
                return FeedPage([], cursor=f"{validity}:{newest}")  # start from now
            fresh = sorted(int(u) for u in all_uids if int(u) > int(last))[:MAX_FEED]
            items: list[FeedItem] = []
            for raw in self._fetch(imap, [str(u) for u in fresh]):
                item = feed_item_from(parse(raw))
                if item is not None:
                    items.append(item)
        return FeedPage(items, cursor=f"{validity}:{max(fresh, default=int(last))}")

    # ------------------------------------------------------------------ plumbing

    def _context(self) -> ssl.SSLContext:
        chosen = type(self).ssl_context
        return chosen if isinstance(chosen, ssl.SSLContext) else os_trust_context()

    def _checked(self, host: str, port: str) -> int:
        if not self._password:
            raise auth("No mail password is saved for this target: sign in again")
        if self._security not in SECURITY:
            raise permanent(f"The security {self._security!r} is not one Inflow uses: starttls or tls")
        if self._security == "plain" and host not in LOOPBACK:
            raise permanent(f"Plain (unencrypted) mail goes only to this computer, not {host}: use starttls or tls")
        if not host:
            raise permanent("No mail server is set for this target")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise permanent(f"The port {port!r} is not a number from 1 to 65535")
        return int(port)

    @contextmanager
    def _smtp(self) -> Iterator[smtplib.SMTP]:
        host = self._smtp_host
        port = self._checked(host, self._smtp_port)
        smtp: smtplib.SMTP | None = None
        try:
            if self._security == "tls":
                smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=self._context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
                if self._security == "starttls":
                    smtp.starttls(context=self._context())
            smtp.login(self._user, self._password)
        except (smtplib.SMTPException, OSError) as exc:
            if smtp is not None:
                smtp.close()
            raise classify_error(exc, host=host, action="sign in") from exc
        try:
            yield smtp
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    @contextmanager
    def _imap(self) -> Iterator[imaplib.IMAP4]:
        host = self._imap_host
        port = self._checked(host, self._imap_port)
        imap: imaplib.IMAP4 | None = None
        try:
            if self._security == "tls":
                imap = imaplib.IMAP4_SSL(host, port, ssl_context=self._context(), timeout=TIMEOUT)
            else:
                imap = imaplib.IMAP4(host, port, timeout=TIMEOUT)
                if self._security == "starttls":
                    imap.starttls(ssl_context=self._context())
            imap.login(self._user, self._password)
        except (imaplib.IMAP4.error, OSError) as exc:
            if imap is not None:
                imap.shutdown()
            raise classify_error(exc, host=host, action="sign in") from exc
        try:
            yield imap
        except (imaplib.IMAP4.error, OSError) as exc:
            raise classify_error(exc, host=host, action="read mail") from exc
        finally:
            try:
                imap.logout()
            except (imaplib.IMAP4.error, OSError):
                pass

    def _select(self, imap: imaplib.IMAP4, folder: str | None = None) -> int:
        status, data = imap.select(_quoted(folder or self._folder), readonly=True)
        if status != "OK":
            raise permanent(f"{self._imap_host} has no folder {folder or self._folder!r}: check the folder setting")
        first = data[0] if data else b"0"
        return int(first) if isinstance(first, bytes) and first.isdigit() else 0

    def _uidvalidity(self, imap: imaplib.IMAP4) -> str:
        _, data = imap.response("UIDVALIDITY")
        value = data[0] if data else None
        return value.decode() if isinstance(value, bytes) else "0"

    def _search(self, imap: imaplib.IMAP4, *criteria: str) -> list[str]:
        quoted = [_quoted(c) if c.startswith("<") else c for c in criteria]
        status, data = imap.uid("SEARCH", *quoted)
        if status != "OK":
            raise permanent(f"{self._imap_host} refused the search")
        return [uid.decode() for uid in (data[0] or b"").split()] if data and isinstance(data[0], bytes) else []

    def _fetch(self, imap: imaplib.IMAP4, uids: list[str]) -> list[bytes]:
        found: list[bytes] = []
        for uid in uids:
            status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            if status == "OK":
                found += [part[1] for part in data if isinstance(part, tuple) and isinstance(part[1], bytes)]
        return found

    def _already_there(self, message_id: str) -> bool:
        """The mail with this Message-ID is in the list folder or a Sent folder (an earlier try sent it)."""
        with self._imap() as imap:
            for folder in (self._folder, *SENT_FOLDERS):
                status, _ = imap.select(_quoted(folder), readonly=True)
                if status == "OK" and self._search(imap, "HEADER", "Message-ID", message_id):
                    return True
        return False


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


CONNECTOR = EmailConnector
