"""The e-mail connector's pieces: the mail it builds, the Message-ID, trimming replies, feed rules, error
classes, and sending over SMTP to a small loopback submission server (this file's; plain, loopback only).

IMAP reads run against a real Dovecot in tests/integration/test_email.py; the TLS paths (starttls, tls) are not
run here (no test server with a certificate yet).
"""

from __future__ import annotations

import base64
import smtplib
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser

import pytest
import requests

from sync.connector import OutgoingMoment, Target
from sync.connectors.email import EmailConnector
from sync.connectors.email.content import build_message, feed_item_from, message_id_for, parse, trim_reply
from sync.connectors.email.errors import classify_error
from sync.errors import ErrorKind, NotSupportedError, SyncError

MOMENT = OutgoingMoment(
    moment_id="m-1", kind="tip", title="Grüße: rebase öfter ✓", body="Use **rebase**", url="https://example.org/r",
    tags=("git",), created_at="2026-01-01T09:00:00Z", idempotency_key="outbox-42",
)  # fmt: skip


class _Submission(socketserver.StreamRequestHandler):
    """Just enough RFC 5321 + AUTH PLAIN (RFC 4954) to receive one mail per connection."""

    def handle(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        self._say("220 loopback ESMTP")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb == "EHLO":
                self._say("250-loopback\r\n250-AUTH PLAIN\r\n250 8BITMIME")
            elif verb == "AUTH":
                user_pass = base64.b64decode(line.split()[-1]).split(b"\0")
                ok = len(user_pass) == 3 and bool(user_pass[1]) and user_pass[2] == server.password.encode()
                self._say("235 ok" if ok else "535 5.7.8 authentication failed")
            elif verb == "DATA":
                self._say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                server.received.append(data)
                if server.deliver is not None:
                    server.deliver(data.replace(b"\r\n..", b"\r\n."))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 ok")

    def _say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Submission)
        self.received: list[bytes] = []
        self.password = "s3cret"
        self.deliver: Callable[[bytes], None] | None = None
        """Where a received mail goes too (the integration tests: into Dovecot's Maildir)."""


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _connector(server: _Server, password: str = "s3cret", host: str = "127.0.0.1") -> EmailConnector:
    settings = {"address": "learning@example.org", "smtp_host": host, "smtp_port": str(server.server_address[1]),
                "security": "plain", "username": "ada@example.org"}  # fmt: skip
    return EmailConnector(Target("team", "email", settings), password, requests.Session(), {})


def test_the_message_id_comes_from_the_outbox_id_and_is_ours() -> None:
    assert message_id_for("outbox-42", "learning@example.org") == "<outbox-42.inflow@example.org>"
    assert message_id_for("a b<c>", "") == "<a-b-c-.inflow@inflow.invalid>"


def test_the_mail_is_text_and_html_with_the_link_tags_and_a_non_ascii_subject() -> None:
    message = build_message(MOMENT, sender="ada@example.org", to="learning@example.org", message_id="<x.inflow@e>")
    raw = message.as_bytes(policy=policy.SMTP)
    assert raw.isascii(), "headers are RFC 2047 encoded, bodies quoted-printable"
    back = BytesParser(policy=policy.default).parsebytes(raw)
    assert back["Subject"] == "Tip: Grüße: rebase öfter ✓"
    assert back["Message-ID"] == "<x.inflow@e>" and back["X-Inflow-Moment"] == "m-1"
    assert back.get_content_type() == "multipart/alternative"
    plain = back.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = back.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "https://example.org/r" in plain and "#git" in plain
    assert "<strong>rebase</strong>" in html and 'href="https://example.org/r"' in html


def test_trimming_keeps_the_reply_and_drops_quotes_attribution_and_signature() -> None:
    text = "Yes, rebase.\nIt keeps history linear.\n\nOn Mon, 1 Jan 2026, Ada wrote:\n> Why rebase?\n"
    assert trim_reply(text) == "Yes, rebase.\nIt keeps history linear."
    assert trim_reply("Agreed\n> quoted\n-- \nBob\nACME") == "Agreed"
    assert trim_reply("Top\n-----Original Message-----\nFrom: x") == "Top"


def test_the_feed_skips_replies_to_our_mails_and_marks_our_own_echo() -> None:
    reply = parse(b"Message-ID: <r1@x>\r\nIn-Reply-To: <k.inflow@e>\r\nSubject: Re: t\r\n\r\nyes\r\n")
    assert feed_item_from(reply) is None
    colleague = parse(b"Message-ID: <c1@x>\r\nFrom: Bob <bob@x>\r\nSubject: Why CI?\r\n\r\nSee https://ci.example\r\n")
    item = feed_item_from(colleague)
    assert item is not None and item.kind == "question" and item.author == "Bob" and item.url == "https://ci.example"
    echo = parse(b"Message-ID: <k.inflow@e>\r\nX-Inflow-Moment: m-1\r\nSubject: Tip: t\r\n\r\nbody\r\n")
    assert feed_item_from(echo).local_id == "m-1"  # type: ignore[union-attr]


def test_errors_are_classified_by_their_reply_codes() -> None:
    assert classify_error(smtplib.SMTPAuthenticationError(535, b"no"), host="h", action="a").kind is ErrorKind.AUTH
    assert classify_error(smtplib.SMTPDataError(451, b"later"), host="h", action="a").kind is ErrorKind.TRANSIENT
    assert classify_error(smtplib.SMTPDataError(554, b"no"), host="h", action="a").kind is ErrorKind.PERMANENT
    assert classify_error(ConnectionRefusedError(), host="h", action="a").kind is ErrorKind.TRANSIENT


def test_send_delivers_one_mail_with_our_message_id(smtp_server: _Server) -> None:
    smtp_server.received.clear()
    result = _connector(smtp_server).send(MOMENT)
    assert result.remote_id == "<outbox-42.inflow@example.org>"
    (raw,) = smtp_server.received
    back = BytesParser(policy=policy.default).parsebytes(raw)
    assert back["Message-ID"] == result.remote_id and back["Subject"] == "Tip: Grüße: rebase öfter ✓"


def test_a_wrong_password_pauses_the_target(smtp_server: _Server) -> None:
    with pytest.raises(SyncError) as caught:
        _connector(smtp_server, password="wrong").test()
    assert caught.value.kind is ErrorKind.AUTH and "sign in again" in caught.value.message


def test_plain_mail_only_to_this_computer(smtp_server: _Server) -> None:
    with pytest.raises(SyncError) as caught:
        _connector(smtp_server, host="mail.example.org").send(MOMENT)
    assert caught.value.kind is ErrorKind.PERMANENT and "starttls or tls" in caught.value.message


def test_edit_and_retract_say_mail_cannot(smtp_server: _Server) -> None:
    connector = _connector(smtp_server)
    with pytest.raises(NotSupportedError, match="cannot be changed"):
        connector.edit(MOMENT, "<x>")
    with pytest.raises(NotSupportedError, match="called back"):
        connector.retract("<x>")


def test_without_imap_no_replies_and_no_feed(smtp_server: _Server) -> None:
    connector = _connector(smtp_server)
    assert connector.fetch_replies("<outbox-42.inflow@example.org>") == []
    assert connector.fetch_feed(None).items == []


def test_unused_port_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {
        "address": "l@e",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(port),
        "security": "plain",
        "username": "u",
    }
    with pytest.raises(SyncError) as caught:
        EmailConnector(Target("t", "email", settings), "p", requests.Session(), {}).send(MOMENT)
    assert caught.value.kind is ErrorKind.TRANSIENT and "127.0.0.1" in caught.value.message
