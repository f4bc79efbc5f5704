"""Resurfacing cards: one per tip and resource (made by a trigger, see migration 0007), today's queue,
a review's new card state, and the per-moment opt-out. The scheduling itself is app.resurface's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

RESURFACED_KINDS = ("tip", "resource")
"""Questions are asked, not learnt: they never come back this way."""


@dataclass(frozen=True, slots=True)
class CardRow:
    """A moment's card as stored: the fields of an FSRS card plus Inflow's own counters."""

    moment_id: str
    title: str
    kind: str
    url: str | None
    due: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    last_review: str | None
    reps: int
    lapses: int


_CARD_COLUMNS = (
    "m.id, m.title, m.kind, m.url, c.due, c.state, c.step, c.stability, c.difficulty, c.last_review, c.reps, c.lapses"
)


def _row(values: tuple[object, ...]) -> CardRow:
    return CardRow(*values)  # type: ignore[arg-type]  # the columns above, in the dataclass's order


def reviewed_since(db: Database, since: str) -> int:
    """How many cards were reviewed at or after `since` (an ISO UTC stamp)."""
    return int(db.execute("SELECT count(*) FROM resurface_cards WHERE last_review >= ?", [since]).fetchone()[0])


def todays_queue(db: Database, now: str, day_start: str, per_day: int) -> list[CardRow]:
    """The cards due at `now`, oldest due first, at most `per_day` less those reviewed since `day_start`."""
    room = per_day - reviewed_since(db, day_start)
    if room <= 0:
        return []
    rows = db.execute(
        f"SELECT {_CARD_COLUMNS} FROM resurface_cards c JOIN moments m ON m.rowid = c.moment_rowid "
        "WHERE c.never_resurface = 0 AND c.due <= ? AND m.deleted_at IS NULL AND m.kind IN ('tip', 'resource') "
        "ORDER BY c.due LIMIT ?",
        [now, room],
    ).fetchall()
    return [_row(r) for r in rows]


def card(db: Database, moment_id: str) -> CardRow:
    """The card of a live tip or resource; KeyError when there is none."""
    row = db.execute(
        f"SELECT {_CARD_COLUMNS} FROM resurface_cards c JOIN moments m ON m.rowid = c.moment_rowid "
        "WHERE m.id = ? AND m.deleted_at IS NULL",
        [moment_id],
    ).fetchone()
    if row is None:
        raise KeyError(moment_id)
    return _row(row)


@dataclass(frozen=True, slots=True)
class CardState:
    """What a review changes: the scheduler's new card, and whether it was a lapse."""

    due: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    last_review: str
    lapse: bool


def record_review(db: Database, moment_id: str, new: CardState) -> None:
    """Store a review's outcome in one transaction; KeyError when the moment is gone."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE resurface_cards SET due = ?, state = ?, step = ?, stability = ?, difficulty = ?, "
            "last_review = ?, reps = reps + 1, lapses = lapses + ? "
            "WHERE moment_rowid = (SELECT rowid FROM moments WHERE id = ? AND deleted_at IS NULL)",
            [new.due, new.state, new.step, new.stability, new.difficulty, new.last_review, int(new.lapse), moment_id],
        )
        if cursor.rowcount != 1:
            raise KeyError(moment_id)


def set_never_resurface(db: Database, moment_id: str, never: bool = True) -> None:
    """Turn resurfacing off (or back on) for one moment; KeyError when it has no card."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE resurface_cards SET never_resurface = ? "
            "WHERE moment_rowid = (SELECT rowid FROM moments WHERE id = ? AND deleted_at IS NULL)",
            [int(never), moment_id],
        )
        if cursor.rowcount != 1:
            raise KeyError(moment_id)


def mark_shown(db: Database, moment_id: str, stamp: str) -> None:
    """Note when a card was last put in front of the person (the calm rules space them out)."""
    with db.atomic():
        db.execute(
            "UPDATE resurface_cards SET last_shown = ? WHERE moment_rowid = (SELECT rowid FROM moments WHERE id = ?)",
            [stamp, moment_id],
        )


def shown_since(db: Database, since: str) -> tuple[int, str | None]:
    """How many cards were shown at or after `since`, and the latest time any card was shown."""
    count, latest = db.execute(
        "SELECT (SELECT count(*) FROM resurface_cards WHERE last_shown >= ?), max(last_shown) FROM resurface_cards",
        [since],
    ).fetchone()
    return int(count), latest
