"""A virtualized list model over the library: it holds only rowids and fetches moments page by page."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from storage.models import Moment, SearchResult
from ui.ports import LibrarySource

PAGE_SIZE = 200
CACHED_PAGES = 16
MOMENT_ROLE = Qt.ItemDataRole.UserRole + 1
TERMS_ROLE = Qt.ItemDataRole.UserRole + 2
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 3
"""The row's search snippet (matches between SNIPPET_START/END), "" when it has none, None when not searching."""
SNIPPETS_SHOWN_ROLE = Qt.ItemDataRole.UserRole + 4
"""True while the list shows a search with snippets (every row then has a snippet line)."""
SNIPPET_PAGE_SIZE = 40
CACHED_SNIPPET_PAGES = 32

SnippetFetcher = Callable[[str, Sequence[int]], dict[int, str]]

_Index = QModelIndex | QPersistentModelIndex


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones are taken as UTC); None if unreadable."""
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def relative_date(value: str, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', 'Mon', '12 May', '12 May 2023'."""
    when = parse_timestamp(value)
    if when is None:
        return value
    now = now or datetime.now(UTC)
    local, local_now = when.astimezone(), now.astimezone()
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    days = (local_now.date() - local.date()).days
    if days == 0:
        return f"{int(seconds // 3600)} h ago"
    if days == 1:
        return "yesterday"
    if days < 7:
        return local.strftime("%a")
    if local.year == local_now.year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b %Y')}"


class MomentListModel(QAbstractListModel):
    """Rows are the rowids of a SearchResult; moments are read lazily, a page at a time, into an LRU cache.

    rowCount() is len(rowids); data() reads the page of PAGE_SIZE rows around a row on a cache miss,
    so only what the view paints is ever loaded, even for 100,000 rows.
    """

    def __init__(self, source: LibrarySource, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._rowids: list[int] = []
        self._terms: tuple[str, ...] = ()
        self._pages: OrderedDict[int, dict[int, Moment]] = OrderedDict()
        self._snippet_fetcher: SnippetFetcher | None = None
        self._query_text = ""
        self._snippet_pages: OrderedDict[int, dict[int, str]] = OrderedDict()

    def set_snippet_source(self, fetcher: SnippetFetcher | None) -> None:
        """Where search snippets come from (SnapshotSource.snippets); None shows no snippet line."""
        self.beginResetModel()
        self._snippet_fetcher = fetcher
        self._snippet_pages.clear()
        self.endResetModel()

    @property
    def shows_snippets(self) -> bool:
        return self._snippet_fetcher is not None and bool(self._query_text.strip())

    def snippet_at(self, row: int) -> str | None:
        """The row's snippet; read for the SNIPPET_PAGE_SIZE rows around it on a miss (never for all)."""
        if not self.shows_snippets or not 0 <= row < len(self._rowids) or self._snippet_fetcher is None:
            return None
        number = row // SNIPPET_PAGE_SIZE
        page = self._snippet_pages.get(number)
        if page is None:
            rowids = self._rowids[number * SNIPPET_PAGE_SIZE : (number + 1) * SNIPPET_PAGE_SIZE]
            try:
                page = dict(self._snippet_fetcher(self._query_text, rowids))
            except Exception:  # a snippet is a nicety: a failing read must not break painting
                page = {}
            self._snippet_pages[number] = page
            while len(self._snippet_pages) > CACHED_SNIPPET_PAGES:
                self._snippet_pages.popitem(last=False)
        else:
            self._snippet_pages.move_to_end(number)
        return page.get(self._rowids[row], "")

    @property
    def terms(self) -> tuple[str, ...]:
        return self._terms

    @property
    def rowids(self) -> list[int]:
        return self._rowids

    def set_result(self, result: SearchResult, query_text: str = "") -> None:
        """Show a new query result (drops the caches: moments may have changed); `query_text` is what was
        searched for, for the snippets."""
        self.beginResetModel()
        self._rowids = list(result.rowids)
        self._terms = tuple(result.terms)
        self._query_text = query_text
        self._pages.clear()
        self._snippet_pages.clear()
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rowids)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rowids):
            return None
        if role == TERMS_ROLE:
            return self._terms
        if role == SNIPPETS_SHOWN_ROLE:
            return self.shows_snippets
        if role == SNIPPET_ROLE:
            return self.snippet_at(index.row())
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, MOMENT_ROLE):
            return None
        moment = self.moment_at(index.row())
        if role == MOMENT_ROLE:
            return moment
        if moment is None:
            return "(deleted)"
        return moment.display_title

    def moment_at(self, row: int) -> Moment | None:
        """The moment on a row (read from the source on a cache miss); None if it was deleted meanwhile."""
        if not 0 <= row < len(self._rowids):
            return None
        return self._page(row // PAGE_SIZE).get(self._rowids[row])

    def row_of_rowid(self, rowid: int) -> int:
        """The row showing this rowid, or -1."""
        try:
            return self._rowids.index(rowid)
        except ValueError:
            return -1

    def row_of_id(self, moment_id: str) -> int:
        """The row showing this moment id, or -1; looks in cached pages first, then reads page by page."""
        for page in self._pages.values():
            for rowid, moment in page.items():
                if moment.id == moment_id:
                    return self.row_of_rowid(rowid)
        for number in range((len(self._rowids) + PAGE_SIZE - 1) // PAGE_SIZE):
            for rowid, moment in self._page(number).items():
                if moment.id == moment_id:
                    return self.row_of_rowid(rowid)
        return -1

    def _page(self, number: int) -> dict[int, Moment]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        rowids = self._rowids[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
        page = {moment.rowid: moment for moment in self._source.moments(rowids)}
        self._pages[number] = page
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return page
