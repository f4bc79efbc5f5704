"""The outbox: durable (moment, target) deliveries the sync engine drains.

Every function is one short transaction. Claiming reads then writes, so it starts with
BEGIN IMMEDIATE (a plain BEGIN can fail with SQLITE_BUSY_SNAPSHOT under concurrency whatever the
busy timeout). No transaction is ever held across a network call: claim, send (no transaction),
record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.models import Delivery, DeliveryState, Kind
from storage.moments import utc_now

_DELIVERY_COLUMNS = "id, target, action, state, attempts, next_attempt_at, last_error, remote_id, remote_link"


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """What the engine needs to send one delivery (read in the claiming transaction)."""

    id: int
    target: str
    action: str
    detail: str | None
    queued_at: str
    idempotency_key: str
    attempts: int
    remote_id: str | None
    moment_id: str
    kind: Kind
    title: str
    body: str
    url: str | None
    tags: tuple[str, ...]
    created_at: str


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (for read-then-write)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def enqueue(
    db: Database, moment_rowid: int, targets: Iterable[str], *, action: str = "post", detail: str | None = None
) -> list[int]:
    """Queue deliveries (call inside the caller's transaction so moment and rows land together).

    A `track` row (detail = the activity: captured, answered, read) is queued at most once per
    moment, target and activity.
    """
    stamp = utc_now()
    ids = []
    verb = "INSERT OR IGNORE" if action == "track" else "INSERT"
    for target in targets:
        cursor = db.execute(
            f"{verb} INTO outbox (moment_rowid, target, action, detail, idempotency_key, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [moment_rowid, target, action, detail, uuid.uuid4().hex, stamp, stamp],
        )
        if cursor.rowcount:
            ids.append(int(cursor.lastrowid or 0))
    return ids


def track(db: Database, moment_id: str, targets: Sequence[str], activity: str) -> int:
    """Record an activity (answered, read) for tracking targets, once; returns how many rows were queued."""
    if not targets:
        return 0
    with db.atomic():
        row = db.execute("SELECT rowid FROM moments WHERE id = ?", [moment_id]).fetchone()
        return 0 if row is None else len(enqueue(db, row[0], targets, action="track", detail=activity))


def reconcile_inflight(db: Database) -> int:
    """At start-up: deliveries left inflight by a crash go back to pending with the SAME key."""
    with db.atomic():
        cursor = db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'inflight'")
    return int(cursor.rowcount)


def claim_due(db: Database, now: float, *, skip_targets: Sequence[str] = ()) -> ClaimedDelivery | None:
    """Mark the oldest due delivery inflight and return it (None when nothing is due)."""
    skip = ""
    params: list[Any] = [now]
    if skip_targets:
        skip = f"AND o.target NOT IN ({', '.join('?' for _ in skip_targets)})"
        params += list(skip_targets)
    with immediate(db):
        row = db.execute(
            "SELECT o.id, o.target, o.action, o.detail, o.created_at, o.idempotency_key, o.attempts, "
            "(SELECT p.remote_id FROM outbox p WHERE p.moment_rowid = o.moment_rowid "
            " AND p.target = o.target AND p.action = 'post' AND p.state = 'sent'), "
            "m.id, m.kind, m.title, m.body, m.url, m.tags, m.created_at "
            "FROM outbox o JOIN moments m ON m.rowid = o.moment_rowid "
            f"WHERE o.state = 'pending' AND o.next_attempt_at <= ? {skip} "
            "ORDER BY o.next_attempt_at, o.id LIMIT 1",
            params,
        ).fetchone()
        if row is None:
            return None
        db.execute("UPDATE outbox SET state = 'inflight', updated_at = ? WHERE id = ?", [utc_now(), row[0]])
    return ClaimedDelivery(
        id=row[0], target=row[1], action=row[2], detail=row[3], queued_at=row[4], idempotency_key=row[5],
        attempts=row[6], remote_id=row[7], moment_id=row[8], kind=Kind(row[9]), title=row[10], body=row[11],
        url=row[12], tags=tuple(json.loads(row[13])), created_at=row[14],
    )  # fmt: skip


def record_sent(
    db: Database,
    delivery_id: int,
    remote_id: str | None,
    link: str | None,
    *,
    poll_until: float | None = None,
    now: float = 0.0,
) -> None:
    """Delivered. A question's post is polled for answers until `poll_until`.

    Its first poll is due at once and marked by a negative poll_at: that poll always asks the backend
    directly; later ones may be covered by a complete feed read (see sync.engine)."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_error = NULL, "
            "remote_id = coalesce(?, remote_id), remote_link = coalesce(?, remote_link), updated_at = ?, "
            "poll_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END, poll_until = ? WHERE id = ?",
            [remote_id, link, utc_now(), poll_until, -now, poll_until, delivery_id],
        )


def record_retry(db: Database, delivery_id: int, error: str, retry_at: float) -> None:
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, "
            "next_attempt_at = ?, updated_at = ? WHERE id = ?",
            [error, retry_at, utc_now(), delivery_id],
        )


def record_dead(db: Database, delivery_id: int, error: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?",
            [error, utc_now(), delivery_id],
        )


def pause_target(db: Database, target: str, reason: str, *, delivery_id: int | None = None) -> None:
    """The target's credentials failed: pause it and every delivery waiting for it."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = 'paused', last_error = ?, updated_at = ? "
            "WHERE target = ? AND (state = 'pending' OR id = ?)",
            [reason, utc_now(), target, delivery_id],
        )
        set_target_state(db, target, "paused", reason)


def resume_target(db: Database, target: str) -> int:
    """After signing in again: paused deliveries are due now."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = 0, updated_at = ? "
            "WHERE target = ? AND state = 'paused'",
            [utc_now(), target],
        )
        db.execute("DELETE FROM target_state WHERE target = ? AND key = 'paused'", [target])
    return int(cursor.rowcount)


def paused_targets(db: Database) -> dict[str, str]:
    return {row[0]: row[1] for row in db.execute("SELECT target, value FROM target_state WHERE key = 'paused'")}


def cancel(db: Database, delivery_id: int) -> bool:
    """Cancel a delivery that has not gone out (pending, retrying, dead or paused)."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE outbox SET state = 'cancelled', poll_at = NULL, updated_at = ? "
            "WHERE id = ? AND state IN ('pending', 'dead', 'paused')",
            [utc_now(), delivery_id],
        )
    return bool(cursor.rowcount)


def retry_now(db: Database, delivery_id: int) -> bool:
    """The person pressed Retry on a dead delivery."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = 0, updated_at = ? WHERE id = ? AND state = 'dead'",
            [utc_now(), delivery_id],
        )
    return bool(cursor.rowcount)


def next_due_at(db: Database) -> float | None:
    """When the engine next has something to do: a pending delivery or a reply poll (unix s)."""
    paused = list(paused_targets(db))
    skip = f"AND target NOT IN ({', '.join('?' for _ in paused)})" if paused else ""
    row = db.execute(
        f"SELECT min(t) FROM (SELECT min(next_attempt_at) AS t FROM outbox WHERE state = 'pending' {skip} "
        f"UNION ALL SELECT min(poll_at) FROM outbox WHERE poll_at IS NOT NULL {skip})",
        paused + paused,
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def deliveries_for(db: Database, moment_rowid: int) -> list[Delivery]:
    return [
        _to_delivery(row)
        for row in db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM outbox WHERE moment_rowid = ? ORDER BY id", [moment_rowid]
        )
    ]


def outbox_summary(db: Database) -> dict[str, dict[str, int]]:
    """Per target, how many deliveries are in each state."""
    summary: dict[str, dict[str, int]] = {}
    for target, state, count in db.execute(
        "SELECT target, state, count(*) FROM outbox GROUP BY target, state ORDER BY target, state"
    ):
        summary.setdefault(target, {})[state] = count
    return summary


def get_target_state(db: Database, target: str) -> dict[str, str]:
    return {row[0]: row[1] for row in db.execute("SELECT key, value FROM target_state WHERE target = ?", [target])}


def set_target_state(db: Database, target: str, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO target_state (target, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (target, key) DO UPDATE SET value = excluded.value",
        [target, key, value],
    )


def save_target_state(db: Database, target: str, state: dict[str, str]) -> None:
    """Persist a connector's state (one transaction); keys it dropped are removed."""
    with db.atomic():
        db.execute("DELETE FROM target_state WHERE target = ? AND key != 'paused'", [target])
        for key, value in state.items():
            if key != "paused":
                set_target_state(db, target, key, value)


def forget_target(db: Database, target: str) -> None:
    """A removed target: cancel what it had queued, drop its state and cursors."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET state = 'cancelled', poll_at = NULL WHERE target = ? "
            "AND state IN ('pending', 'inflight', 'dead', 'paused')",
            [target],
        )
        db.execute("UPDATE outbox SET poll_at = NULL WHERE target = ?", [target])
        db.execute("DELETE FROM target_state WHERE target = ?", [target])
        db.execute("DELETE FROM sync_cursors WHERE target = ?", [target])


def _to_delivery(row: Sequence[Any]) -> Delivery:
    return Delivery(
        id=row[0], target=row[1], action=row[2], state=DeliveryState(row[3]), attempts=row[4],
        next_attempt_at=row[5], last_error=row[6], remote_id=row[7], remote_link=row[8],
    )  # fmt: skip


def needs_attention(db: Database) -> int:
    """Deliveries the person has to act on: failed ones and ones paused for signing in again."""
    return int(db.execute("SELECT count(*) FROM outbox WHERE state IN ('dead', 'paused')").fetchone()[0])
