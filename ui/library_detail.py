"""The library's right-hand pane: one moment rendered safely, or edited in place."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from storage.models import (
    Delivery,
    DeliveryState,
    Draft,
    DraftError,
    KeptFile,
    Kind,
    Moment,
    Reply,
    Snapshot,
    SnapshotState,
    validate_draft,
)
from ui.elided_label import ElidedLabel
from ui.flow_layout import FlowLayout, expanding_spacer
from ui.library_snapshot_rows import SnapshotRows
from ui.markdown import SafeTextBrowser
from ui.moment_editor import MomentEditor
from ui.moment_view import REFRESHING_TEXT, SAVING_TEXT, is_team_item, moment_html, tag_of_url
from ui.ports import DeliverySource, SnapshotSource
from ui.reader import ReaderView
from ui.sharing_panel import SharingPanel
from ui.widgets import muted, tip, tone_color

_ANSWERABLE = (DeliveryState.PENDING, DeliveryState.INFLIGHT, DeliveryState.SENT, DeliveryState.PAUSED)


class DetailPane(QStackedWidget):
    """Shows the selected moment; Edit switches to fields in place.

    Signals:
        edit_saved(str, Draft): the person saved an edit (validated) of the moment with this id.
        delete_clicked(): the Delete button was pressed.
        editing_changed(bool): the editor was opened (True) or left (False).
        retry_delivery_requested(int): Retry was pressed for the delivery with this id.
        cancel_delivery_requested(int): Cancel was pressed for the delivery with this id.
        answered_requested(str, bool): "Mark answered" (True) or "Reopen" (False) for this question id.
        link_activated(QUrl): a safe link in the sharing section or the reader was activated.
        snapshot_retry_requested(str): Retry was pressed for the failed offline copy of this moment id.
        snapshot_refresh_requested(str): "Refresh copy" was pressed for this moment id.
        file_open_requested(str): Open was pressed for the file kept with this moment id.
        tag_clicked(str): a tag in the view was clicked (or Enter on it): filter the list by it.
    """

    edit_saved = Signal(str, object)
    delete_clicked = Signal()
    editing_changed = Signal(bool)
    retry_delivery_requested = Signal(int)
    cancel_delivery_requested = Signal(int)
    answered_requested = Signal(str, bool)
    link_activated = Signal(QUrl)
    snapshot_retry_requested = Signal(str)
    snapshot_refresh_requested = Signal(str)
    file_open_requested = Signal(str)
    tag_clicked = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        deliveries: DeliverySource | None = None,
        snapshots: SnapshotSource | None = None,
    ) -> None:
        super().__init__(parent)
        self._snapshots = snapshots
        self._snapshot: Snapshot | None = None
        self._kept: KeptFile | None = None
        self._moment: Moment | None = None
        self._terms: tuple[str, ...] = ()
        self._deliveries = deliveries
        self._delivery_rows: list[Delivery] = []
        self._replies: list[Reply] = []
        self._discard_warned = False
        self.placeholder = QLabel("Select a moment to see it here.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.placeholder.setWordWrap(True)
        self.addWidget(self.placeholder)
        self.addWidget(self._build_view())
        self.editor = MomentEditor(self)
        self.editor.save_requested.connect(self.save_edit)
        self.editor.cancel_requested.connect(self.cancel_edit)
        self.addWidget(self.editor)
        self.reader = ReaderView(snapshots, self)
        self.reader.back_requested.connect(self.close_reader)
        self.reader.link_activated.connect(self.link_activated)
        self.addWidget(self.reader)
        self.currentChanged.connect(self._on_self_current_changed)

    def _build_view(self) -> QWidget:
        page = QWidget(self)
        self.browser = SafeTextBrowser(page)
        self.browser.document().setDocumentMargin(12)
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)  # tag links; the browser opens none
        self.sharing = SharingPanel(page)
        self.sharing.retry_requested.connect(self.retry_delivery_requested)
        self.sharing.cancel_requested.connect(self.cancel_delivery_requested)
        self.sharing.link_activated.connect(self.link_activated)
        self.team_label = muted(ElidedLabel("", page))  # a long name is elided, the tooltip has it
        self.team_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.team_label.hide()
        self.answered_button = QPushButton("Mark answered", page)
        self.answered_button.clicked.connect(self._on_answered_button_clicked)
        self.answered_button.hide()
        self.edit_button = tip(QPushButton("Edit", page), "Edit this moment (F2 or Enter)")
        self.delete_button = tip(QPushButton("Delete", page), "Delete this moment (Delete)")
        self.edit_button.clicked.connect(self.begin_edit)
        self.delete_button.clicked.connect(self.delete_clicked)
        buttons = FlowLayout()  # wraps when the pane is narrow (docked at a screen's side)
        buttons.setContentsMargins(0, 0, 0, 0)
        for widget in (self.team_label, self.answered_button, expanding_spacer(page), self.edit_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self._build_snapshot_rows(page))
        layout.addWidget(self.sharing)
        layout.addLayout(buttons)
        return page

    def _build_snapshot_rows(self, page: QWidget) -> QWidget:
        rows = self.snapshot_box = SnapshotRows(page)
        self.snapshot_label, self.file_label = rows.snapshot_label, rows.file_label
        self.read_button, self.retry_button, self.refresh_button = (
            rows.read_button,
            rows.retry_button,
            rows.refresh_button,
        )
        self.open_file_button = rows.open_file_button
        rows.read_clicked.connect(self.open_reader)
        rows.retry_clicked.connect(self._on_retry_button_clicked)
        rows.refresh_clicked.connect(self._on_refresh_button_clicked)
        rows.open_file_clicked.connect(self._on_open_file_button_clicked)
        return rows

    # ------------------------------------------------------------------ API
    @property
    def moment(self) -> Moment | None:
        return self._moment

    @property
    def is_editing(self) -> bool:
        return self.currentIndex() == 2

    def show_moment(self, moment: Moment | None, terms: tuple[str, ...] = ()) -> None:
        """Render a moment (or the placeholder); an edit in progress (or the reader) of the same moment is kept."""
        same = moment is not None and self._moment is not None and moment.id == self._moment.id
        if self.is_reading and same:
            self._moment = moment
            self._terms = terms
            self.refresh_details()
            return
        if self.is_editing and moment is not None and self._moment is not None and moment.id == self._moment.id:
            self._moment = moment
            self._terms = terms
            self.refresh_details()
            return
        self._moment = moment
        self._terms = terms
        if moment is None:
            self._delivery_rows, self._replies = [], []
            self._snapshot, self._kept = None, None
            self.sharing.set_deliveries([])
            self._update_snapshot_rows()
            self.reader.clear()
            self.setCurrentIndex(0)
            return
        self._read_details()
        self._render(keep_scroll=False)
        self.setCurrentIndex(1)

    @property
    def deliveries(self) -> list[Delivery]:
        """The shown moment's deliveries as last read."""
        return list(self._delivery_rows)

    @property
    def replies(self) -> list[Reply]:
        """The shown moment's replies as last read."""
        return list(self._replies)

    def set_delivery_source(self, deliveries: DeliverySource | None) -> None:
        self._deliveries = deliveries
        self.refresh_details()

    def refresh_details(self) -> None:
        """Re-read the moment's deliveries, replies, offline copy and kept file; the scroll position, an
        open edit and the reader are kept."""
        if self._moment is None:
            return
        before = (self._delivery_rows, self._replies)
        self._read_details()
        if (self._delivery_rows, self._replies) != before or self.currentIndex() != 1:
            self._render(keep_scroll=True)
        else:
            self._update_snapshot_rows()

    @property
    def snapshot(self) -> Snapshot | None:
        """The shown moment's offline copy as last read."""
        return self._snapshot

    @property
    def kept_file(self) -> KeptFile | None:
        return self._kept

    @property
    def is_reading(self) -> bool:
        return self.currentIndex() == 3

    def set_snapshot_source(self, snapshots: SnapshotSource | None) -> None:
        self._snapshots = snapshots
        self.reader.set_source(snapshots)
        self.refresh_details()

    def can_read(self) -> bool:
        """True when the shown moment has a saved copy with something to read."""
        snap = self._snapshot
        return snap is not None and bool(snap.html or snap.text) and snap.state is not SnapshotState.FAILED

    def open_reader(self) -> None:
        """Show the saved copy in the reader (Back or Esc returns); nothing happens without one."""
        moment, snap = self._moment, self._snapshot
        if moment is None or snap is None or not self.can_read() or self.is_editing:
            return
        self.reader.show_snapshot(
            moment.rowid, snap, captured_at=moment.created_at, fallback_title=moment.display_title
        )
        self.setCurrentIndex(3)
        self.reader.focus_text()

    def close_reader(self) -> None:
        """Leave the reader for the moment's detail."""
        if self.is_reading:
            self.setCurrentIndex(1)
            if self.read_button.isVisible():
                self.read_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def begin_edit(self, draft: Draft | None = None) -> None:
        """Switch to the editor, filled from the moment (or from a draft being retried); team items are read-only."""
        if self._moment is None or is_team_item(self._moment):
            return
        m = self._moment
        draft = draft or Draft(kind=m.kind, title=m.title, body=m.body, url=m.url, tags=m.tags)
        self.editor.fill(draft)
        self._discard_warned = False
        self.setCurrentIndex(2)
        self.editor.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def editor_draft(self) -> Draft:
        """What the editor fields hold now."""
        m = self._moment
        return self.editor.draft(source_app=m.source_app if m else None, source_window=m.source_window if m else None)

    def save_edit(self) -> None:
        """Validate the edit and emit edit_saved; problems are shown inline."""
        if not self.is_editing or self._moment is None:
            return
        try:
            draft = validate_draft(self.editor_draft())
        except DraftError as error:
            self.editor.message.show_error(str(error))
            return
        moment_id = self._moment.id
        self.setCurrentIndex(1)
        self.edit_saved.emit(moment_id, draft)

    def request_cancel(self) -> None:
        """Esc in the editor: cancel, but ask for a second Esc before discarding changes."""
        if self._is_modified() and not self._discard_warned:
            self._discard_warned = True
            self.editor.message.show_hint("Press Esc again to discard your changes, or Ctrl+Enter to save them.")
            return
        self.cancel_edit()

    def cancel_edit(self) -> None:
        """Leave the editor without saving."""
        self.editor.message.clear()
        self.show_moment(None) if self._moment is None else self.setCurrentIndex(1)

    def show_edit_error(self, message: str) -> None:
        self.editor.message.show_error(message)

    def _read_details(self) -> None:
        moment = self._moment
        snapshots = self._snapshots
        if moment is None or snapshots is None:
            self._snapshot, self._kept = None, None
        else:
            self._snapshot = snapshots.snapshot(moment.rowid) if moment.url else None
            self._kept = snapshots.kept_file(moment.rowid) if moment.kind is Kind.RESOURCE else None
        if moment is None or self._deliveries is None:
            self._delivery_rows, self._replies = [], []
            return
        self._delivery_rows = list(self._deliveries.deliveries(moment.rowid))
        self._replies = list(self._deliveries.replies(moment.rowid)) if moment.kind is Kind.QUESTION else []

    def _render(self, *, keep_scroll: bool) -> None:
        moment = self._moment
        if moment is None:
            return
        question = moment.kind is Kind.QUESTION
        targets = (
            None
            if is_team_item(moment)
            else list(dict.fromkeys(d.target for d in self._delivery_rows if d.state in _ANSWERABLE))
        )
        bar = self.browser.verticalScrollBar()
        position = bar.value()
        self.browser.setHtml(
            moment_html(
                moment,
                self._terms,
                self._replies if question else None,
                answered_color=tone_color(self, "success"),
                targets=targets,
            )
        )
        if keep_scroll:
            bar.setValue(position)
        self.sharing.set_deliveries(self._delivery_rows)
        self._update_snapshot_rows()
        team = is_team_item(moment)
        self.edit_button.setVisible(not team)
        self.team_label.setVisible(team)
        self.team_label.setText(f"Shared by {moment.author or 'a teammate'} · read-only" if team else "")
        answered = bool(moment.answered_at)
        self.answered_button.setVisible(question)
        self.answered_button.setText("Reopen" if answered else "Mark answered")
        self.answered_button.setToolTip(
            "Mark this question as open again" if answered else "Mark this question as answered"
        )

    def _update_snapshot_rows(self, override: tuple[str, str, tuple[str, ...]] | None = None) -> None:
        self.snapshot_box.show_state(self._snapshot, self._kept, override)

    def set_online(self, online: bool) -> None:
        """Whether Inflow can reach the network: a copy waiting for it says so."""
        self.snapshot_box.online = online
        self._update_snapshot_rows()

    def _on_retry_button_clicked(self) -> None:
        if self._moment is not None:
            self._update_snapshot_rows((SAVING_TEXT, "", ()))
            self.snapshot_retry_requested.emit(self._moment.id)

    def _on_refresh_button_clicked(self) -> None:
        if self._moment is not None:
            self._update_snapshot_rows((REFRESHING_TEXT, "", ("read",) if self.can_read() else ()))
            self.snapshot_refresh_requested.emit(self._moment.id)

    def _on_open_file_button_clicked(self) -> None:
        if self._moment is not None and self._kept is not None:
            self.file_open_requested.emit(self._moment.id)

    def _on_answered_button_clicked(self) -> None:
        moment = self._moment
        if moment is not None and moment.kind is Kind.QUESTION:
            self.answered_requested.emit(moment.id, not moment.answered_at)

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        tag = tag_of_url(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        if tag:
            self.tag_clicked.emit(tag)

    def _on_self_current_changed(self, index: int) -> None:
        self.editing_changed.emit(index == 2)

    def _is_modified(self) -> bool:
        m = self._moment
        if m is None:
            return False
        d = self.editor_draft()
        return (d.kind, d.title, d.body, d.url, d.tags) != (m.kind, m.title, m.body, m.url, m.tags)
