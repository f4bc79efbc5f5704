"""Snapshots (offline copies of captured pages) and kept files: queue, claim, save, fail, read.

Like the outbox: claim (BEGIN IMMEDIATE) -> fetch with no transaction open -> save (one
transaction). A refresh keeps the old copy until a new one is saved; a failed refresh leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from storage.clock import utc_now
from storage.db import immediate
from storage.models import KeptFile, Kind, Snapshot, SnapshotState

_COLUMNS = (
    "state, url, final_url, content_type, title, byline, site, published, text, html, size, error, attempts, "
    "fetched_at, next_attempt_at"
)


@dataclass(frozen=True, slots=True)
class Asset:
    """An image (or other resource) kept with a snapshot; the HTML refers to it as inflow-asset:<name>."""

    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class SnapshotContent:
    """What a fetch produced."""

    final_url: str
    content_type: str
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None
    text: str = ""
    html: str = ""
    assets: Sequence[Asset] = field(default_factory=tuple)

    @property
    def size(self) -> int:
        return len(self.text.encode()) + len(self.html.encode()) + sum(len(a.data) for a in self.assets)


@dataclass(frozen=True, slots=True)
class SnapshotJob:
    moment_rowid: int
    moment_id: str
    url: str
    attempts: int
    refresh: bool


def offline_copy_link(kind: Kind, url: str | None, *, from_team: bool = False) -> str | None:
    """The link a new moment gets an offline copy of (when copies are on), or None: a resource's web
    link (http://, https://); from the team feed, any moment's (colleagues link pages in tips and
    questions too; the fetcher keeps those to a daily budget)."""
    if url and url.startswith(("http://", "https://")) and (from_team or kind is Kind.RESOURCE):
        return url
    return None


def queue_snapshot(db: Database, moment_rowid: int, url: str) -> None:
    """Ask for a snapshot (inside the caller's transaction: a capture and its snapshot request land
    together). An existing snapshot is refreshed: it stays readable until the new one is saved."""
    stamp = utc_now()
    db.execute(
        "INSERT INTO snapshots (moment_rowid, url, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (moment_rowid) DO UPDATE SET url = excluded.url, next_attempt_at = 0, attempts = 0, "
        "state = CASE WHEN snapshots.html IS NOT NULL THEN 'saved' ELSE 'pending' END, "
        "error = NULL, updated_at = excluded.updated_at",
        [moment_rowid, url, stamp, stamp],
    )
    db.execute("UPDATE snapshots SET next_attempt_at = -1 WHERE moment_rowid = ? AND state = 'saved'", [moment_rowid])


def request_refresh(db: Database, moment_id: str) -> bool:
    """Fetch the page again (the old copy stays until the new one is saved). False: no such resource."""
    with db.atomic():
        row = db.execute(
            "SELECT rowid, url FROM moments WHERE id = ? AND deleted_at IS NULL AND url IS NOT NULL", [moment_id]
        ).fetchone()
        if row is None:
            return False
        queue_snapshot(db, row[0], row[1])
    return True


def claim_snapshot(db: Database, now: float) -> SnapshotJob | None:
    """The next snapshot to fetch: pending ones, and refreshes (saved with next_attempt_at = -1)."""
    with immediate(db):
        row = db.execute(
            "SELECT s.moment_rowid, m.id, s.url, s.attempts, s.state FROM snapshots s "
            "JOIN moments m ON m.rowid = s.moment_rowid WHERE m.deleted_at IS NULL AND "
            "((s.state = 'pending' AND s.next_attempt_at <= ?) OR (s.state = 'saved' AND s.next_attempt_at = -1)) "
            "ORDER BY s.next_attempt_at, s.moment_rowid LIMIT 1",
            [now],
        ).fetchone()
        if row is None:
            return None
        refresh = row[4] == "saved"
        db.execute(
            "UPDATE snapshots SET state = CASE WHEN ? THEN state ELSE 'fetching' END, next_attempt_at = 0, "
            "updated_at = ? WHERE moment_rowid = ?",
            [refresh, utc_now(), row[0]],
        )
    return SnapshotJob(row[0], row[1], row[2], row[3], refresh)


def save_snapshot(db: Database, moment_rowid: int, content: SnapshotContent) -> None:
    """Store a fetched copy (replacing the old one and its assets) in one transaction."""
    with db.atomic():
        db.execute("DELETE FROM snapshot_assets WHERE moment_rowid = ?", [moment_rowid])
        for asset in content.assets:
            db.execute(
                "INSERT INTO snapshot_assets (moment_rowid, name, media_type, data) VALUES (?, ?, ?, ?)",
                [moment_rowid, asset.name, asset.media_type, asset.data],
            )
        db.execute(
            "UPDATE snapshots SET state = 'saved', final_url = ?, content_type = ?, title = ?, byline = ?, "
            "site = ?, published = ?, text = ?, html = ?, size = ?, error = NULL, attempts = attempts + 1, "
            "fetched_at = ?, updated_at = ? WHERE moment_rowid = ?",
            [content.final_url, content.content_type, content.title, content.byline, content.site,
             content.published, content.text, content.html, content.size, utc_now(), utc_now(), moment_rowid],
        )  # fmt: skip


def snapshot_failed(db: Database, moment_rowid: int, error: str, *, retry_at: float | None) -> None:
    """A fetch failed: retry later (transient), or give up (the reason is shown with a Retry).

    A snapshot that already has content keeps it (state saved, the error remembered)."""
    with db.atomic():
        db.execute(
            "UPDATE snapshots SET error = ?, attempts = attempts + 1, updated_at = ?, "
            "next_attempt_at = CASE WHEN html IS NOT NULL THEN 0 ELSE coalesce(?, 0) END, "
            "state = CASE WHEN html IS NOT NULL THEN 'saved' WHEN ? IS NULL THEN 'failed' ELSE 'pending' END "
            "WHERE moment_rowid = ?",
            [error, utc_now(), retry_at, retry_at, moment_rowid],
        )


def retry_snapshot(db: Database, moment_id: str) -> bool:
    """The person pressed Retry on a failed snapshot, or Retry now on one waiting for its next try."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE snapshots SET state = 'pending', next_attempt_at = 0, attempts = 0, error = NULL "
            "WHERE (state = 'failed' OR (state = 'pending' AND error IS NOT NULL)) "
            "AND moment_rowid = (SELECT rowid FROM moments WHERE id = ?)",
            [moment_id],
        )
    return bool(cursor.rowcount)


def reconcile_fetching(db: Database) -> int:
    """At start-up: fetches a crash interrupted are due again."""
    with db.atomic():
        cursor = db.execute("UPDATE snapshots SET state = 'pending', next_attempt_at = 0 WHERE state = 'fetching'")
    return int(cursor.rowcount)


def next_snapshot_due(db: Database) -> float | None:
    row = db.execute(
        "SELECT min(CASE WHEN state = 'saved' THEN 0 ELSE next_attempt_at END) FROM snapshots "
        "WHERE state = 'pending' OR (state = 'saved' AND next_attempt_at = -1)"
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def get_snapshot(db: Database, moment_rowid: int, *, with_content: bool = True) -> Snapshot | None:
    columns = _COLUMNS if with_content else _COLUMNS.replace("text, html", "NULL, NULL")
    row = db.execute(f"SELECT {columns} FROM snapshots WHERE moment_rowid = ?", [moment_rowid]).fetchone()
    return None if row is None else _to_snapshot(row)


def get_asset(db: Database, moment_rowid: int, name: str) -> tuple[str, bytes] | None:
    row = db.execute(
        "SELECT media_type, data FROM snapshot_assets WHERE moment_rowid = ? AND name = ?", [moment_rowid, name]
    ).fetchone()
    return None if row is None else (str(row[0]), bytes(row[1]))


def list_assets(db: Database, moment_rowid: int) -> list[tuple[str, str, bytes]]:
    """Every image kept with a snapshot: (name, media type, bytes), in the order they were saved."""
    return [
        (str(r[0]), str(r[1]), bytes(r[2]))
        for r in db.execute(
            "SELECT name, media_type, data FROM snapshot_assets WHERE moment_rowid = ? ORDER BY id", [moment_rowid]
        )
    ]


def attach_file(db: Database, moment_rowid: int, name: str, media_type: str, data: bytes, *, text: str | None) -> None:
    """Keep a file with a moment (inside the caller's transaction); its text, if any, is searchable."""
    db.execute(
        "INSERT OR REPLACE INTO files (moment_rowid, name, media_type, size, data, text) VALUES (?, ?, ?, ?, ?, ?)",
        [moment_rowid, name, media_type, len(data), data, text],
    )


def get_file(db: Database, moment_rowid: int) -> KeptFile | None:
    row = db.execute("SELECT name, media_type, size, text FROM files WHERE moment_rowid = ?", [moment_rowid]).fetchone()
    return None if row is None else KeptFile(row[0], row[1], row[2], row[3])


def file_data(db: Database, moment_rowid: int) -> bytes | None:
    row = db.execute("SELECT data FROM files WHERE moment_rowid = ?", [moment_rowid]).fetchone()
    return None if row is None else bytes(row[0])


def storage_sizes(db: Database) -> dict[str, int]:
    """Bytes used by snapshots (text, HTML, images) and kept files, for `inflow doctor`."""
    snap = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM snapshots WHERE state = 'saved'").fetchone()
    files = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM files").fetchone()
    return {
        "snapshots": int(snap[0]),
        "snapshot_bytes": int(snap[1]),
        "files": int(files[0]),
        "file_bytes": int(files[1]),
    }


def prune_snapshots(db: Database, older_than_iso: str) -> int:
    """Drop the content of snapshots fetched before the given time (keep-for-N-days setting)."""
    with db.atomic():
        rows = [r[0] for r in db.execute("SELECT moment_rowid FROM snapshots WHERE fetched_at < ?", [older_than_iso])]
        for rowid in rows:
            db.execute("DELETE FROM snapshot_assets WHERE moment_rowid = ?", [rowid])
            db.execute("DELETE FROM snapshots WHERE moment_rowid = ?", [rowid])
    return len(rows)


def _to_snapshot(row: Sequence[Any]) -> Snapshot:
    return Snapshot(
        state=SnapshotState(row[0]), url=row[1], final_url=row[2], content_type=row[3], title=row[4], byline=row[5],
        site=row[6], published=row[7], text=row[8], html=row[9], size=row[10], error=row[11], attempts=row[12],
        fetched_at=row[13], next_attempt_at=max(0.0, float(row[14] or 0)),
    )  # fmt: skip
