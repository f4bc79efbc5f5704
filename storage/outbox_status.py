"""What the outbox says about deliveries and targets, for the library, Settings and `inflow sync status`.

Read-only queries beside storage/outbox.py (which changes the outbox): per moment, per target, and
what needs the person's attention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.models import Delivery, DeliveryState

_DELIVERY_COLUMNS = "id, target, action, state, attempts, next_attempt_at, last_error, remote_id, remote_link"


def deliveries_for(db: Database, moment_rowid: int) -> list[Delivery]:
    return [
        _to_delivery(row)
        for row in db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox WHERE moment_rowid = ? ORDER BY id", [moment_rowid]
        )
    ]


def outbox_summary(db: Database) -> dict[str, dict[str, int]]:
    """Per target, how many deliveries are in each state; pending ones that failed before count as
    `retrying`."""
    summary: dict[str, dict[str, int]] = {}
    for target, state, count in db.execute(
        "SELECT target, CASE WHEN state = 'pending' AND attempts > 0 THEN 'retrying' ELSE state END AS s, "
        "count(*) FROM outbox GROUP BY target, s ORDER BY target, s"
    ):
        summary.setdefault(target, {})[state] = count
    return summary


def retrying_deliveries(db: Database) -> list[Delivery]:
    """Deliveries waiting for another attempt after a failure, soonest first; `next_attempt_at` is
    when the engine will really try (not before its target's wait)."""
    return [
        _to_delivery(row)
        for row in db.execute(
            "SELECT o.id, o.target, o.action, o.state, o.attempts, "
            "max(o.next_attempt_at, coalesce(w.not_before, 0)) AS due, o.last_error, o.remote_id, o.remote_link "
            "FROM outbox o LEFT JOIN target_waits w ON w.target = o.target "
            "WHERE o.state = 'pending' AND o.attempts > 0 ORDER BY due, o.id"
        )
    ]


@dataclass(frozen=True, slots=True)
class TargetFailure:
    """A target whose deliveries fail and are tried again (what `inflow sync status` lists as retrying)."""

    since: str
    """When the oldest delivery still waiting for another attempt was queued (ISO 8601 UTC)."""
    error: str
    """The most recent failure's message."""
    next_try_at: float
    """When the engine tries again (unix s, not before the target's wait)."""
    waiting: int


def failing_targets(db: Database) -> dict[str, TargetFailure]:
    """Per target with retrying deliveries: since when, the latest error, the next attempt."""
    failures: dict[str, TargetFailure] = {}
    for target, since, waiting, due in db.execute(
        "SELECT o.target, min(o.created_at), count(*), min(max(o.next_attempt_at, coalesce(w.not_before, 0))) "
        "FROM outbox o LEFT JOIN target_waits w ON w.target = o.target "
        "WHERE o.state = 'pending' AND o.attempts > 0 GROUP BY o.target"
    ).fetchall():
        latest = db.execute(
            "SELECT last_error FROM outbox WHERE target = ? AND state = 'pending' AND attempts > 0 "
            "ORDER BY updated_at DESC, id DESC LIMIT 1",
            [target],
        ).fetchone()
        failures[target] = TargetFailure(since, str(latest[0] or "") if latest else "", float(due), int(waiting))
    return failures


def _to_delivery(row: Sequence[Any]) -> Delivery:
    return Delivery(
        id=row[0], target=row[1], action=row[2], state=DeliveryState(row[3]), attempts=row[4],
        next_attempt_at=row[5], last_error=row[6], remote_id=row[7], remote_link=row[8],
    )  # fmt: skip


def needs_attention(db: Database) -> int:
    """Deliveries the person has to act on: failed ones and ones paused for signing in again."""
    return int(db.execute("SELECT count(*) FROM outbox WHERE state IN ('dead', 'paused')").fetchone()[0])
