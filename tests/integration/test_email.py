"""The e-mail target against a real Dovecot (IMAP) and the loopback submission server (SMTP, delivering
into Dovecot's Maildir): send once per outbox id, replies, feed, restart, wrong password, non-ASCII subjects."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests
from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, get_moment
from storage.pull import replies_for
from sync.connector import OutgoingMoment, Target
from sync.connectors.email import EmailConnector
from sync.engine import SyncEngine
from sync.errors import ErrorKind, SyncError
from sync.http import new_session
from tests.unit.storage.crashed import crashed_owner
from tests.unit.sync.test_email import _Server

from .servers import ServerNotInstalledError
from .servers.dovecot import PASSWORD, USER, Dovecot

MOMENT = OutgoingMoment(
    moment_id="m-7", kind="question", title="Warum rebase? Ünïcödé ✓", body="Or merge?", url=None, tags=("git",),
    created_at="2026-01-01T09:00:00Z", idempotency_key="outbox-7",
)  # fmt: skip


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the module, in a temp folder outside pytest's (0700, which its mail user cannot enter)."""
    root = Path(tempfile.mkdtemp(prefix="inflow-dovecot-"))
    try:
        server = Dovecot.create(root)
    except ServerNotInstalledError as error:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def smtp(dovecot: Dovecot) -> Iterator[_Server]:
    import threading

    server = _Server()
    server.password = PASSWORD
    server.deliver = lambda raw: dovecot.deliver(raw, BytesParser().parsebytes(raw, headersonly=True)["To"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _connector(dovecot: Dovecot, smtp: _Server, password: str = PASSWORD) -> EmailConnector:
    settings = {"address": USER, "smtp_host": "127.0.0.1", "smtp_port": str(smtp.server_address[1]),
                "security": "plain", "username": USER, "imap_host": "127.0.0.1",
                "imap_port": str(dovecot.port)}  # fmt: skip
    return EmailConnector(Target("team", "email", settings), password, requests.Session(), {})


def test_test_connection_signs_in_to_both(dovecot: Dovecot, smtp: _Server) -> None:
    assert "Signed in to 127.0.0.1 and 127.0.0.1" in _connector(dovecot, smtp).test()


def test_sent_once_then_a_retry_after_a_crash_finds_it_and_sends_nothing(dovecot: Dovecot, smtp: _Server) -> None:
    connector = _connector(dovecot, smtp)
    before = dovecot.count()
    first = connector.send(MOMENT)
    assert dovecot.count() == before + 1
    retried = connector.send(_retry(MOMENT))
    assert retried.remote_id == first.remote_id and dovecot.count() == before + 1


def _retry(moment: OutgoingMoment) -> OutgoingMoment:
    import dataclasses

    return dataclasses.replace(moment, attempts=1)


def test_a_reply_is_found_trimmed_and_survives_a_restart(dovecot: Dovecot, smtp: _Server) -> None:
    connector = _connector(dovecot, smtp)
    sent = connector.send(_retry(MOMENT))  # already there from the test above, or sent now
    reply = (
        f"Message-ID: <r-1@example.org>\r\nFrom: Bob <bob@example.org>\r\nIn-Reply-To: {sent.remote_id}\r\n"
        "Subject: =?utf-8?q?Re=3A_Warum_rebase=3F?=\r\nDate: Thu, 01 Jan 2026 10:00:00 +0000\r\n\r\n"
        "Rebase keeps it linear.\r\n\r\nOn Thu, Ada wrote:\r\n> Warum rebase?\r\n-- \r\nBob\r\n"
    ).encode()
    dovecot.deliver(reply)
    dovecot.stop()
    with pytest.raises(SyncError) as caught:
        connector.fetch_replies(sent.remote_id)
    assert caught.value.kind is ErrorKind.TRANSIENT and "127.0.0.1" in caught.value.message
    dovecot.start()
    (found,) = connector.fetch_replies(sent.remote_id)
    assert found.body == "Rebase keeps it linear." and found.author == "Bob" and found.remote_id == "<r-1@example.org>"


def test_the_feed_brings_colleagues_mail_not_replies_and_keeps_non_ascii_subjects(
    dovecot: Dovecot, smtp: _Server
) -> None:
    connector = _connector(dovecot, smtp)
    start = connector.fetch_feed(None)
    assert start.items == [] and start.cursor
    dovecot.deliver(
        b"Message-ID: <c-1@example.org>\r\nFrom: Cleo <cleo@example.org>\r\n"
        b"Subject: =?utf-8?b?" + __import__("base64").b64encode("Grüße: CI läuft ✓".encode()) + b"?=\r\n\r\nhi\r\n"
    )
    dovecot.deliver(b"Message-ID: <r-2@example.org>\r\nIn-Reply-To: <outbox-7.inflow@example.org>\r\n\r\nyes\r\n")
    page = connector.fetch_feed(start.cursor)
    assert [item.title for item in page.items] == ["Grüße: CI läuft ✓"]
    assert connector.fetch_feed(page.cursor).items == []


def test_a_wrong_password_pauses_the_target(dovecot: Dovecot, smtp: _Server) -> None:
    with pytest.raises(SyncError) as caught:
        _connector(dovecot, smtp, password="wrong").fetch_replies("<outbox-7.inflow@example.org>")
    assert caught.value.kind is ErrorKind.AUTH and "sign in again" in caught.value.message


# ---------------------------------------------------------------------- through the engine, with a real outbox


def _target(dovecot: Dovecot, smtp: _Server, user: str) -> Target:
    return Target("team", "email", {
        "address": user, "smtp_host": "127.0.0.1", "smtp_port": str(smtp.server_address[1]), "security": "plain",
        "username": user, "imap_host": "127.0.0.1", "imap_port": str(dovecot.port),
    })  # fmt: skip


def _engine(db: Database, target: Target, password: str = PASSWORD) -> SyncEngine:
    return SyncEngine(db, lambda: [target], lambda _t: password, lambda: new_session("Inflow-test"), rng=lambda: 0.0)


def test_shared_through_the_engine_once_after_a_crash_and_its_answer_arrives(
    dovecot: Dovecot, smtp: _Server, tmp_path: Path
) -> None:
    user = f"crash-{uuid.uuid4().hex[:6]}@example.org"
    target = _target(dovecot, smtp, user)
    db = open_database(tmp_path / "inflow.db")
    moment_id = add_moment(db, Draft(kind=Kind.QUESTION, title="Wer reviewt? ✓", share_to=("team",))).id
    claimed = outbox.claim_due(db, time.time(), owner=crashed_owner())  # the app that is killed below
    assert claimed is not None
    first = _engine(db, target)  # sends, then is killed before recording it
    first._connector(target).send(
        OutgoingMoment(claimed.moment_id, "question", claimed.title, claimed.body, None, (), claimed.created_at,
                       claimed.idempotency_key)
    )  # fmt: skip
    first.close()
    db.conn.close()
    assert dovecot.count(user) == 1
    reopened = open_database(tmp_path / "inflow.db")
    engine = _engine(reopened, target)
    assert engine.reconcile() == 1
    assert engine.run_pass().sent == 1
    assert dovecot.count(user) == 1, "the retry found the mail and sent no second one"
    sent = outbox_status.deliveries_for(reopened, get_moment(reopened, moment_id).rowid)[0]
    assert sent.state is DeliveryState.SENT and (sent.remote_id or "").endswith(".inflow@example.org>")
    dovecot.deliver(
        f"Message-ID: <a-{uuid.uuid4().hex[:6]}@example.org>\r\nFrom: Bob <bob@example.org>\r\n"
        f"In-Reply-To: {sent.remote_id}\r\nSubject: Re\r\n\r\nThe ops team.\r\n> Wer reviewt?\r\n".encode(),
        user,
    )
    report = engine.run_pass(pull_now=True)
    assert [(a.moment_id, a.count) for a in report.answers] == [(moment_id, 1)]
    assert [r.body for r in replies_for(reopened, get_moment(reopened, moment_id).rowid)] == ["The ops team."]
    engine.close()


def test_a_wrong_password_pauses_the_target_through_the_engine(dovecot: Dovecot, smtp: _Server, tmp_path: Path) -> None:
    db = open_database(tmp_path / "inflow.db")
    target = _target(dovecot, smtp, "paused@example.org")
    moment_id = add_moment(db, Draft(kind=Kind.TIP, title="kept", share_to=("team",))).id
    engine = _engine(db, target, password="wrong")
    engine.run_pass()
    kept = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)[0]
    assert kept.state is not DeliveryState.SENT and "sign in again" in (kept.last_error or "")
    engine.close()
