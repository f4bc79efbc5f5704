"""The capture window: a small window to jot down a learning moment without leaving the flow of work."""

from __future__ import annotations

import os
from dataclasses import replace
from itertools import pairwise

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHideEvent,
    QKeySequence,
    QShortcut,
    QTextOption,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storage.models import (
    MAX_TEXT_BYTES,
    Draft,
    DraftError,
    Kind,
    TextTooLongError,
    normalize_tags,
    validate_draft,
)
from ui.icons import app_icon, kind_icon
from ui.ports import CaptureContext, SharingDefaults, TargetInfo
from ui.share_picker import SharePicker
from ui.widgets import InlineMessage, TagCompleter, human_size, tone_style

DRAFT_DEBOUNCE_MS = 400
DEFAULT_FILE_LIMIT = 25_000_000
"""The largest file the capture window accepts by default (25 MB); see set_file_limit()."""
LONG_LINE = 5_000
"""Pasted lines longer than this switch the body to wrap-anywhere (word wrap is quadratic on them)."""


class _BodyEdit(QPlainTextEdit):
    """The Markdown body; a paste with a huge unbroken line switches to cheap wrapping first."""

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.prepare_for(source.text())
        super().insertFromMimeData(source)

    def prepare_for(self, text: str) -> None:
        if len(text) > LONG_LINE and max(map(len, text.split("\n"))) > LONG_LINE:
            self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)


MAX_FINDINGS_SHOWN = 3


def draft_problem_text(error: DraftError) -> str:
    """What is wrong with the draft; for too much text, that nothing is lost (the window keeps it)."""
    return f"{error} Your text is kept in the draft." if isinstance(error, TextTooLongError) else str(error)


def secret_warning_text(findings: list[str]) -> str:
    """ "This looks like it contains a secret: AWS access key on line 3, …" for up to three findings."""
    shown = ", ".join(findings[:MAX_FINDINGS_SHOWN]) or "a password or key"
    more = len(findings) - MAX_FINDINGS_SHOWN
    if more > 0:
        shown += f" and {more} more"
    noun = "a secret" if len(findings) <= 1 else "secrets"
    return f"This looks like it contains {noun}: {shown}. Shared moments leave this computer."


class SecretWarningBar(QFrame):
    """An inline warning with Edit, Keep private and Share anyway; nothing in the fields is touched."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SecretWarningBar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton("&Edit", self, autoDefault=True)
        self.edit_button.setToolTip("Go back to the note to remove the secret")
        self.private_button = QPushButton("&Keep private", self, autoDefault=True)
        self.private_button.setToolTip("Save it on this computer only")
        self.share_button = QPushButton("Share an&yway", self, autoDefault=True)
        self.share_button.setToolTip("Save and share it as it is")
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        for button in (self.edit_button, self.private_button, self.share_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.setStyleSheet(
            "#SecretWarningBar {" + tone_style(self, "warning") + "} QLabel { background: transparent; }"
        )
        self.hide()

    def show_findings(self, findings: list[str]) -> None:
        self.label.setText(secret_warning_text(findings))
        self.show()
        self.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)


def local_files(mime: QMimeData) -> list[str]:
    """The local file paths a drag carries (URLs that are not local files are left out)."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class CaptureWindow(QWidget):
    """Capture one moment: kind, title, Markdown body, link and tags; or keep a file dropped on it.

    Signals:
        save_requested(Draft): the person asked to save; the draft passed validate_draft().
        draft_changed(Draft): the text changed (debounced); persist it so a crash loses nothing.
            Emitted with an empty Draft after mark_saved().
        share_anyway_requested(Draft): after show_secret_warning(), the person chose to share as it is
            (validated; share_to holds the chosen targets).
        settings_requested(): the "Add a team target in Settings" link was activated.
        save_file_requested(Draft, str): like save_requested, emitted INSTEAD of it while a file is attached
            (dropped on the window): the validated draft and the file's local path; the app reads and stores
            the file off the GUI thread. With a file attached, share_anyway_requested's app handler reads
            the path from dropped_file() (the file stays attached until mark_saved()).
    """

    save_requested = Signal(object)
    save_file_requested = Signal(object, str)
    draft_changed = Signal(object)
    share_anyway_requested = Signal(object)
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("New moment — Inflow")
        self.setWindowIcon(app_icon())
        self._default_kind = Kind.TIP
        self._source_app: str | None = None
        self._source_window: str | None = None
        self._saving = False
        self._restoring = False
        self._file: str | None = None
        self._file_limit = DEFAULT_FILE_LIMIT
        self._build()
        self.setAcceptDrops(True)
        for child in (self.title_edit, self.body_edit.viewport(), self.url_edit, self.tags_edit):
            child.installEventFilter(self)
        self._debounce = QTimer(self, singleShot=True, interval=DRAFT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        for edit in (self.title_edit, self.url_edit, self.tags_edit):
            edit.textChanged.connect(self._on_any_edited)
        self.body_edit.textChanged.connect(self._on_any_edited)
        self._kinds.idToggled.connect(self._on_kinds_id_toggled)
        self.share_picker.changed.connect(self._on_share_picker_changed)
        self.share_picker.settings_requested.connect(self.settings_requested)
        self.secret_bar.edit_button.clicked.connect(self._on_secret_edit_clicked)
        self.secret_bar.private_button.clicked.connect(self._on_secret_private_clicked)
        self.secret_bar.share_button.clicked.connect(self._on_secret_share_clicked)
        self.title_edit.returnPressed.connect(self.request_save)
        self.url_edit.returnPressed.connect(self.request_save)
        self.save_button.clicked.connect(self.request_save)
        self._install_shortcuts()
        self.set_kind(self._default_kind)
        self.resize(520, 440)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self._kinds = QButtonGroup(self)
        kind_row = QHBoxLayout()
        kind_row.setSpacing(4)
        self.kind_buttons: dict[Kind, QToolButton] = {}
        for number, kind in enumerate(Kind, start=1):
            button = QToolButton(self)
            button.setText(kind.label)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setIcon(kind_icon(kind))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{kind.label} (Ctrl+{number})")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self._kinds.addButton(button, number)
            self.kind_buttons[kind] = button
            kind_row.addWidget(button)
        kind_row.addStretch(1)
        self.context_label = QLabel(self)
        self.context_label.setTextFormat(Qt.TextFormat.PlainText)
        self.context_label.setEnabled(False)  # the palette's muted text colour
        kind_row.addWidget(self.context_label, 0, Qt.AlignmentFlag.AlignRight)

        self._build_fields()
        self._build_file_row()
        self.share_picker = SharePicker(self)
        self.secret_bar = SecretWarningBar(self)
        self.message = InlineMessage(self)
        self.size_label = QLabel(self)
        self.size_label.setEnabled(False)
        self.size_label.hide()
        keys_hint = QLabel("Ctrl+Enter saves · Esc hides, keeping the draft", self)
        keys_hint.setEnabled(False)
        self.save_button = QPushButton("Save", self, default=True, autoDefault=False)
        bottom = QHBoxLayout()
        bottom.addWidget(keys_hint)
        bottom.addStretch(1)
        bottom.addWidget(self.size_label)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(kind_row)
        layout.addWidget(self.title_edit)
        layout.addWidget(self.body_edit, 1)
        layout.addWidget(self.url_edit)
        layout.addWidget(self.tags_edit)
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

    def _build_file_row(self) -> None:
        self.file_row = QFrame(self)
        self.file_label = QLabel(self.file_row)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.remove_file_button = QToolButton(self.file_row)
        self.remove_file_button.setText("✕")
        self.remove_file_button.setAutoRaise(True)
        self.remove_file_button.setToolTip("Remove the file (the fields are kept)")
        self.remove_file_button.clicked.connect(self.remove_file)
        file_layout = QHBoxLayout(self.file_row)
        file_layout.setContentsMargins(8, 2, 2, 2)
        file_layout.addWidget(self.file_label, 1)
        file_layout.addWidget(self.remove_file_button)
        self.file_row.setObjectName("FileRow")
        self.file_row.setStyleSheet("#FileRow {" + tone_style(self, "info") + "} QLabel { background: transparent; }")
        self.file_row.hide()

    def _build_fields(self) -> None:
        self.title_edit = QLineEdit(self, placeholderText="Title — what did you learn?")
        self.body_edit = _BodyEdit(self)
        self.body_edit.setPlaceholderText("Notes (Markdown)")
        self.body_edit.setTabChangesFocus(True)
        self.url_edit = QLineEdit(self, placeholderText="Link (optional)")
        self.tags_edit = QLineEdit(self, placeholderText="Tags, separated by commas or spaces")
        self.tag_completer = TagCompleter(self.tags_edit)

    def _install_shortcuts(self) -> None:
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.request_save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)
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
        """Fill empty fields from what was on screen: link, body (selection, else clipboard), source."""
        if not (self.title_edit.text() or self.body_edit.document().characterCount() > 1):
            self._source_app, self._source_window = None, None
        if self._source_app is None and self._source_window is None:
            self._source_app, self._source_window = ctx.app_name or None, ctx.window_title or None
            self._update_context_label()
        text = (ctx.selection or ctx.clipboard or "").strip()
        url = (ctx.url or "").strip()
        if not url and text.startswith(("http://", "https://")) and not any(c.isspace() for c in text):
            url, text = text, ""
        if url and not self.url_edit.text().strip():
            self.url_edit.setText(url)
        if text and self.body_edit.document().isEmpty():
            if len(text) > MAX_TEXT_BYTES:
                self.show_hint("The selection is too long to bring in; paste the part you need.")
            else:
                self.body_edit.prepare_for(text)
                self.body_edit.setPlainText(text)

    def restore_draft(self, draft: Draft) -> None:
        """Put a saved draft back into the fields (does not emit draft_changed)."""
        self._restoring = True
        try:
            self.set_kind(Kind(draft.kind))
            self.title_edit.setText(draft.title)
            self.body_edit.prepare_for(draft.body)
            self.body_edit.setPlainText(draft.body)
            self.url_edit.setText(draft.url or "")
            self.tags_edit.setText(", ".join(draft.tags))
            self.share_picker.restore(tuple(draft.share_to), Kind(draft.kind).value)
            self._source_app, self._source_window = draft.source_app, draft.source_window
            self._update_context_label()
        finally:
            self._restoring = False
        self._debounce.stop()

    def current_draft(self) -> Draft:
        """What the fields hold now (not yet validated)."""
        return Draft(
            kind=self._current_kind(),
            title=self.title_edit.text(),
            body=self.body_edit.toPlainText(),
            url=self.url_edit.text().strip() or None,
            tags=normalize_tags(self.tags_edit.text()),
            source_app=self._source_app,
            source_window=self._source_window,
            share_to=self.share_picker.selection(),
        )

    def dropped_file(self) -> str | None:
        """The local path of the file attached by a drop, if any."""
        return self._file

    def set_file_limit(self, limit: int) -> None:
        """The largest file (bytes) that can be attached; default 25 MB."""
        self._file_limit = max(0, int(limit))

    def attach_file(self, path: str) -> bool:
        """Attach a file as a drop does: the kind becomes Resource and an empty title becomes the file
        name. A file that is missing or too large is refused with an inline error; nothing else changes."""
        name = os.path.basename(path) or path
        try:
            size = os.stat(path).st_size
            is_file = os.path.isfile(path)
        except OSError:
            size, is_file = 0, False
        if not is_file:
            self.message.show_error(f"“{name}” cannot be kept: only files can be dropped here.")
            return False
        if size > self._file_limit:
            self.message.show_error(
                f"“{name}” is too large to keep ({human_size(size)}; the limit is {human_size(self._file_limit)})."
                " Nothing was changed."
            )
            return False
        self._file = path
        self.set_kind(Kind.RESOURCE)
        if not self.title_edit.text().strip():
            self.title_edit.setText(name)
        self.file_label.setText(f"File: {name} ({human_size(size)})")
        self.file_label.setToolTip(path)
        self.file_row.show()
        self.message.clear()
        return True

    def remove_file(self) -> None:
        """Drop the attached file; the fields are kept."""
        self._file = None
        self.file_row.hide()
        self.file_label.clear()

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
        self.kind_buttons[Kind(kind)].setChecked(True)

    def mark_saved(self) -> None:
        """The app stored the moment: clear the fields, hide, and emit an empty draft."""
        self._set_saving(False)
        self._restoring = True
        try:
            for edit in (self.title_edit, self.url_edit, self.tags_edit):
                edit.clear()
            self.body_edit.clear()
            self.body_edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            self._source_app = self._source_window = None
            self._update_context_label()
            self.set_kind(self._default_kind)
            self.share_picker.reset(self._default_kind.value)
        finally:
            self._restoring = False
        self._debounce.stop()
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

        Edit, Keep private (emits save_requested with share_to=()) or Share anyway (emits
        share_anyway_requested); the text is kept whatever is chosen.
        """
        self._set_saving(False)
        self.message.clear()
        if not self.isVisible():
            self.open_blank()
        self.secret_bar.show_findings(findings)

    def show_hint(self, message: str) -> None:
        """Show a neutral hint inline."""
        self.message.show_hint(message)

    def request_save(self) -> None:
        """Validate and emit save_requested; a problem is shown inline and nothing is emitted."""
        if self._saving:
            return
        try:
            draft = validate_draft(self._draft_with_file())
        except DraftError as error:
            self.message.show_error(draft_problem_text(error))
            return
        if self._file is not None and not self._file_still_fits():
            return
        self._flush_draft()
        self.message.clear()
        self.secret_bar.hide()
        self._set_saving(True)
        self._emit_save(draft)

    # ------------------------------------------------------------------ files
    def _draft_with_file(self) -> Draft:
        draft = self.current_draft()
        if self._file is not None and not draft.title.strip():
            draft = replace(draft, title=os.path.basename(self._file))
        return draft

    def _emit_save(self, draft: Draft) -> None:
        if self._file is not None:
            self.save_file_requested.emit(draft, self._file)
        else:
            self.save_requested.emit(draft)

    def _file_still_fits(self) -> bool:
        """The attached file is checked again at save time: it may have changed or gone since the drop."""
        path = self._file or ""
        try:
            size = os.stat(path).st_size
        except OSError:
            self.message.show_error(f"“{os.path.basename(path)}” is no longer there. Drop it again or remove it.")
            return False
        if size > self._file_limit:
            self.message.show_error(
                f"“{os.path.basename(path)}” is now too large to keep ({human_size(size)}; "
                f"the limit is {human_size(self._file_limit)})."
            )
            return False
        return True

    def _accept_drag(self, event: QDragEnterEvent | QDragMoveEvent) -> bool:
        if self._saving or not local_files(event.mimeData()):
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        return True

    def _drop(self, event: QDropEvent) -> bool:
        files = local_files(event.mimeData())
        if self._saving or not files:
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if len(files) > 1:
            self.message.show_error("Drop one file at a time: each file becomes its own resource.")
        else:
            self.attach_file(files[0])
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._accept_drag(event):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self._accept_drag(event):
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not self._drop(event):
            super().dropEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """File drops on the text fields attach the file instead of inserting its path as text."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
            event, (QDragEnterEvent, QDragMoveEvent)
        ):
            return self._accept_drag(event)
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            return self._drop(event)
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ internals
    def _current_kind(self) -> Kind:
        checked = self._kinds.checkedId()
        return list(Kind)[checked - 1] if checked > 0 else self._default_kind

    def _update_save_text(self) -> None:
        if not self._saving:
            self.save_button.setText("Save and share" if self.share_picker.selection() else "Save")

    def _validated_for_secret_choice(self) -> Draft | None:
        if self._saving:
            return None
        try:
            draft = validate_draft(self._draft_with_file())
        except DraftError as error:
            self.secret_bar.hide()
            self.message.show_error(draft_problem_text(error))
            return None
        if self._file is not None and not self._file_still_fits():
            self.secret_bar.hide()
            return None
        self.secret_bar.hide()
        self._flush_draft()
        self._set_saving(True)
        return draft

    def _on_secret_edit_clicked(self) -> None:
        self.secret_bar.hide()
        self.body_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_secret_private_clicked(self) -> None:
        self.share_picker.choose(())
        draft = self._validated_for_secret_choice()
        if draft is not None:
            self._emit_save(replace(draft, share_to=()))

    def _on_secret_share_clicked(self) -> None:
        draft = self._validated_for_secret_choice()
        if draft is None:
            return
        if draft.share_to:
            self.share_anyway_requested.emit(draft)
        else:
            self._emit_save(draft)

    def _on_share_picker_changed(self) -> None:
        self._update_save_text()
        self._on_any_edited()

    def _is_blank(self) -> bool:
        return (
            not (self.title_edit.text() or self.url_edit.text() or self.tags_edit.text())
            and self.body_edit.document().isEmpty()
        )

    def _set_saving(self, saving: bool) -> None:
        """While the app stores the moment, edits are paused so mark_saved() cannot drop new text."""
        self._saving = saving
        for edit in (self.title_edit, self.url_edit, self.tags_edit):
            edit.setReadOnly(saving)
        self.body_edit.setReadOnly(saving)
        self.save_button.setEnabled(not saving)
        self.share_picker.setEnabled(not saving)
        self.save_button.setText("Saving…")
        self._update_save_text()

    def _update_context_label(self) -> None:
        parts = [p for p in (self._source_app, self._source_window) if p]
        text = "from: " + " — ".join(parts) if parts else ""
        metrics = self.context_label.fontMetrics()
        self.context_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, 280))
        self.context_label.setToolTip(text)

    def _flush_draft(self) -> None:
        self._debounce.stop()
        self.draft_changed.emit(self.current_draft())

    def _update_size_label(self, draft: Draft) -> None:
        size = len(draft.title.encode("utf-8", "replace")) + len(draft.body.encode("utf-8", "replace"))
        if size < MAX_TEXT_BYTES * 0.8:
            self.size_label.hide()
            return
        self.size_label.setText(f"{size / 1024:,.0f} KiB of {MAX_TEXT_BYTES // 1024:,} KiB")
        self.size_label.setEnabled(size <= MAX_TEXT_BYTES)
        self.size_label.show()

    def _on_any_edited(self) -> None:
        if not self._restoring:
            self._debounce.start()

    def _on_kinds_id_toggled(self, number: int, checked: bool) -> None:
        if checked:
            if not self._restoring:
                self.share_picker.follow_kind(list(Kind)[number - 1].value)
            self._on_any_edited()

    def _on_debounce_timeout(self) -> None:
        draft = self.current_draft()
        self._update_size_label(draft)
        self.draft_changed.emit(draft)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides the window like Esc: the draft stays, and is persisted right away."""
        self._flush_draft()
        super().closeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        if self._debounce.isActive():
            self._flush_draft()
        super().hideEvent(event)
