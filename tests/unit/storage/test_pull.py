"""What comes back and what the person marks on it: answered questions and seen answers, each one transaction."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from storage import pull
from storage.models import Draft, Kind, Moment
from storage.moments import add_moment
from storage.pull import mark_answered, mark_replies_seen, replies_for


def question(db: Database) -> Moment:
    return add_moment(db, Draft(kind=Kind.QUESTION, title="Who owns the deploy key?"))


def tracked(db: Database) -> list[tuple[str, str, str]]:
    return db.execute("SELECT target, action, detail FROM outbox WHERE action = 'track' ORDER BY id").fetchall()


def answered_at(db: Database, moment: Moment) -> str | None:
    value = db.execute("SELECT answered_at FROM moments WHERE rowid = ?", [moment.rowid]).fetchone()[0]
    return None if value is None else str(value)


def add_reply(db: Database, moment: Moment, remote_id: str) -> None:
    db.execute(
        "INSERT INTO replies (moment_rowid, target, remote_id, author, body, created_at, fetched_at) "
        "VALUES (?, 'team', ?, '@bob', 'me', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
        [moment.rowid, remote_id],
    )


def test_marking_answered_records_the_activity_for_tracking_targets(db: Database) -> None:
    moment = question(db)
    assert mark_answered(db, moment.id, True, ("lrs",))
    assert answered_at(db, moment) is not None
    assert tracked(db) == [("lrs", "track", "answered")]
    assert mark_answered(db, moment.id, True, ("lrs",))  # marked again: the activity is still recorded once
    assert tracked(db) == [("lrs", "track", "answered")]


def test_reopening_a_question_tracks_nothing_and_polls_again(db: Database) -> None:
    moment = question(db)
    mark_answered(db, moment.id, True)
    assert mark_answered(db, moment.id, False, ("lrs",))
    assert answered_at(db, moment) is None
    assert tracked(db) == []


def test_only_questions_can_be_answered(db: Database) -> None:
    tip = add_moment(db, Draft(kind=Kind.TIP, title="Use WAL"))
    assert not mark_answered(db, tip.id, True, ("lrs",))
    assert tracked(db) == []


def test_the_answered_mark_and_its_tracking_land_together_or_not_at_all(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = question(db)

    def full_disk(*_args: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(pull, "track", full_disk)
    with pytest.raises(sqlite3.OperationalError):
        mark_answered(db, moment.id, True, ("lrs",))
    assert answered_at(db, moment) is None


def test_shown_answers_are_no_longer_new(db: Database) -> None:
    moment = question(db)
    add_reply(db, moment, "r1")
    add_reply(db, moment, "r2")
    assert mark_replies_seen(db, moment.id) == 2
    assert [r.seen for r in replies_for(db, moment.rowid)] == [True, True]
    assert mark_replies_seen(db, moment.id) == 0


def test_answers_of_a_moment_that_is_gone_cannot_be_marked_seen(db: Database) -> None:
    with pytest.raises(KeyError):
        mark_replies_seen(db, "no-such-moment")
