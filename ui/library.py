"""The library window: search, filter, read, edit and delete moments; its views are tabs (ui.library_views).

A little over 400 lines: the one window's wiring; its parts live in the ui/library_*.py modules.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QLabel,
    QListView,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storage.models import Draft, Moment, MomentQuery
from ui.icons import app_icon
from ui.library_delegate import MomentDelegate
from ui.library_delete import ask_retract, deleted_text, online_targets, short_title
from ui.library_detail import DetailPane
from ui.library_model import MomentListModel
from ui.library_states import count_text, empty_library_text, no_match_overlay, no_match_text, offline_mark
from ui.library_toolbar import LibraryToolbar, shortcut
from ui.library_views import LibraryViews
from ui.markdown import SAFE_SCHEMES
from ui.ports import DeliverySource, LibrarySource, SnapshotSource
from ui.widgets import InlineBar

SEARCH_DEBOUNCE_MS = 150
NARROW_WIDTH = 640
UNDO_TIMEOUT_MS = 15_000
IMPORT_FILTER = "Bookmarks (*.html *.htm);;Inflow export (*.json);;All files (*)"


class LibraryWindow(QMainWindow):
    """Every moment, newest first, with search as you type, filters, a detail pane, edit and delete.

    Signals:
        edit_requested(str, Draft): the person saved an edit of the moment with this id (validated).
        delete_requested(list[str], bool): the person deleted these moments; True to also remove them from
            the targets where that is possible (asked only when one of them is shared).
        undelete_requested(list[str]): the person undid the last delete.
        new_moment_requested(): the person asked for the capture window.
        settings_requested(): the person asked for the settings.
        retry_delivery_requested(int): Retry was pressed for this delivery id.
        cancel_delivery_requested(int): Cancel was pressed for this delivery id.
        answered_requested(str, bool): mark this question answered (True) or open again (False).
        moment_shown(str): a moment was shown in the detail pane (for "read" tracking).
        snapshot_retry_requested(str): Retry was pressed for this moment's failed offline copy.
        snapshot_refresh_requested(str): "Refresh copy" was pressed for this moment.
        file_open_requested(str): Open was pressed for the file kept with this moment.
        reader_font_size_changed(int): the reader's font size (points) changed; persist it and give it
            back with set_reader_font_size() next time.
        import_requested(str): the person chose this file in "Import bookmarks…".
    """

    edit_requested = Signal(str, object)
    delete_requested = Signal(list, bool)
    undelete_requested = Signal(list)
    new_moment_requested = Signal()
    settings_requested = Signal()
    _welcome: str | None = None
    retry_delivery_requested = Signal(int)
    cancel_delivery_requested = Signal(int)
    answered_requested = Signal(str, bool)
    moment_shown = Signal(str)
    snapshot_retry_requested = Signal(str)
    snapshot_refresh_requested = Signal(str)
    file_open_requested = Signal(str)
    reader_font_size_changed = Signal(int)
    import_requested = Signal(str)

    def __init__(
        self,
        source: LibrarySource,
        deliveries: DeliverySource | None = None,
        snapshots: SnapshotSource | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Library — Inflow")
        self.setWindowIcon(app_icon())
        self._source = source
        self._deliveries = deliveries
        self._snapshots = snapshots
        self._hotkey = "Ctrl+Alt+J"
        self._deleted_ids: list[str] = []
        self._pending_edit: tuple[str, Draft] | None = None
        self.model = MomentListModel(source, self)
        self.model.set_snippet_source(snapshots.snippets if snapshots is not None else None)
        self._build()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.refresh)
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_TIMEOUT_MS)
        self._undo_timer.timeout.connect(self.undo_bar.hide)
        self._connect()
        self._install_shortcuts()
        self.resize(980, 640)
        self.refresh()

    def _build(self) -> None:
        self.toolbar = LibraryToolbar(self)
        tools = self.toolbar
        self.search_edit, self.kind_combo, self.tag_combo = tools.search_edit, tools.kind_combo, tools.tag_combo
        self.new_button, self.import_button = tools.new_button, tools.import_button
        self.settings_button = tools.settings_button
        self.banner = InlineBar("info", self)
        self.error_bar = InlineBar("error", self)
        self.undo_bar = InlineBar("hint", self)

        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(MomentDelegate(self.list_view))
        self.list_view.setUniformItemSizes(True)  # O(1) layout for 100k rows
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows elide
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(24)
        self.no_match_label = no_match_overlay(self.list_view)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(self.empty_label)
        self.detail = DetailPane(self, self._deliveries, self._snapshots)
        splitter = self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list_stack)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.setSpacing(8)
        layout.addWidget(self.toolbar)
        for bar in (self.banner, self.error_bar, self.undo_bar):
            layout.addWidget(bar)
        self.views = LibraryViews(splitter, self)  # add_view() adds Today and the other views
        layout.addWidget(self.views, 1)
        self.setCentralWidget(central)
        self.count_label = QLabel(self)
        self.count_label.setContentsMargins(6, 0, 0, 0)
        self.statusBar().addWidget(self.count_label)
        self.offline_label = offline_mark(self)
        self.statusBar().addPermanentWidget(self.offline_label)
        self.statusBar().setSizeGripEnabled(False)

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.kind_combo.currentIndexChanged.connect(self.refresh)
        self.tag_combo.activated.connect(self.refresh)
        self.new_button.clicked.connect(self.new_moment_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        self.undo_bar.action_triggered.connect(self.undo_delete)
        self.list_view.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        self.detail.edit_saved.connect(self._on_detail_edit_saved)
        self.detail.delete_clicked.connect(self.delete_selected)
        self.detail.editing_changed.connect(self._on_detail_editing_changed)
        self.detail.browser.link_activated.connect(self._on_browser_link_activated)
        self.detail.link_activated.connect(self._on_browser_link_activated)
        self.detail.retry_delivery_requested.connect(self.retry_delivery_requested)
        self.detail.cancel_delivery_requested.connect(self.cancel_delivery_requested)
        self.detail.answered_requested.connect(self.answered_requested)
        self.detail.snapshot_retry_requested.connect(self.snapshot_retry_requested)
        self.detail.snapshot_refresh_requested.connect(self.snapshot_refresh_requested)
        self.detail.file_open_requested.connect(self.file_open_requested)
        self.detail.tag_clicked.connect(self.filter_by_tag)
        self.detail.reader.font_size_changed.connect(self.reader_font_size_changed)
        self.import_button.clicked.connect(self.choose_import_file)

    def _install_shortcuts(self) -> None:
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self.focus_search),
            ("Ctrl+L", self.focus_search),
            ("Ctrl+N", self.new_moment_requested.emit),
            ("Ctrl+,", self.settings_requested.emit),
            ("Ctrl+W", self.close),
            ("Esc", self._on_escape),
            ("Ctrl+Z", self.undo_delete),
            ("Ctrl+Return", self.detail.save_edit),
            ("Ctrl+Enter", self.detail.save_edit),
            ("F2", self.edit_current),
            ("Ctrl+R", self.detail.open_reader),
        ):
            shortcut(keys, self, slot, Qt.ShortcutContext.WindowShortcut)
        for keys, slot in (
            ("Return", self.edit_current),
            ("Enter", self.edit_current),
            ("Del", self.delete_selected),
        ):
            shortcut(keys, self.list_view, slot, Qt.ShortcutContext.WidgetShortcut)
        shortcut("Down", self.search_edit, self.list_view.setFocus, Qt.ShortcutContext.WidgetShortcut)

    # ------------------------------------------------------------------ public API
    def current_query(self) -> MomentQuery:
        """The query the search box and filters describe."""
        return self.toolbar.query()

    def refresh(self) -> None:
        """Re-query the source and the tags, keeping the selected moment (or its row) when possible."""
        self._search_timer.stop()
        self._pending_edit = None
        current = self.list_view.currentIndex()
        selected = self.model.moment_at(current.row()) if current.isValid() else None
        self._reload_tags()
        query = self.current_query()
        result = self._source.query(query)
        self.model.set_result(result, query.text)
        row = self.model.row_of_rowid(selected.rowid) if selected else -1
        if row < 0 and current.isValid():
            row = min(current.row(), self.model.rowCount() - 1)
        self._update_empty_state(query, truncated=result.truncated)
        if row >= 0:
            self._select_row(row)
        else:
            self.detail.show_moment(None)

    def refresh_details(self) -> None:
        """Re-read the shown moment's deliveries and replies (the sync engine made progress); the list
        selection, the scroll position and an edit in progress are kept."""
        self.detail.refresh_details()

    def select_moment(self, moment_id: str) -> None:
        """Select and show a moment if the current list holds it."""
        row = self.model.row_of_id(moment_id)
        if row >= 0:
            self._select_row(row)

    def show_error(self, msg: str) -> None:
        """Show a problem in an inline bar; a failed edit goes back into the editor, nothing is lost."""
        if self._pending_edit is not None:
            moment_id, draft = self._pending_edit
            self._pending_edit = None
            if self.detail.moment is not None and self.detail.moment.id == moment_id:
                self.detail.begin_edit(draft)
                self.detail.show_edit_error(msg)
                return
        self.error_bar.show_message(msg)

    def set_welcome(self, html: str | None) -> None:
        """Rich text (its links: empty_label.linkActivated) for an empty library instead of the hint."""
        self._welcome = html

    def set_banner(self, text: str | None) -> None:
        """Show (or with None hide) a dismissable information banner."""
        if text:
            self.banner.show_message(text)
        else:
            self.banner.hide()

    def set_online(self, online: bool) -> None:
        """Whether Inflow can reach the network: the status bar says when not, and so do offline copies."""
        self.offline_label.setVisible(not online)
        self.detail.set_online(online)

    def set_hotkey_hint(self, hotkey: str) -> None:
        """The capture hotkey named in the empty-library message."""
        self._hotkey = hotkey
        self._update_empty_state(self.current_query(), truncated=False)

    def set_reader_font_size(self, size: int) -> None:
        """The reader's font size in points (as last persisted); does not emit reader_font_size_changed."""
        reader = self.detail.reader
        reader.blockSignals(True)
        try:
            reader.set_font_size(size)
        finally:
            reader.blockSignals(False)

    def choose_import_file(self) -> None:
        """Ask for a bookmarks file or an Inflow export, then emit import_requested with its path."""
        path, _filter = QFileDialog.getOpenFileName(self, "Import bookmarks — Inflow", "", IMPORT_FILTER)
        if path:
            self.import_requested.emit(path)

    def filter_by_tag(self, tag: str) -> None:
        """Show only the moments with this tag (a tag clicked in the detail view)."""
        self.toolbar.choose_tag(tag)
        self.refresh()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def edit_current(self) -> None:
        if self.detail.moment is not None and not self.detail.is_editing:
            self.detail.begin_edit()

    def delete_selected(self) -> None:
        """Delete the selected moments; an inline bar offers Undo (also Ctrl+Z).

        When one of them is shared, ask first whether to also remove it from the targets that allow it.
        """
        rows = sorted(i.row() for i in self.list_view.selectionModel().selectedRows())
        moments = [m for m in (self.model.moment_at(r) for r in rows) if m is not None]
        if not moments and self.detail.moment is not None:
            moments = [self.detail.moment]
        if not moments:
            return
        title = short_title(moments[0].display_title)
        retract = False
        online = online_targets(self._deliveries, moments)
        if online:
            answer = ask_retract(self, moments, title, online)
            if answer is None:
                return
            retract = answer
        self._deleted_ids = [m.id for m in moments]
        self.undo_bar.show_message(deleted_text(moments, title, online, retract=retract), "Undo (Ctrl+Z)")
        self._undo_timer.start()
        self.delete_requested.emit(list(self._deleted_ids), retract)

    def undo_delete(self) -> None:
        """Bring back the moments deleted last (while the undo bar is showing)."""
        if not self._deleted_ids or not self.undo_bar.isVisible():
            return
        ids, self._deleted_ids = self._deleted_ids, []
        self.undo_bar.hide()
        self.undelete_requested.emit(ids)

    # ------------------------------------------------------------------ internals
    def _reload_tags(self) -> None:
        tags = self._source.tags()
        self.toolbar.set_tags(tags)
        self.detail.editor.tag_completer.set_tags(tags)

    def _update_empty_state(self, query: MomentQuery, *, truncated: bool) -> None:
        """The count, and a message when nothing shows: a search or filter without matches keeps the list
        (and its frame) with the message over it; an empty library says how to capture."""
        count = self.model.rowCount()
        filtered = bool(query.text or query.kind or query.tag)
        self.count_label.setText(count_text(count, query, truncated=truncated))
        self.detail.placeholder.setText("Select a moment to see it here." if count else "")
        self.no_match_label.setVisible(filtered and not count)
        self.no_match_label.setText(no_match_text(query) if filtered and not count else "")
        if not count and not filtered:
            self.empty_label.setText(self._welcome or empty_library_text(self._hotkey))
        self.list_stack.setCurrentIndex(0 if count or filtered else 1)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        moved = self.list_view.currentIndex() != index  # then currentChanged shows the row
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.list_view.selectionModel().setCurrentIndex(index, flags)
        self.list_view.scrollTo(index)
        if not moved:
            self._show_row(row)

    def _show_row(self, row: int) -> None:
        moment: Moment | None = self.model.moment_at(row)
        self.detail.show_moment(moment, self.model.terms)
        if moment is not None:
            self.moment_shown.emit(moment.id)

    def _on_escape(self) -> None:
        if self.detail.is_reading:
            self.detail.close_reader()
        elif self.detail.is_editing:
            self.detail.request_cancel()
        elif self.search_edit.text():
            self.search_edit.clear()
        else:
            self.close()

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_row(current.row())

    def _on_detail_edit_saved(self, moment_id: str, draft: Draft) -> None:
        self._pending_edit = (moment_id, draft)
        self.edit_requested.emit(moment_id, draft)

    def _on_detail_editing_changed(self, editing: bool) -> None:
        """While editing, the list is locked so another selection cannot drop the edit."""
        self.list_view.setEnabled(not editing)
        if not editing:
            self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_browser_link_activated(self, url: QUrl) -> None:
        if url.scheme().lower() in SAFE_SCHEMES:
            QDesktopServices.openUrl(url)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Narrower than NARROW_WIDTH (docked at a screen's side): the detail goes below the list."""
        super().resizeEvent(event)
        narrow = event.size().width() < max(NARROW_WIDTH, 50 * self.fontMetrics().averageCharWidth())
        self.splitter.setOrientation(Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides the window; an edit in progress stays in the editor for next time."""
        self.error_bar.hide()
        super().closeEvent(event)
