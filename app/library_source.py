"""The library window's read access: a read-only connection used on the GUI thread.

Reads are page-sized (≤ 200 rows by rowid) or one search, each a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlite_utils import Database

from storage.models import Delivery, Moment, MomentQuery, Reply, SearchResult
from storage.moments import list_rowids, moments_by_rowid, shared_targets, tag_counts
from storage.outbox import deliveries_for
from storage.pull import replies_for
from storage.search import search
from sync.connector import Target
from sync.registry import connector_for


class DatabaseLibrarySource:
    """Implements ui.ports.LibrarySource and ui.ports.DeliverySource over storage."""

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
