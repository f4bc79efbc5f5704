"""Resurfacing: the three answers a person gives (FSRS ratings), the scheduling of a review with FSRS,
and the calm-moment rules that decide whether a moment may be brought back now. No Qt here.

The `fsrs` scheduler is imported only when a review is scheduled, never on the way to the tray icon.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage.resurface import CardRow, CardState, record_review, shown_since, todays_queue
from storage.resurface import card as stored_card

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (tests pass a fixed one)."""

CALM_GAP = timedelta(minutes=10)
"""No moment is brought back within this long of the last one."""


def system_clock() -> datetime:
    return datetime.now(UTC)


class Answer(enum.IntEnum):
    """What a person says of a resurfaced moment (keys 1/2/3, notification actions), as an FSRS rating."""

    STILL_USEFUL = 3
    """Good: remembered and worth keeping; the next interval grows as FSRS schedules it."""
    NOT_NOW = 2
    """Hard: not the moment; it comes back sooner than after Still useful."""
    DONE_WITH_IT = 4
    """Easy: known by heart; the interval grows the most."""

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {Answer.STILL_USEFUL: "Still useful", Answer.NOT_NOW: "Not now", Answer.DONE_WITH_IT: "Done with it"}
ANSWERS_BY_KEY = {"1": Answer.STILL_USEFUL, "2": Answer.NOT_NOW, "3": Answer.DONE_WITH_IT}
"""The keyboard of the Today view, in the order the answers are shown."""


def stamp(moment: datetime) -> str:
    """The storage form of a time (ISO 8601 UTC with milliseconds, as storage.clock writes)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def schedule(card: CardRow, answer: Answer, now: datetime) -> CardState:
    """The card after this answer, as FSRS schedules it (no fuzz: the same review gives the same date)."""
    import fsrs  # lazy: not on the start-up path

    before = fsrs.Card(
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_parse(card.due),
        last_review=_parse(card.last_review),
    )
    after, _log = fsrs.Scheduler(enable_fuzzing=False).review_card(before, fsrs.Rating(int(answer)), now)
    return CardState(
        due=stamp(after.due),
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        last_review=stamp(now),
        lapse=card.state == int(fsrs.State.Review) and after.state == fsrs.State.Relearning,
    )


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in local time: "a day" is the person's day."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def review(db: Database, moment_id: str, answer: Answer, clock: Clock = system_clock) -> CardState:
    """Record one answer (a WriteOp's run: one transaction on the writer's connection)."""
    now = clock()
    new = schedule(stored_card(db, moment_id), answer, now)
    record_review(db, moment_id, new)
    return new


def queue(db: Database, per_day: int, clock: Clock = system_clock) -> list[CardRow]:
    """Today's moments to look back at (the Today view)."""
    now = clock()
    return todays_queue(db, stamp(now), stamp(day_start(now)), per_day)


@dataclass(frozen=True, slots=True)
class Calm:
    """What the calm-moment rules look at, besides the library."""

    enabled: bool
    per_day: int
    capture_open: bool
    do_not_disturb: bool


def why_not_now(db: Database, calm: Calm, clock: Clock = system_clock) -> str | None:
    """Why no moment may be brought back now (None: it may). Never a modal window: callers notify."""
    if not calm.enabled:
        return "resurfacing is off"
    if calm.capture_open:
        return "the capture window is open"
    if calm.do_not_disturb:
        return "do not disturb"
    now = clock()
    shown_today, last = shown_since(db, stamp(day_start(now)))
    if shown_today >= calm.per_day:
        return f"{calm.per_day} already today"
    last_at = _parse(last)
    if last_at is not None and now - last_at < CALM_GAP:
        return "the last one was under 10 minutes ago"
    return None
