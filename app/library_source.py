"""The library window's read access: a read-only connection used on the GUI thread.

Reads are page-sized (≤ 200 rows by rowid) or one search, each a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from storage.models import Moment, MomentQuery, SearchResult
from storage.moments import list_rowids, moments_by_rowid, tag_counts
from storage.search import search


class DatabaseLibrarySource:
    """Implements ui.ports.LibrarySource over storage."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def query(self, query: MomentQuery) -> SearchResult:
        if query.text.strip():
            return search(self._db, query)
        return SearchResult(rowids=list_rowids(self._db, query))

    def moments(self, rowids: Sequence[int]) -> list[Moment]:
        return moments_by_rowid(self._db, rowids)

    def tags(self) -> list[str]:
        return [tag for tag, _ in tag_counts(self._db)]
