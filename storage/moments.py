"""Moments: add, update, delete (soft, undoable), read, list, tags. Pure functions over a Database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from storage.models import Draft, Kind, Moment, MomentQuery, validate_draft

_COLUMNS = (
    "rowid, id, kind, title, body, url, tags, visibility, origin, source_app, source_window, "
    "created_at, updated_at"
)


def utc_now() -> str:
    """Timestamps are ISO 8601 UTC with milliseconds: they sort as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_moment(db: Database, draft: Draft, *, now: str | None = None) -> Moment:
    """Validate and store a draft in one transaction; returns the stored moment."""
    clean = validate_draft(draft)
    stamp = now or utc_now()
    moment_id = str(uuid.uuid4())
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO moments (id, kind, title, body, url, tags, source_app, source_window, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                moment_id,
                clean.kind.value,
                clean.title,
                clean.body,
                clean.url,
                json.dumps(list(clean.tags)),
                clean.source_app,
                clean.source_window,
                stamp,
                stamp,
            ],
        )
        rowid = int(cursor.lastrowid or 0)
        _write_tags(db, rowid, clean.tags)
    return Moment(
        id=moment_id,
        rowid=rowid,
        kind=clean.kind,
        title=clean.title,
        body=clean.body,
        url=clean.url,
        tags=clean.tags,
        created_at=stamp,
        updated_at=stamp,
        source_app=clean.source_app,
        source_window=clean.source_window,
    )


def update_moment(db: Database, moment_id: str, draft: Draft) -> Moment:
    """Replace a moment's kind, title, body, url and tags. Raises KeyError if it does not exist."""
    clean = validate_draft(draft)
    with db.atomic():
        row = db.execute(
            "SELECT rowid FROM moments WHERE id = ? AND deleted_at IS NULL", [moment_id]
        ).fetchone()
        if row is None:
            raise KeyError(moment_id)
        db.execute(
            "UPDATE moments SET kind = ?, title = ?, body = ?, url = ?, tags = ?, updated_at = ? "
            "WHERE rowid = ?",
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
        _write_tags(db, row[0], clean.tags)
    return get_moment(db, moment_id)


def delete_moments(db: Database, moment_ids: Iterable[str]) -> int:
    """Soft-delete (undoable with undelete_moments); returns how many were deleted."""
    return _set_deleted(db, moment_ids, utc_now())


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
        f"SELECT {_COLUMNS} FROM moments WHERE deleted_at IS NULL AND (id = ? OR id LIKE ? ESCAPE '\\') "
        "LIMIT 2",
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
    for row in db.execute(
        f"SELECT {_COLUMNS} FROM moments WHERE deleted_at IS NULL ORDER BY created_at, rowid"
    ):
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


def _write_tags(db: Database, rowid: int, tags: Sequence[str]) -> None:
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
    )
