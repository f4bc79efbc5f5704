"""What comes back: replies to our questions and the team's feed, each stored in one transaction.

Re-delivery is harmless: replies are unique per (target, remote id), feed items per
(feed_target, feed_remote_id), and the new cursor is written in the same transaction as the items.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from storage.clock import utc_now
from storage.models import Kind, Reply
from storage.moments import NewMoment, insert_moment
from storage.outbox import track
from storage.snapshots import offline_copy_link, queue_snapshot


@dataclass(frozen=True, slots=True)
class PollDue:
    """An open question's post whose replies are due to be fetched."""

    outbox_id: int
    target: str
    remote_id: str
    moment_rowid: int
    moment_id: str
    title: str
    created_at: str
    poll_until: float
    poll_at: float

    @property
    def first(self) -> bool:
        """The first poll after sending (always asks the backend directly)."""
        return self.poll_at < 0


@dataclass(frozen=True, slots=True)
class IncomingReply:
    remote_id: str
    author: str
    body: str
    created_at: str


@dataclass(frozen=True, slots=True)
class IncomingFeedItem:
    remote_id: str
    author: str
    kind: Kind
    title: str
    body: str
    url: str | None
    tags: tuple[str, ...]
    created_at: str
    local_id: str | None = None


def due_polls(db: Database, now: float, *, skip_targets: Sequence[str] = ()) -> list[PollDue]:
    """Sent questions, not marked answered, whose next poll time has come."""
    skip = f"AND o.target NOT IN ({', '.join('?' for _ in skip_targets)})" if skip_targets else ""
    rows = db.execute(
        "SELECT o.id, o.target, o.remote_id, m.rowid, m.id, m.title, m.created_at, o.poll_until, o.poll_at "
        "FROM outbox o JOIN moments m ON m.rowid = o.moment_rowid "
        "WHERE o.poll_at IS NOT NULL AND o.poll_at <= ? AND o.state = 'sent' AND o.remote_id IS NOT NULL "
        f"AND m.deleted_at IS NULL AND m.answered_at IS NULL {skip} ORDER BY o.poll_at",
        [now, *skip_targets],
    ).fetchall()
    return [PollDue(*row) for row in rows]


def open_questions(db: Database, target: str) -> list[PollDue]:
    """Every sent, still-polled question on a target (due or not), for replies seen in its feed."""
    rows = db.execute(
        "SELECT o.id, o.target, o.remote_id, m.rowid, m.id, m.title, m.created_at, o.poll_until, o.poll_at "
        "FROM outbox o JOIN moments m ON m.rowid = o.moment_rowid "
        "WHERE o.target = ? AND o.poll_at IS NOT NULL AND o.state = 'sent' AND o.remote_id IS NOT NULL "
        "AND m.deleted_at IS NULL AND m.answered_at IS NULL",
        [target],
    ).fetchall()
    return [PollDue(*row) for row in rows]


def store_replies(
    db: Database, poll: PollDue, replies: Sequence[IncomingReply], next_poll_at: float | bool | None
) -> int:
    """Store new replies; schedule the next poll (None: stop polling; False: leave the schedule as it
    is); returns how many were new."""
    stamp = utc_now()
    new = 0
    with db.atomic():
        for reply in replies:
            cursor = db.execute(
                "INSERT OR IGNORE INTO replies (moment_rowid, target, remote_id, author, body, created_at, "
                "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [poll.moment_rowid, poll.target, reply.remote_id, reply.author, reply.body,
                 reply.created_at, stamp],
            )  # fmt: skip
            new += cursor.rowcount
        if next_poll_at is not False:
            db.execute("UPDATE outbox SET poll_at = ? WHERE id = ?", [next_poll_at, poll.outbox_id])
    return new


def replies_for(db: Database, moment_rowid: int) -> list[Reply]:
    return [
        Reply(target=r[0], remote_id=r[1], author=r[2], body=r[3], created_at=r[4], seen=bool(r[5]))
        for r in db.execute(
            "SELECT target, remote_id, author, body, created_at, seen FROM replies "
            "WHERE moment_rowid = ? ORDER BY created_at, id",
            [moment_rowid],
        )
    ]


def mark_replies_seen(db: Database, moment_id: str) -> int:
    """A question's answers were shown: none of them is "new" any more; returns how many were."""
    with db.atomic():
        row = db.execute("SELECT rowid FROM moments WHERE id = ?", [moment_id]).fetchone()
        if row is None:
            raise KeyError(moment_id)
        cursor = db.execute("UPDATE replies SET seen = 1 WHERE moment_rowid = ? AND seen = 0", [row[0]])
    return int(cursor.rowcount)


def set_answered(db: Database, moment_id: str, answered: bool = True) -> bool:
    """Mark a question answered (stops polling) or open again (polling resumes now)."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE moments SET answered_at = ? WHERE id = ? AND kind = 'question' AND deleted_at IS NULL",
            [utc_now() if answered else None, moment_id],
        )
        if not answered:
            db.execute(
                "UPDATE outbox SET poll_at = 0 WHERE state = 'sent' AND action = 'post' AND poll_until IS NOT NULL "
                "AND moment_rowid = (SELECT rowid FROM moments WHERE id = ?)",
                [moment_id],
            )
    return bool(cursor.rowcount)


def mark_answered(db: Database, moment_id: str, answered: bool, track_targets: Sequence[str] = ()) -> bool:
    """Set or clear a question's answered mark; when it becomes answered, tracking targets that record
    answering get it, in the same transaction. Returns whether the mark changed."""
    with db.atomic():
        changed = set_answered(db, moment_id, answered)
        if changed and answered:
            track(db, moment_id, track_targets, "answered")
    return changed


def get_cursor(db: Database, target: str, stream: str) -> str | None:
    row = db.execute("SELECT value FROM sync_cursors WHERE target = ? AND stream = ?", [target, stream]).fetchone()
    return None if row is None else str(row[0])


def store_feed(
    db: Database, target: str, items: Sequence[IncomingFeedItem], cursor: str | None, *, snapshot: bool = False
) -> int:
    """Add colleagues' posts as team moments and move the cursor, in one transaction.

    With `snapshot`, items carrying a link get an offline copy queued (the fetcher applies the
    daily budget for team-feed copies).

    Our own posts coming back are skipped: by the local id they carry, or by the remote id we
    recorded when we sent them.
    """
    stamp = utc_now()
    new = 0
    with db.atomic():
        ours = {
            r[0]
            for r in db.execute("SELECT remote_id FROM outbox WHERE target = ? AND remote_id IS NOT NULL", [target])
        }
        for item in items:
            if item.remote_id in ours:
                continue
            if item.local_id and db.execute("SELECT 1 FROM moments WHERE id = ?", [item.local_id]).fetchone():
                continue
            rowid = insert_moment(
                db,
                NewMoment(
                    id=str(uuid.uuid4()), kind=item.kind, title=item.title, body=item.body, url=item.url,
                    tags=item.tags, created_at=item.created_at or stamp, updated_at=stamp, visibility="team",
                    origin="team", author=item.author, feed_target=target, feed_remote_id=item.remote_id,
                ),
            )  # fmt: skip
            if rowid is not None:
                new += 1
                if snapshot and (link := offline_copy_link(item.kind, item.url, from_team=True)):
                    queue_snapshot(db, rowid, link)
        if cursor is not None:
            db.execute(
                "INSERT INTO sync_cursors (target, stream, value) VALUES (?, 'feed', ?) "
                "ON CONFLICT (target, stream) DO UPDATE SET value = excluded.value",
                [target, cursor],
            )
    return new
