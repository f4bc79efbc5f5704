from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.db import open_database
from storage.migrations import migrations
from storage.models import Draft, Kind
from storage.moments import add_moment, delete_moments
from storage.resurface import CardState, card, mark_shown, record_review, set_never_resurface, shown_since, todays_queue

DAY0 = "2026-03-01T09:00:00.000Z"


def _add(db: Database, kind: str, title: str, when: str = DAY0) -> str:
    return add_moment(db, Draft(kind=Kind(kind), title=title, body="b"), now=when).id


def test_tips_and_resources_get_a_card_due_a_day_later_questions_none(db: Database) -> None:
    tip = _add(db, "tip", "t")
    _add(db, "question", "q")
    assert card(db, tip).due == "2026-03-02T09:00:00.000Z"
    assert db.execute("SELECT count(*) FROM resurface_cards").fetchone()[0] == 1


def test_queue_is_due_oldest_first_capped_per_day(db: Database) -> None:
    ids = [_add(db, "resource", f"r{i}", f"2026-03-0{i + 1}T09:00:00.000Z") for i in range(5)]
    assert todays_queue(db, "2026-03-02T08:59:59.000Z", "2026-03-02T00:00:00.000Z", 3) == []
    queue = todays_queue(db, "2026-03-09T10:00:00.000Z", "2026-03-09T00:00:00.000Z", 3)
    assert [c.moment_id for c in queue] == ids[:3]
    review = CardState("2026-03-20T10:00:00.000Z", 2, None, 3.1, 5.0, "2026-03-09T10:00:00.000Z", lapse=False)
    record_review(db, ids[0], review)
    queue = todays_queue(db, "2026-03-09T10:00:01.000Z", "2026-03-09T00:00:00.000Z", 3)
    assert [c.moment_id for c in queue] == ids[1:3]  # one of today's three is used up
    stored = card(db, ids[0])
    assert (stored.due, stored.state, stored.stability, stored.reps, stored.lapses) == (review.due, 2, 3.1, 1, 0)


def test_never_resurface_and_deleted_moments_leave_the_queue(db: Database) -> None:
    keep, never, gone = (_add(db, "tip", name) for name in ("keep", "never", "gone"))
    set_never_resurface(db, never)
    delete_moments(db, [gone])
    queue = todays_queue(db, "2026-04-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z", 10)
    assert [c.moment_id for c in queue] == [keep]
    with pytest.raises(KeyError):
        record_review(db, gone, CardState(DAY0, 2, None, 1.0, 1.0, DAY0, lapse=True))


def test_shown_counts_and_latest(db: Database) -> None:
    a, b = _add(db, "tip", "a"), _add(db, "tip", "b")
    assert shown_since(db, DAY0) == (0, None)
    mark_shown(db, a, "2026-03-02T09:00:00.000Z")
    mark_shown(db, b, "2026-03-02T09:30:00.000Z")
    assert shown_since(db, "2026-03-02T09:10:00.000Z") == (1, "2026-03-02T09:30:00.000Z")


def test_a_library_from_before_resurfacing_gets_cards_for_its_tips_and_resources(tmp_path: Path) -> None:
    path = tmp_path / "inflow.db"
    conn = sqlite3.connect(path, isolation_level=None)
    old = Database(conn)
    migrations.apply(old, stop_before="0007_resurface_cards")
    for rowid, kind, stamp in ((1, "tip", DAY0), (2, "question", DAY0), (3, "resource", "not a stamp")):
        old.execute(
            "INSERT INTO moments (rowid, id, kind, title, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?)",
            [rowid, f"m{rowid}", kind, stamp, stamp],
        )
    conn.close()
    db = open_database(path)
    cards = db.execute("SELECT moment_rowid, due FROM resurface_cards ORDER BY moment_rowid").fetchall()
    assert [r[0] for r in cards] == [1, 3]
    assert cards[0][1] == "2026-03-02T09:00:00.000Z"
    assert cards[1][1] > "2026-"  # an unreadable stamp: due a day from the upgrade
