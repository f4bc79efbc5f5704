from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from app.resurface import Answer, Calm, queue, review, stamp, why_not_now
from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment
from storage.resurface import card, mark_shown

SAVED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "inflow.db")


def _tip(db: Database, title: str = "t") -> str:
    return add_moment(db, Draft(kind=Kind.TIP, title=title, body="b"), now=stamp(SAVED)).id


def test_answers_are_fsrs_ratings_and_intervals_grow_in_their_order(db: Database) -> None:
    now = SAVED + timedelta(days=2)
    dues = {}
    for answer in Answer:
        moment = _tip(db, answer.label)
        review(db, moment, answer, clock=lambda: now)
        dues[answer] = card(db, moment).due
    assert dues[Answer.NOT_NOW] < dues[Answer.STILL_USEFUL] < dues[Answer.DONE_WITH_IT]
    assert [int(a) for a in (Answer.NOT_NOW, Answer.STILL_USEFUL, Answer.DONE_WITH_IT)] == [2, 3, 4]  # Hard, Good, Easy


def test_a_review_with_a_fixed_clock_is_repeatable_and_counted(db: Database) -> None:
    a, b = _tip(db, "a"), _tip(db, "b")
    now = SAVED + timedelta(days=3)
    first = review(db, a, Answer.STILL_USEFUL, clock=lambda: now)
    assert first == review(db, b, Answer.STILL_USEFUL, clock=lambda: now)  # no fuzz
    assert first.last_review == stamp(now) and first.due > stamp(now)
    later = now + timedelta(days=30)
    second = review(db, a, Answer.STILL_USEFUL, clock=lambda: later)
    assert second.stability is not None and first.stability is not None and second.stability > first.stability
    assert card(db, a).reps == 2


def test_queue_leaves_reviewed_moments_out_until_due(db: Database) -> None:
    a, b = _tip(db, "a"), _tip(db, "b")
    now = SAVED + timedelta(days=2)
    assert [c.moment_id for c in queue(db, 3, clock=lambda: now)] == [a, b]
    review(db, a, Answer.STILL_USEFUL, clock=lambda: now)
    assert [c.moment_id for c in queue(db, 3, clock=lambda: now)] == [b]
    assert [c.moment_id for c in queue(db, 1, clock=lambda: now)] == []  # today's one is used


def test_fsrs_is_not_imported_until_a_review_is_scheduled() -> None:
    import subprocess

    code = "import app.resurface, sys; print('fsrs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


CALM = Calm(enabled=True, per_day=3, capture_open=False, do_not_disturb=False)


def test_calm_rules(db: Database) -> None:
    ids = [_tip(db, str(i)) for i in range(4)]
    noon = datetime(2026, 3, 5, 12, 0).astimezone()
    assert why_not_now(db, CALM, clock=lambda: noon) is None
    assert why_not_now(db, Calm(False, 3, False, False), clock=lambda: noon) == "resurfacing is off"
    assert why_not_now(db, Calm(True, 3, True, False), clock=lambda: noon) == "the capture window is open"
    assert why_not_now(db, Calm(True, 3, False, True), clock=lambda: noon) == "do not disturb"
    mark_shown(db, ids[0], stamp(noon))
    assert why_not_now(db, CALM, clock=lambda: noon + timedelta(minutes=9)) is not None
    assert why_not_now(db, CALM, clock=lambda: noon + timedelta(minutes=10)) is None
    mark_shown(db, ids[1], stamp(noon + timedelta(minutes=20)))
    mark_shown(db, ids[2], stamp(noon + timedelta(minutes=40)))
    assert why_not_now(db, CALM, clock=lambda: noon + timedelta(hours=2)) == "3 already today"
    assert why_not_now(db, CALM, clock=lambda: noon + timedelta(days=1)) is None  # a new day
