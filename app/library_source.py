"""The library window's read access: a read-only connection used on the GUI thread.

Reads are page-sized (≤ 200 rows by rowid) or one search, each a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlite_utils import Database

from storage.models import Delivery, KeptFile, Moment, MomentQuery, Reply, SearchResult, Snapshot
from storage.moments import list_rowids, moments_by_rowid, shared_targets, tag_counts
from storage.outbox_status import deliveries_for
from storage.pull import replies_for
from storage.search import search, snippets
from storage.snapshots import get_asset, get_file, get_snapshot
from sync.connector import Target
from sync.registry import connector_for


class DatabaseLibrarySource:
    """Implements ui.ports.LibrarySource, DeliverySource and SnapshotSource over storage."""

    def __init__(self, db: Database, targets: Callable[[], list[Target]] = list) -> None:
        self._db = db
        self._targets = targets

    def query(self, query: MomentQuery) -> SearchResult:
        if query.text.strip():
            return search(self._db, query)
        return SearchResult(rowids=list_rowids(self._db, query))

    def moments(self, rowids: Sequence[int]) -> list[Moment]:
        return moments_by_rowid(self._db, rowids)

    def tags(self) -> list[str]:
        return [tag for tag, _ in tag_counts(self._db)]

    def deliveries(self, rowid: int) -> list[Delivery]:
        return deliveries_for(self._db, rowid)

    def replies(self, rowid: int) -> list[Reply]:
        return replies_for(self._db, rowid)

    def retractable(self, moment_id: str) -> list[tuple[str, bool]]:
        kinds = {t.name: t.kind for t in self._targets()}
        return [
            (name, name in kinds and connector_for(kinds[name]).can_retract)
            for name in shared_targets(self._db, moment_id)
        ]

    def snapshot(self, rowid: int) -> Snapshot | None:
        return get_snapshot(self._db, rowid)

    def snapshot_asset(self, rowid: int, name: str) -> tuple[str, bytes] | None:
        return get_asset(self._db, rowid, name)

    def kept_file(self, rowid: int) -> KeptFile | None:
        return get_file(self._db, rowid)

    def snippets(self, text: str, rowids: Sequence[int]) -> dict[int, str]:
        return snippets(self._db, text, rowids)

    def has_unseen_replies(self, moment_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM replies r JOIN moments m ON m.rowid = r.moment_rowid WHERE m.id = ? AND r.seen = 0 LIMIT 1",
            [moment_id],
        ).fetchone()
        return row is not None
