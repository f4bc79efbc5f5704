"""Import: the items a file holds (storage.interchange reads every format) written into the library
as moments; duplicates (same URL, or the same id) are merged.

`import_items` writes everything in one transaction, reading the items as a stream (one in memory):
a cancel, an error, a kill or an import above the cap (DEFAULT_MAX_MOMENTS new moments) leaves the
library as it was.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from storage.clock import utc_now
from storage.interchange.detect import open_import
from storage.interchange.items import ImportedSnapshot, ImportFormatError, ImportItem
from storage.models import Draft, DraftError, Kind, validate_draft
from storage.moments import NewMoment, insert_moment, write_tags
from storage.snapshots import attach_file, offline_copy_link, queue_snapshot

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_MAX_MOMENTS",
    "ImportFormatError",
    "ImportReport",
    "ImportTooLargeError",
    "import_items",
    "import_path",
    "normalize_url",
    "open_import",
]

BATCH_SIZE = 500
"""Progress is reported (and Cancel asked) every BATCH_SIZE items."""

DEFAULT_MAX_MOMENTS = 100_000
"""How many new moments one import may add unless told otherwise (`inflow import --max N`)."""


class ImportTooLargeError(ImportFormatError):
    """More new moments than one import may add; nothing was imported."""

    def __init__(self, found: int, limit: int) -> None:
        super().__init__(
            f"the file holds {found:,} moments, more than the {limit:,} one import may add; nothing was "
            f"imported (to import it all: inflow import FILE --max {found})"
        )
        self.found, self.limit = found, limit


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    merged: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    snapshots_queued: int = 0
    cancelled: bool = False
    total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "merged": self.merged,
            "skipped": self.skipped,
            "problems": list(self.problems),
            "snapshots_queued": self.snapshots_queued,
            "cancelled": self.cancelled,
            "total": self.total,
        }


# ---------------------------------------------------------------------------- duplicates


def normalize_url(url: str) -> str:
    """The key duplicates are found by: scheme and host lower-case, no fragment, no default port,
    no trailing slash (query and path case are kept: they matter to servers)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":") if not hostport.endswith("]") else (hostport, "", "")
    if not colon or not port.isdigit():
        host, colon, port = hostport, "", ""
    if (scheme, port) in (("http", "80"), ("https", "443")):
        colon, port = "", ""
    netloc = f"{userinfo}{at}{host.lower()}{colon}{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


# ---------------------------------------------------------------------------- writing


@dataclass(slots=True)
class _Existing:
    rowid: int
    title: str
    tags: tuple[str, ...]
    has_snapshot: bool
    has_file: bool


class _StopImportError(Exception):
    """Raised inside the import transaction to roll it back."""


Progress = Callable[[int, float], None]
"""on_progress(items read so far, fraction of the input read 0..1)."""


def import_items(
    db: Database,
    items: Iterable[ImportItem],
    *,
    snapshot: bool = True,
    on_progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_moments: int = DEFAULT_MAX_MOMENTS,
    progress_of: Callable[[], float] | None = None,
) -> ImportReport:
    """Write items in ONE transaction; merge duplicates (same URL, or the same id).

    A merge unites the tags and fills in an empty title (and a missing snapshot or file); nothing else
    of the existing moment changes. With `snapshot`, web resources without an imported copy get their
    page fetch queued. Every BATCH_SIZE items progress is reported and `cancelled` asked: a cancel, an
    error, a kill, or more than `max_moments` new moments (ImportTooLargeError, after counting the
    rest) leaves the library as it was. `progress_of` says how much of the input was read (0..1).
    """
    report = ImportReport()
    if progress_of is None and isinstance(items, (list, tuple)):
        size = len(items)
        progress_of = lambda: report.total / size if size else 1.0  # noqa: E731
    fraction = progress_of or (lambda: 0.0)
    by_url, by_id, taken_ids = _index_existing(db)
    if on_progress is not None:
        on_progress(0, 0.0)
    stream = iter(items)
    try:
        with db.atomic():
            for item in stream:
                if report.total % BATCH_SIZE == 0 and report.total:
                    if cancelled is not None and cancelled():
                        report.cancelled = True
                        raise _StopImportError
                    if on_progress is not None:
                        on_progress(report.total, fraction())
                report.total += 1
                _import_one(db, item, report, snapshot=snapshot, by_url=by_url, by_id=by_id, taken_ids=taken_ids)
                if report.added > max_moments:
                    raise _StopImportError
    except _StopImportError:
        if not report.cancelled:
            raise ImportTooLargeError(report.total + sum(1 for _ in stream), max_moments) from None
        report.added = report.merged = report.snapshots_queued = 0
        return report
    if on_progress is not None:
        on_progress(report.total, 1.0)
    return report


def _index_existing(db: Database) -> tuple[dict[str, _Existing], dict[str, _Existing], set[str]]:
    by_url: dict[str, _Existing] = {}
    by_id: dict[str, _Existing] = {}
    rows = db.execute(
        "SELECT m.rowid, m.id, m.kind, m.title, m.url, m.tags, m.deleted_at, "
        "EXISTS (SELECT 1 FROM snapshots s WHERE s.moment_rowid = m.rowid), "
        "EXISTS (SELECT 1 FROM files f WHERE f.moment_rowid = m.rowid) FROM moments m"
    )
    taken: set[str] = set()
    for rowid, moment_id, kind, title, url, tags, deleted_at, has_snapshot, has_file in rows:
        taken.add(moment_id)
        if deleted_at is not None:
            continue
        existing = _Existing(rowid, title, tuple(json.loads(tags)), bool(has_snapshot), bool(has_file))
        by_id[moment_id] = existing
        if url and kind == Kind.RESOURCE.value:
            by_url.setdefault(normalize_url(url), existing)
    return by_url, by_id, taken


def _import_one(
    db: Database,
    item: ImportItem,
    report: ImportReport,
    *,
    snapshot: bool,
    by_url: dict[str, _Existing],
    by_id: dict[str, _Existing],
    taken_ids: set[str],
) -> None:
    try:
        clean = validate_draft(
            Draft(kind=item.kind, title=item.title, body=item.body, url=item.url, tags=item.tags,
                  source_app=item.source_app, source_window=item.source_window)
        )  # fmt: skip
    except (DraftError, ValueError) as exc:
        report.skipped += 1
        report.problems.append(f"{item.title or item.url or item.id or 'a moment'}: {exc}")
        return
    key = normalize_url(clean.url) if clean.url and clean.kind is Kind.RESOURCE else None
    existing = (by_id.get(item.id) if item.id else None) or (by_url.get(key) if key else None)
    if existing is not None:
        _merge(db, existing, clean, item, report, snapshot=snapshot)
        return
    moment_id = item.id if item.id and item.id not in taken_ids else str(uuid.uuid4())
    created = item.created_at or utc_now()
    rowid = insert_moment(
        db,
        NewMoment(
            id=moment_id, kind=clean.kind, title=clean.title, body=clean.body, url=clean.url, tags=clean.tags,
            created_at=created, updated_at=item.updated_at or created, visibility=item.visibility,
            origin=item.origin, source_app=clean.source_app, source_window=clean.source_window,
            author=item.author, answered_at=item.answered_at,
        ),
    ) or 0  # fmt: skip
    taken_ids.add(moment_id)
    added = _Existing(rowid, clean.title, clean.tags, False, False)
    by_id[moment_id] = added
    if key:
        by_url[key] = added
    _attach(db, added, clean, item, report, snapshot=snapshot)
    report.added += 1


def _merge(
    db: Database, existing: _Existing, clean: Draft, item: ImportItem, report: ImportReport, *, snapshot: bool
) -> None:
    tags = tuple(dict.fromkeys([*existing.tags, *clean.tags]))
    title = existing.title or clean.title
    if tags != existing.tags or title != existing.title:
        db.execute(
            "UPDATE moments SET tags = ?, title = ?, updated_at = ? WHERE rowid = ?",
            [json.dumps(list(tags)), title, utc_now(), existing.rowid],
        )
        write_tags(db, existing.rowid, tags)
        existing.tags, existing.title = tags, title
    _attach(db, existing, clean, item, report, snapshot=snapshot)
    report.merged += 1


def _attach(
    db: Database, target: _Existing, clean: Draft, item: ImportItem, report: ImportReport, *, snapshot: bool
) -> None:
    """The imported snapshot and file, or a snapshot request, where the moment has none yet."""
    if item.file is not None and not target.has_file:
        attach_file(db, target.rowid, item.file.name, item.file.media_type, item.file.data, text=item.file.text)
        target.has_file = True
    if target.has_snapshot:
        return
    if item.snapshot is not None:
        _insert_snapshot(db, target.rowid, item.snapshot, clean.url or item.snapshot.url)
        target.has_snapshot = True
    elif snapshot and (link := offline_copy_link(clean.kind, clean.url)):
        queue_snapshot(db, target.rowid, link)
        target.has_snapshot = True
        report.snapshots_queued += 1


def _insert_snapshot(db: Database, rowid: int, snap: ImportedSnapshot, url: str) -> None:
    stamp = utc_now()
    for asset in snap.assets:
        db.execute(
            "INSERT OR REPLACE INTO snapshot_assets (moment_rowid, name, media_type, data) VALUES (?, ?, ?, ?)",
            [rowid, asset.name, asset.media_type, asset.data],
        )
    db.execute(
        "INSERT INTO snapshots (moment_rowid, state, url, final_url, content_type, title, byline, site, published, "
        "text, html, size, attempts, fetched_at, created_at, updated_at) "
        "VALUES (?, 'saved', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        [rowid, snap.url or url, snap.final_url, snap.content_type, snap.title, snap.byline, snap.site,
         snap.published, snap.text, snap.html, snap.size, snap.fetched_at or stamp, stamp, stamp],
    )  # fmt: skip


def import_path(
    db: Database,
    path: Path,
    *,
    snapshot: bool = True,
    on_progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_moments: int = DEFAULT_MAX_MOMENTS,
) -> ImportReport:
    """open_import + import_items (streamed); what parsing left out is counted as skipped."""
    source = open_import(path)
    report = import_items(
        db, source.items, snapshot=snapshot, on_progress=on_progress, cancelled=cancelled,
        max_moments=max_moments, progress_of=source.progress,
    )  # fmt: skip
    report.skipped += source.skipped
    report.problems[:0] = source.problems
    return report
