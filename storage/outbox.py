"""The outbox: durable (moment, target) deliveries the sync engine drains.

Every function is one short transaction. Claiming reads then writes, so it starts with
BEGIN IMMEDIATE (a plain BEGIN can fail with SQLITE_BUSY_SNAPSHOT under concurrency whatever the
busy timeout). No transaction is ever held across a network call: claim, send (no transaction),
record.

Several processes may drain one outbox (the app and `inflow sync now`): a claim is a lease with an
owner (host/pid/token, see `new_owner`) and an expiry; only an expired lease, or one whose owner
process on this host has died, is taken over, and a result is recorded only by the lease's owner.
A target's "not before" time (after a rate limit or an outage) is stored too (`target_waits`).
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.clock import utc_now
from storage.db import immediate
from storage.models import Kind

#: How long a claim holds (s): well beyond one delivery, whose every HTTP exchange has a 60 s deadline.
LEASE_S = 300.0


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


def new_owner(pid: int | None = None) -> str:
    """A lease owner: this host, a process id (this one by default) and a token unique to the claimer."""
    return f"{socket.gethostname()}/{os.getpid() if pid is None else pid}/{uuid.uuid4().hex[:12]}"


def _owner_gone(owner: str | None) -> bool:
    """The owner is a process on this host that no longer runs (its lease need not be waited out)."""
    host, _, rest = (owner or "").partition("/")
    pid_text = rest.partition("/")[0]
    if os.name != "posix" or host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # e.g. it runs as another user
        return False
    return False


def reconcile_inflight(db: Database, now: float) -> int:
    """Deliveries whose lease expired (or whose owner died) go back to pending with the SAME key.

    Each counts as an attempt whose outcome is unknown (the server may have accepted it), so connectors
    without idempotency (a wiki) look for what they sent before posting again.
    A live lease of another process is left alone: that process is sending the row right now."""
    with immediate(db):
        stale = [
            row[0]
            for row in db.execute("SELECT id, lease_owner, lease_until FROM outbox WHERE state = 'inflight'")
            if row[2] is None or row[2] <= now or _owner_gone(row[1])
        ]
        for delivery_id in stale:
            db.execute(
                "UPDATE outbox SET state = 'pending', attempts = attempts + 1, lease_owner = NULL, lease_until = NULL "
                "WHERE id = ?",
                [delivery_id],
            )
    return len(stale)


def claim_due(
    db: Database, now: float, *, owner: str, lease_s: float = LEASE_S, skip_targets: Sequence[str] = ()
) -> ClaimedDelivery | None:
    """Lease the oldest due delivery to `owner` (inflight until now + lease_s) and return it.

    None when nothing is due; a target waiting (see `set_target_wait`) has nothing due."""
    skip = ""
    params: list[Any] = [now, now]
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
            "WHERE o.state = 'pending' AND o.next_attempt_at <= ? "
            f"AND o.target NOT IN (SELECT w.target FROM target_waits w WHERE w.not_before > ?) {skip} "
            "ORDER BY o.next_attempt_at, o.id LIMIT 1",
            params,
        ).fetchone()
        if row is None:
            return None
        db.execute(
            "UPDATE outbox SET state = 'inflight', lease_owner = ?, lease_until = ?, updated_at = ? WHERE id = ?",
            [owner, now + lease_s, utc_now(), row[0]],
        )
    return ClaimedDelivery(
        id=row[0], target=row[1], action=row[2], detail=row[3], queued_at=row[4], idempotency_key=row[5],
        attempts=row[6], remote_id=row[7], moment_id=row[8], kind=Kind(row[9]), title=row[10], body=row[11],
        url=row[12], tags=tuple(json.loads(row[13])), created_at=row[14],
    )  # fmt: skip


#: Only the lease's owner records a result (another process may have taken an expired lease over).
_HELD = "id = ? AND state = 'inflight' AND lease_owner = ?"
_RELEASED = "lease_owner = NULL, lease_until = NULL"


def record_sent(
    db: Database,
    delivery_id: int,
    remote_id: str | None,
    link: str | None,
    *,
    owner: str,
    poll_until: float | None = None,
    now: float = 0.0,
) -> bool:
    """Delivered. A question's post is polled for answers until `poll_until`. False: not our lease.

    Its first poll is due at once and marked by a negative poll_at: that poll always asks the backend
    directly; later ones may be covered by a complete feed read (see sync.engine)."""
    with db.atomic():
        cursor = db.execute(
            f"UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_error = NULL, {_RELEASED}, "
            "remote_id = coalesce(?, remote_id), remote_link = coalesce(?, remote_link), updated_at = ?, "
            f"poll_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END, poll_until = ? WHERE {_HELD}",
            [remote_id, link, utc_now(), poll_until, -now, poll_until, delivery_id, owner],
        )
    return bool(cursor.rowcount)


def record_retry(db: Database, delivery_id: int, error: str, retry_at: float, *, owner: str) -> bool:
    with db.atomic():
        cursor = db.execute(
            f"UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, {_RELEASED}, "
            f"next_attempt_at = ?, updated_at = ? WHERE {_HELD}",
            [error, retry_at, utc_now(), delivery_id, owner],
        )
    return bool(cursor.rowcount)


def record_dead(db: Database, delivery_id: int, error: str, *, owner: str) -> bool:
    with db.atomic():
        cursor = db.execute(
            f"UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, {_RELEASED}, "
            f"updated_at = ? WHERE {_HELD}",
            [error, utc_now(), delivery_id, owner],
        )
    return bool(cursor.rowcount)


def pause_target(
    db: Database, target: str, reason: str, *, delivery_id: int | None = None, owner: str | None = None
) -> None:
    """The target's credentials failed, or it asked us to stop: pause it and every delivery waiting
    for it (and the claimed `delivery_id`, when `owner` still holds its lease)."""
    with db.atomic():
        db.execute(
            f"UPDATE outbox SET state = 'paused', last_error = ?, {_RELEASED}, updated_at = ? "
            "WHERE target = ? AND (state = 'pending' OR (id = ? AND state = 'inflight' AND lease_owner = ?))",
            [reason, utc_now(), target, delivery_id, owner],
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
        db.execute("DELETE FROM target_waits WHERE target = ?", [target])
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


def set_target_wait(db: Database, target: str, not_before: float) -> None:
    """Nothing goes to (or is asked of) `target` before `not_before` (unix s), in any process."""
    with db.atomic():
        db.execute(
            "INSERT INTO target_waits (target, not_before) VALUES (?, ?) "
            "ON CONFLICT (target) DO UPDATE SET not_before = max(not_before, excluded.not_before)",
            [target, not_before],
        )


def clear_target_wait(db: Database, target: str) -> None:
    with db.atomic():
        db.execute("DELETE FROM target_waits WHERE target = ?", [target])


def target_waits(db: Database, now: float) -> dict[str, float]:
    """The targets still waiting at `now`, and until when."""
    return {
        row[0]: row[1] for row in db.execute("SELECT target, not_before FROM target_waits WHERE not_before > ?", [now])
    }


def next_due_at(db: Database) -> float | None:
    """When the engine next has something to do (unix s): a pending delivery or a reply poll (not
    before its target's wait), or another process's lease running out."""
    paused = list(paused_targets(db))
    skip = f"AND o.target NOT IN ({', '.join('?' for _ in paused)})" if paused else ""
    waits = "FROM outbox o LEFT JOIN target_waits w ON w.target = o.target"
    row = db.execute(
        "SELECT min(t) FROM ("
        f"SELECT min(max(o.next_attempt_at, coalesce(w.not_before, 0))) AS t {waits} WHERE o.state = 'pending' {skip} "
        f"UNION ALL SELECT min(max(o.poll_at, coalesce(w.not_before, o.poll_at))) {waits} "
        f"WHERE o.poll_at IS NOT NULL {skip} "
        "UNION ALL SELECT min(lease_until) FROM outbox WHERE state = 'inflight')",
        paused + paused,
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


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
        db.execute("DELETE FROM target_waits WHERE target = ?", [target])
        db.execute("DELETE FROM sync_cursors WHERE target = ?", [target])
