"""The library's right-hand pane: one moment rendered safely, or edited in place."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storage.models import Draft, DraftError, Kind, Moment, normalize_tags, validate_draft
from ui.icons import kind_icon
from ui.library_model import parse_timestamp
from ui.markdown import SafeTextBrowser, highlight_html, is_safe_url, render_markdown
from ui.widgets import InlineMessage, TagCompleter, muted, tip


def moment_html(moment: Moment, terms: tuple[str, ...] = ()) -> str:
    """The detail view of a moment: escaped header fields and the safely rendered Markdown body."""
    when = parse_timestamp(moment.created_at)
    date = when.astimezone().strftime("%d %b %Y, %H:%M").lstrip("0") if when else moment.created_at
    meta = [html.escape(moment.kind.label), html.escape(date)]
    if moment.source_app or moment.source_window:
        source = " — ".join(p for p in (moment.source_app, moment.source_window) if p)
        meta.append("from " + html.escape(source))
    parts = [
        f"<h2>{highlight_html(moment.display_title, terms)}</h2>",
        f"<p><small>{' · '.join(meta)}</small></p>",
    ]
    if moment.url:
        url = html.escape(moment.url)
        parts.append(f'<p><a href="{url}">{url}</a></p>' if is_safe_url(moment.url) else f"<p>{url}</p>")
    if moment.tags:
        parts.append(f"<p>{highlight_html('  '.join('#' + t for t in moment.tags), terms)}</p>")
    if moment.body.strip():
        parts.append("<hr/>" + render_markdown(moment.body, terms))
    return "\n".join(parts)


class DetailPane(QStackedWidget):
    """Shows the selected moment; Edit switches to fields in place.

    Signals:
        edit_saved(str, Draft): the person saved an edit (validated) of the moment with this id.
        delete_clicked(): the Delete button was pressed.
        editing_changed(bool): the editor was opened (True) or left (False).
    """

    edit_saved = Signal(str, object)
    delete_clicked = Signal()
    editing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._moment: Moment | None = None
        self._discard_warned = False
        self.placeholder = QLabel("Select a moment to see it here.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.addWidget(self.placeholder)
        self.addWidget(self._build_view())
        self.addWidget(self._build_editor())
        self.currentChanged.connect(self._on_self_current_changed)

    def _build_view(self) -> QWidget:
        page = QWidget(self)
        self.browser = SafeTextBrowser(page)
        self.browser.document().setDocumentMargin(12)
        self.edit_button = tip(QPushButton("Edit", page), "Edit this moment (F2 or Enter)")
        self.delete_button = tip(QPushButton("Delete", page), "Delete this moment (Delete)")
        self.edit_button.clicked.connect(self.begin_edit)
        self.delete_button.clicked.connect(self.delete_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        return page

    def _build_editor(self) -> QWidget:
        page = QWidget(self)
        self.kind_combo = QComboBox(page)
        for kind in Kind:
            self.kind_combo.addItem(kind_icon(kind), kind.label, kind.value)
        self.title_edit = QLineEdit(page)
        self.body_edit = QPlainTextEdit(page)
        self.body_edit.setTabChangesFocus(True)
        self.url_edit = QLineEdit(page, placeholderText="Link (optional)")
        self.tags_edit = QLineEdit(page, placeholderText="Tags, separated by commas or spaces")
        self.tag_completer = TagCompleter(self.tags_edit)
        self.editor_message = InlineMessage(page)
        self.cancel_button = tip(QPushButton("Cancel", page), "Discard the changes (Esc)")
        self.save_button = tip(QPushButton("Save", page), "Save the changes (Ctrl+Enter)")
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.save_button.clicked.connect(self.save_edit)
        self.title_edit.returnPressed.connect(self.save_edit)
        form = QFormLayout()
        form.addRow("&Kind", self.kind_combo)
        form.addRow("&Title", self.title_edit)
        form.addRow("&Notes", self.body_edit)
        form.addRow("&Link", self.url_edit)
        form.addRow("T&ags", self.tags_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(muted(QLabel("Ctrl+Enter saves · Esc cancels", page)))
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form, 1)
        layout.addWidget(self.editor_message)
        layout.addLayout(buttons)
        return page

    # ------------------------------------------------------------------ API
    @property
    def moment(self) -> Moment | None:
        return self._moment

    @property
    def is_editing(self) -> bool:
        return self.currentIndex() == 2

    def show_moment(self, moment: Moment | None, terms: tuple[str, ...] = ()) -> None:
        """Render a moment (or the placeholder); an edit in progress of the same moment is kept."""
        if (
            self.is_editing
            and moment is not None
            and self._moment is not None
            and moment.id == self._moment.id
        ):
            self._moment = moment
            return
        self._moment = moment
        if moment is None:
            self.setCurrentIndex(0)
            return
        self.browser.setHtml(moment_html(moment, terms))
        self.setCurrentIndex(1)

    def begin_edit(self, draft: Draft | None = None) -> None:
        """Switch to the editor, filled from the moment (or from a draft being retried)."""
        if self._moment is None:
            return
        m = self._moment
        draft = draft or Draft(kind=m.kind, title=m.title, body=m.body, url=m.url, tags=m.tags)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(Kind(draft.kind).value))
        self.title_edit.setText(draft.title)
        self.body_edit.setPlainText(draft.body)
        self.url_edit.setText(draft.url or "")
        self.tags_edit.setText(", ".join(draft.tags))
        self.editor_message.clear()
        self._discard_warned = False
        self.setCurrentIndex(2)
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def editor_draft(self) -> Draft:
        """What the editor fields hold now."""
        m = self._moment
        return Draft(
            kind=Kind(self.kind_combo.currentData()),
            title=self.title_edit.text(),
            body=self.body_edit.toPlainText(),
            url=self.url_edit.text().strip() or None,
            tags=normalize_tags(self.tags_edit.text()),
            source_app=m.source_app if m else None,
            source_window=m.source_window if m else None,
        )

    def save_edit(self) -> None:
        """Validate the edit and emit edit_saved; problems are shown inline."""
        if not self.is_editing or self._moment is None:
            return
        try:
            draft = validate_draft(self.editor_draft())
        except DraftError as error:
            self.editor_message.show_error(str(error))
            return
        moment_id = self._moment.id
        self.setCurrentIndex(1)
        self.edit_saved.emit(moment_id, draft)

    def request_cancel(self) -> None:
        """Esc in the editor: cancel, but ask for a second Esc before discarding changes."""
        if self._is_modified() and not self._discard_warned:
            self._discard_warned = True
            self.editor_message.show_hint(
                "Press Esc again to discard your changes, or Ctrl+Enter to save them."
            )
            return
        self.cancel_edit()

    def cancel_edit(self) -> None:
        """Leave the editor without saving."""
        self.editor_message.clear()
        self.show_moment(None) if self._moment is None else self.setCurrentIndex(1)

    def show_edit_error(self, message: str) -> None:
        self.editor_message.show_error(message)

    def _on_self_current_changed(self, index: int) -> None:
        self.editing_changed.emit(index == 2)

    def _is_modified(self) -> bool:
        m = self._moment
        if m is None:
            return False
        d = self.editor_draft()
        return (d.kind, d.title, d.body, d.url, d.tags) != (m.kind, m.title, m.body, m.url, m.tags)
