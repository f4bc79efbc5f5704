"""The capture window: a small window to jot down a learning moment without leaving the flow of work.

Its parts: the kind row and body (capture_form.py), the attached file (capture_file.py), the secret
warning (secret_bar.py), the "Share with:" row (share_picker.py).
"""

from __future__ import annotations

import os
from dataclasses import replace
from itertools import pairwise

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from storage.models import (
    Draft,
    DraftError,
    Kind,
    TextTooLongError,
    normalize_tags,
    validate_draft,
)
from ui.capture_file import FileDrops, FileRow
from ui.capture_form import KindRow, SizeLabel, TextFields
from ui.capture_prefill import KEYS_HINT, Prefill
from ui.icons import app_icon
from ui.ports import CaptureContext, SaveRequest, SharingDefaults, TargetInfo
from ui.secret_bar import SecretWarningBar
from ui.share_picker import SharePicker
from ui.widgets import InlineMessage

DRAFT_DEBOUNCE_MS = 400


def draft_problem_text(error: DraftError) -> str:
    """What is wrong with the draft; for too much text, that nothing is lost (the window keeps it)."""
    return f"{error} Your text is kept in the draft." if isinstance(error, TextTooLongError) else str(error)


class CaptureWindow(QWidget):
    """Capture one moment: kind, title, Markdown body, link and tags; or keep a file dropped on it.

    Signals:
        save_requested(SaveRequest): the person asked to save (Save, Keep private or Share anyway): the
            draft (it passed validate_draft()), the attached file if any, and whether to share despite
            the secret check's findings. The window then waits, fields read-only, for mark_saved(),
            show_error() or show_secret_warning() (show_checking() while the app checks it).
        draft_changed(Draft): the text changed (debounced); persist it so a crash loses nothing.
            Emitted with an empty Draft after mark_saved().
        settings_requested(): the "Add a team target in Settings" link was activated.
    """

    save_requested = Signal(object)
    draft_changed = Signal(object)
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("New moment — Inflow")
        self.setWindowIcon(app_icon())
        self._default_kind = Kind.TIP
        self._saving = False
        self._restoring = False
        self._build()
        self.setAcceptDrops(True)
        drops = FileDrops(self, self._on_files_dropped, lambda: self._saving)
        drops.watch(self, self.title_edit, self.body_edit.viewport(), self.url_edit, self.tags_edit)
        self._debounce = QTimer(self, singleShot=True, interval=DRAFT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.fields.edited.connect(self._on_any_edited)
        self.kind_row.chosen.connect(self._on_kind_row_chosen)
        self.share_picker.changed.connect(self._on_share_picker_changed)
        self.share_picker.settings_requested.connect(self.settings_requested)
        self.secret_bar.edit_button.clicked.connect(self._on_secret_edit_clicked)
        self.secret_bar.private_button.clicked.connect(self._on_secret_private_clicked)
        self.secret_bar.share_button.clicked.connect(self._on_secret_share_clicked)
        self.fields.submitted.connect(self.request_save)
        self.save_button.clicked.connect(self.request_save)
        self._install_shortcuts()
        self.set_kind(self._default_kind)
        self.resize(520, 440)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.kind_row = KindRow(self)
        self.kind_buttons = self.kind_row.buttons
        self.context_label = self.kind_row.context_label
        self.fields = TextFields(self)
        self.title_edit, self.body_edit = self.fields.title_edit, self.fields.body_edit
        self.url_edit, self.tags_edit = self.fields.url_edit, self.fields.tags_edit
        self.tag_completer = self.fields.tag_completer
        self.file_row = FileRow(self)
        self.file_label, self.remove_file_button = self.file_row.label, self.file_row.remove_button
        self.share_picker = SharePicker(self)
        self.secret_bar = SecretWarningBar(self)
        self.message = InlineMessage(self)
        self.size_label = SizeLabel(self)
        self.keys_hint = keys_hint = QLabel(KEYS_HINT, self)
        keys_hint.setEnabled(False)
        self.prefill = Prefill(self.fields, keys_hint)
        self.save_button = QPushButton("Save", self, default=True, autoDefault=False)
        bottom = QHBoxLayout()
        bottom.addWidget(keys_hint)
        bottom.addStretch(1)
        bottom.addWidget(self.size_label)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.kind_row)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.file_row)
        layout.addWidget(self.share_picker)
        layout.addWidget(self.secret_bar)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self._update_tab_order()

    def _update_tab_order(self) -> None:
        picker = self.share_picker
        chain: list[QWidget] = [self.title_edit, self.body_edit, self.url_edit, self.tags_edit]
        if picker.targets:
            chain.append(picker.only_me_button)
            chain.extend(picker.target_buttons.values())
            if picker.menu_button is not None:
                chain.append(picker.menu_button)
        else:
            chain.append(picker.empty_link)
        chain.append(self.save_button)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _install_shortcuts(self) -> None:
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.request_save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape)
        for number, kind in enumerate(Kind, start=1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, lambda k=kind: self.set_kind(k))
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self.share_picker.toggle_only_me)

    # ------------------------------------------------------------------ public API
    def open_blank(self) -> None:
        """Show, raise and focus the window at the title, keeping any draft already typed."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.title_edit.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def apply_context(self, ctx: CaptureContext) -> None:
        """Fill empty fields the person has not edited from what was on screen: link, body (selection,
        else clipboard), source. The prefill is selected; Esc clears it (capture_prefill.py)."""
        if not self.fields.has_text() or self.kind_row.source == (None, None):
            self.kind_row.show_source(ctx.app_name, ctx.window_title)
        problem = self.prefill.apply(ctx)
        if problem is not None:
            self.show_hint(problem)

    def restore_draft(self, draft: Draft) -> None:
        """Put a saved draft back into the fields (does not emit draft_changed)."""
        self._restoring = True
        try:
            self.set_kind(Kind(draft.kind))
            self.fields.fill(draft.title, draft.body, draft.url or "", ", ".join(draft.tags))
            self.share_picker.restore(tuple(draft.share_to), Kind(draft.kind).value)
            self.kind_row.show_source(draft.source_app, draft.source_window)
        finally:
            self._restoring = False
        self.prefill.touch_all()
        self.fields.offer_link()
        self._debounce.stop()

    def current_draft(self) -> Draft:
        """What the fields hold now (not yet validated)."""
        return Draft(
            kind=self._current_kind(),
            title=self.title_edit.text(),
            body=self.body_edit.toPlainText(),
            url=self.url_edit.text().strip() or None,
            tags=normalize_tags(self.tags_edit.text()),
            source_app=self.kind_row.source[0],
            source_window=self.kind_row.source[1],
            share_to=self.share_picker.selection(),
        )

    def dropped_file(self) -> str | None:
        """The local path of the file attached by a drop, if any."""
        return self.file_row.path

    def set_file_limit(self, limit: int) -> None:
        """The largest file (bytes) that can be attached; default storage.models.MAX_FILE_BYTES."""
        self.file_row.limit = max(0, int(limit))

    def attach_file(self, path: str) -> bool:
        """Attach a file as a drop does: the kind becomes Resource and an empty title becomes the file
        name. A file that is missing or too large is refused with an inline error; nothing else changes."""
        problem = self.file_row.attach(path)
        if problem is not None:
            self.message.show_error(problem)
            return False
        self.set_kind(Kind.RESOURCE)
        if not self.title_edit.text().strip():
            self.title_edit.setText(os.path.basename(path) or path)
        self.message.clear()
        return True

    def remove_file(self) -> None:
        """Drop the attached file; the fields are kept."""
        self.file_row.clear()

    def set_targets(self, targets: list[TargetInfo], defaults: SharingDefaults) -> None:
        """The targets offered in the "Share with:" row and each kind's default selection.

        A choice the person made for this draft is kept (minus targets that are gone); otherwise the
        selection follows `defaults.by_kind[kind]` as the kind changes.
        """
        self.share_picker.set_targets(targets, defaults, self._current_kind().value)
        self._update_tab_order()
        self._update_save_text()

    def set_tag_completions(self, tags: list[str]) -> None:
        """The existing tags offered while typing in the tags field."""
        self.tag_completer.set_tags(tags)

    def set_default_kind(self, kind: Kind | str) -> None:
        """The kind a blank capture starts with; applied now if nothing has been typed yet."""
        self._default_kind = Kind(kind)
        if self._is_blank():
            self.set_kind(self._default_kind)

    def set_kind(self, kind: Kind | str) -> None:
        """Select Resource, Tip or Question."""
        self.kind_row.set_kind(kind)

    def mark_saved(self) -> None:
        """The app stored the moment: clear the fields, hide, and emit an empty draft."""
        self._set_saving(False)
        self._restoring = True
        try:
            self.fields.clear()
            self.kind_row.show_source(None, None)
            self.set_kind(self._default_kind)
            self.share_picker.reset(self._default_kind.value)
        finally:
            self._restoring = False
        self._debounce.stop()
        self.prefill.forget()
        self.remove_file()
        self.secret_bar.hide()
        self._update_save_text()
        self.message.clear()
        self.size_label.hide()
        self.hide()
        self.draft_changed.emit(Draft(kind=self._default_kind))

    def show_error(self, message: str) -> None:
        """Show a problem inline; all text is kept and the window stays (or comes back) on screen."""
        self._set_saving(False)
        self.message.show_error(message)
        if not self.isVisible():
            self.open_blank()

    def show_secret_warning(self, findings: list[str]) -> None:
        """The draft looks like it holds a secret (e.g. ["AWS access key on line 3"]): ask before sharing.

        Edit, Keep private (save_requested with share_to=()) or Share anyway (save_requested with
        despite_findings); the text is kept whatever is chosen.
        """
        self._set_saving(False)
        self.message.clear()
        if not self.isVisible():
            self.open_blank()
        self.secret_bar.show_findings(findings)

    def show_checking(self) -> None:
        """The app checks the draft for secrets before it is shared; the save waits for the answer."""
        if self._saving:
            self.save_button.setText("Checking…")
            self.message.show_hint("Checking for secrets before sharing…")

    def show_hint(self, message: str) -> None:
        """Show a neutral hint inline."""
        self.message.show_hint(message)

    def request_save(self) -> None:
        """Validate and emit save_requested; a problem is shown inline and nothing is emitted."""
        self._save(self._valid_request())

    # ------------------------------------------------------------------ saving
    def _valid_request(self, *, despite_findings: bool = False) -> SaveRequest | None:
        """What the fields ask to save, validated (with the attached file checked again); None, with the
        problem shown inline, when it cannot be saved, or while a save is under way."""
        if self._saving:
            return None
        self.secret_bar.hide()
        draft = self.current_draft()
        path = self.file_row.path
        if path is not None and not draft.title.strip():
            draft = replace(draft, title=os.path.basename(path))
        try:
            draft = validate_draft(draft)
        except DraftError as error:
            self.message.show_error(draft_problem_text(error))
            return None
        problem = self.file_row.problem_now() if path is not None else None
        if problem is not None:
            self.message.show_error(problem)
            return None
        return SaveRequest(draft, path, despite_findings)

    def _save(self, request: SaveRequest | None) -> None:
        if request is None:
            return
        self._flush_draft()
        self.message.clear()
        self._set_saving(True)
        self.save_requested.emit(request)

    def _on_escape(self) -> None:
        """Esc clears a prefill the person has not touched; otherwise (or pressed again) it hides."""
        if not self.prefill.clear():
            self.hide()

    def _on_secret_edit_clicked(self) -> None:
        self.secret_bar.hide()
        self.body_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_secret_private_clicked(self) -> None:
        self.share_picker.choose(())
        request = self._valid_request()
        if request is not None:
            self._save(replace(request, draft=replace(request.draft, share_to=())))

    def _on_secret_share_clicked(self) -> None:
        self._save(self._valid_request(despite_findings=True))

    def _on_files_dropped(self, files: list[str]) -> None:
        if len(files) > 1:
            self.message.show_error("Drop one file at a time: each file becomes its own resource.")
        else:
            self.attach_file(files[0])

    # ------------------------------------------------------------------ internals
    def _current_kind(self) -> Kind:
        return self.kind_row.current() or self._default_kind

    def _update_save_text(self) -> None:
        if not self._saving:
            self.save_button.setText("Save and share" if self.share_picker.selection() else "Save")

    def _on_share_picker_changed(self) -> None:
        self._update_save_text()
        self._on_any_edited()

    def _is_blank(self) -> bool:
        return self.fields.is_blank()

    def _set_saving(self, saving: bool) -> None:
        """While the app stores the moment, edits are paused so mark_saved() cannot drop new text."""
        self._saving = saving
        self.fields.set_read_only(saving)
        self.save_button.setEnabled(not saving)
        self.share_picker.setEnabled(not saving)
        self.save_button.setText("Saving…")
        self._update_save_text()

    def _flush_draft(self) -> None:
        self._debounce.stop()
        self.draft_changed.emit(self.current_draft())

    def _on_any_edited(self) -> None:
        if not self._restoring:
            self._debounce.start()

    def _on_kind_row_chosen(self, kind: Kind) -> None:
        if not self._restoring:
            self.share_picker.follow_kind(kind.value)
        self._on_any_edited()

    def _on_debounce_timeout(self) -> None:
        self.fields.offer_link()
        draft = self.current_draft()
        self.size_label.show_size(draft.title, draft.body)
        self.draft_changed.emit(draft)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides the window like Esc: the draft stays, and is persisted right away."""
        self._flush_draft()
        super().closeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        if self._debounce.isActive():
            self._flush_draft()
        super().hideEvent(event)
