"""Moments: add, update, delete (soft, undoable), read, list, tags. Pure functions over a Database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.clock import utc_now
from storage.models import Draft, Kind, Moment, MomentQuery, validate_draft
from storage.outbox import enqueue
from storage.snapshots import offline_copy_link, queue_snapshot

_COLUMNS = (
    "rowid, id, kind, title, body, url, tags, visibility, origin, source_app, source_window, "
    "created_at, updated_at, author, answered_at"
)


@dataclass(frozen=True, slots=True)
class NewMoment:
    """Every column a new moment row gets: a capture, an import and a team feed item alike."""

    id: str
    kind: Kind
    title: str
    body: str
    url: str | None
    tags: tuple[str, ...]
    created_at: str
    updated_at: str
    visibility: str = "private"
    origin: str = "local"
    source_app: str | None = None
    source_window: str | None = None
    author: str | None = None
    answered_at: str | None = None
    feed_target: str | None = None
    feed_remote_id: str | None = None


_INSERT = (
    "INSERT INTO moments (id, kind, title, body, url, tags, visibility, origin, source_app, source_window, "
    "created_at, updated_at, author, answered_at, feed_target, feed_remote_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (feed_target, feed_remote_id) WHERE feed_target IS NOT NULL DO NOTHING"
)


def insert_moment(db: Database, row: NewMoment) -> int | None:
    """The one INSERT of a moment, with its tags (inside the caller's transaction); returns its rowid,
    or None for a team feed item already stored (same target and remote id)."""
    cursor = db.execute(
        _INSERT,
        [row.id, row.kind.value, row.title, row.body, row.url, json.dumps(list(row.tags)), row.visibility,
         row.origin, row.source_app, row.source_window, row.created_at, row.updated_at, row.author,
         row.answered_at, row.feed_target, row.feed_remote_id],
    )  # fmt: skip
    if not cursor.rowcount:
        return None
    rowid = int(cursor.lastrowid or 0)
    write_tags(db, rowid, row.tags)
    return rowid


def add_moment(
    db: Database,
    draft: Draft,
    *,
    now: str | None = None,
    track_targets: Sequence[str] = (),
    snapshot: bool = False,
) -> Moment:
    """Validate and store a draft in one transaction; returns the stored moment.

    Its shares (draft.share_to), a `captured` activity for each tracking target and, with
    `snapshot`, the request for an offline copy of a resource's page are queued in the same
    transaction.
    """
    clean = validate_draft(draft)
    stamp = now or utc_now()
    row = NewMoment(
        id=str(uuid.uuid4()), kind=clean.kind, title=clean.title, body=clean.body, url=clean.url, tags=clean.tags,
        created_at=stamp, updated_at=stamp, visibility="team" if clean.share_to else "private",
        source_app=clean.source_app, source_window=clean.source_window,
    )  # fmt: skip
    with db.atomic():
        rowid = insert_moment(db, row) or 0
        if clean.share_to or track_targets:
            enqueue(db, rowid, clean.share_to)
            enqueue(db, rowid, track_targets, action="track", detail="captured")
        if snapshot and (link := offline_copy_link(clean.kind, clean.url)):
            queue_snapshot(db, rowid, link)
    return Moment(
        id=row.id, rowid=rowid, kind=row.kind, title=row.title, body=row.body, url=row.url, tags=row.tags,
        created_at=stamp, updated_at=stamp, source_app=row.source_app, source_window=row.source_window,
        visibility=row.visibility,
    )  # fmt: skip


def update_moment(db: Database, moment_id: str, draft: Draft) -> Moment:
    """Replace a moment's kind, title, body, url and tags. Raises KeyError if it does not exist."""
    clean = validate_draft(draft)
    with db.atomic():
        row = db.execute("SELECT rowid FROM moments WHERE id = ? AND deleted_at IS NULL", [moment_id]).fetchone()
        if row is None:
            raise KeyError(moment_id)
        db.execute(
            "UPDATE moments SET kind = ?, title = ?, body = ?, url = ?, tags = ?, updated_at = ? WHERE rowid = ?",
            [
                clean.kind.value,
                clean.title,
                clean.body,
                clean.url,
                json.dumps(list(clean.tags)),
                utc_now(),
                row[0],
            ],
        )
        write_tags(db, row[0], clean.tags)
        _enqueue_for_sent_posts(db, row[0], "edit")
    return get_moment(db, moment_id)


def _enqueue_for_sent_posts(db: Database, rowid: int, action: str) -> None:
    """Where the moment was already posted, queue an edit or a retraction for that target."""
    targets = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT target FROM outbox WHERE moment_rowid = ? AND action = 'post' AND state = 'sent'",
            [rowid],
        )
    ]
    enqueue(db, rowid, targets, action=action)


def shared_targets(db: Database, moment_id: str) -> list[str]:
    """Targets where this moment is online (posted), for "deleting leaves it on ..." messages."""
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT o.target FROM outbox o JOIN moments m ON m.rowid = o.moment_rowid "
            "WHERE m.id = ? AND o.action = 'post' AND o.state = 'sent'",
            [moment_id],
        )
    ]


def delete_moments(db: Database, moment_ids: Iterable[str], *, retract: bool = False) -> int:
    """Soft-delete (undoable with undelete_moments); with retract, also queue removing the posts."""
    ids = list(moment_ids)
    with db.atomic():
        count = _set_deleted(db, ids, utc_now())
        if retract:
            for (rowid,) in db.execute(
                f"SELECT rowid FROM moments WHERE id IN ({', '.join('?' for _ in ids)})", ids
            ).fetchall():
                _enqueue_for_sent_posts(db, rowid, "retract")
        # A deleted question is no longer polled for answers; queued posts are cancelled.
        db.execute(
            "UPDATE outbox SET poll_at = NULL, state = CASE WHEN state IN ('pending', 'paused') "
            "AND action = 'post' THEN 'cancelled' ELSE state END "
            f"WHERE moment_rowid IN (SELECT rowid FROM moments WHERE id IN ({', '.join('?' for _ in ids)}))",
            ids,
        )
    return count


def undelete_moments(db: Database, moment_ids: Iterable[str]) -> int:
    """Bring soft-deleted moments back; returns how many came back."""
    return _set_deleted(db, moment_ids, None)


def _set_deleted(db: Database, moment_ids: Iterable[str], stamp: str | None) -> int:
    ids = list(moment_ids)
    if not ids:
        return 0
    condition = "deleted_at IS NULL" if stamp else "deleted_at IS NOT NULL"
    with db.atomic():
        cursor = db.execute(
            f"UPDATE moments SET deleted_at = ? WHERE {condition} AND id IN ({', '.join('?' for _ in ids)})",
            [stamp, *ids],
        )
    return int(cursor.rowcount)


def get_moment(db: Database, moment_id: str) -> Moment:
    """One live moment by id (KeyError when unknown or deleted). A unique id prefix also works."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM moments WHERE deleted_at IS NULL AND (id = ? OR id LIKE ? ESCAPE '\\') LIMIT 2",
        [moment_id, _like_prefix(moment_id)],
    ).fetchall()
    exact = [r for r in rows if r[1] == moment_id]
    if exact:
        return _to_moment(exact[0])
    if len(rows) == 1 and len(moment_id) >= 4:
        return _to_moment(rows[0])
    raise KeyError(moment_id)


def moments_by_rowid(db: Database, rowids: Sequence[int]) -> list[Moment]:
    """Live moments for these rowids, in the order given (unknown or deleted ones left out)."""
    found: dict[int, Moment] = {}
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start : start + 500])
        placeholders = ", ".join("?" for _ in chunk)
        for row in db.execute(
            f"SELECT {_COLUMNS} FROM moments WHERE deleted_at IS NULL AND rowid IN ({placeholders})",
            chunk,
        ):
            found[row[0]] = _to_moment(row)
    return [found[r] for r in rowids if r in found]


def list_rowids(db: Database, query: MomentQuery) -> list[int]:
    """Rowids of live moments, newest first, filtered by kind and tag (no text search)."""
    where = ["deleted_at IS NULL"]
    params: list[Any] = []
    if query.kind is not None:
        where.append("kind = ?")
        params.append(Kind(query.kind).value)
    if query.tag:
        where.append("rowid IN (SELECT moment_rowid FROM moment_tags WHERE tag = ?)")
        params.append(query.tag)
    sql = f"SELECT rowid FROM moments WHERE {' AND '.join(where)} ORDER BY created_at DESC, rowid DESC"
    return [row[0] for row in db.execute(sql, params)]


def all_moments(db: Database) -> Iterable[Moment]:
    """Every live moment, oldest first (for export)."""
    for row in db.execute(f"SELECT {_COLUMNS} FROM moments WHERE deleted_at IS NULL ORDER BY created_at, rowid"):
        yield _to_moment(row)


def tag_counts(db: Database) -> list[tuple[str, int]]:
    """Every tag on a live moment with its use count, most used first."""
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT tag, count(*) AS n FROM moment_tags JOIN moments ON moments.rowid = moment_rowid "
            "WHERE deleted_at IS NULL GROUP BY tag ORDER BY n DESC, tag"
        )
    ]


def count_moments(db: Database) -> int:
    """How many live moments there are."""
    return int(db.execute("SELECT count(*) FROM moments WHERE deleted_at IS NULL").fetchone()[0])


def write_tags(db: Database, rowid: int, tags: Sequence[str]) -> None:
    db.execute("DELETE FROM moment_tags WHERE moment_rowid = ?", [rowid])
    for tag in tags:
        db.execute("INSERT OR IGNORE INTO moment_tags (moment_rowid, tag) VALUES (?, ?)", [rowid, tag])


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _to_moment(row: Sequence[Any]) -> Moment:
    return Moment(
        rowid=row[0],
        id=row[1],
        kind=Kind(row[2]),
        title=row[3],
        body=row[4],
        url=row[5],
        tags=tuple(json.loads(row[6])),
        visibility=row[7],
        origin=row[8],
        source_app=row[9],
        source_window=row[10],
        created_at=row[11],
        updated_at=row[12],
        author=row[13],
        answered_at=row[14],
    )


def purge_deleted(db: Database, deleted_before: str) -> int:
    """Remove for good the moments deleted before the given time (past the undo window); their
    offline copies, kept files, deliveries and answers go with them (foreign keys cascade)."""
    with db.atomic():
        cursor = db.execute("DELETE FROM moments WHERE deleted_at IS NOT NULL AND deleted_at < ?", [deleted_before])
    return int(cursor.rowcount)
