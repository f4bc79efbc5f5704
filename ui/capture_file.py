"""A file kept from the capture window: the attached file's row, its size checks, and file drops."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from storage.models import MAX_FILE_BYTES
from ui.widgets import human_size, tone_style


def local_files(mime: QMimeData) -> list[str]:
    """The local file paths a drag carries (URLs that are not local files are left out)."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class FileRow(QFrame):
    """The attached file, if any: its name and size, and ✕ to remove it (the fields are kept).

    `limit` is the largest file (bytes) it takes; storage's default budget unless set.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: str | None = None
        self.limit = MAX_FILE_BYTES
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip("Remove the file (the fields are kept)")
        self.remove_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.remove_button)
        self.setObjectName("FileRow")
        self.setStyleSheet("#FileRow {" + tone_style(self, "info") + "} QLabel { background: transparent; }")
        self.hide()

    def attach(self, path: str) -> str | None:
        """Attach the file at `path`; or the problem, for the person, when it is no file or too large."""
        name = os.path.basename(path) or path
        try:
            size = os.stat(path).st_size
            is_file = os.path.isfile(path)
        except OSError:
            size, is_file = 0, False
        if not is_file:
            return f"“{name}” cannot be kept: only files can be dropped here."
        if size > self.limit:
            return (
                f"“{name}” is too large to keep ({human_size(size)}; the limit is {human_size(self.limit)})."
                " Nothing was changed."
            )
        self.path = path
        self.label.setText(f"File: {name} ({human_size(size)})")
        self.label.setToolTip(path)
        self.show()
        return None

    def problem_now(self) -> str | None:
        """The attached file checked again at save time: it may have changed or gone since the drop."""
        path = self.path or ""
        try:
            size = os.stat(path).st_size
        except OSError:
            return f"“{os.path.basename(path)}” is no longer there. Drop it again or remove it."
        if size > self.limit:
            return (
                f"“{os.path.basename(path)}” is now too large to keep ({human_size(size)}; "
                f"the limit is {human_size(self.limit)})."
            )
        return None

    def clear(self) -> None:
        """No file attached."""
        self.path = None
        self.hide()
        self.label.clear()


class FileDrops(QObject):
    """Takes drags of local files on the widgets it watches (the text fields would insert their path as
    text) and hands each drop's paths to `dropped`; while `busy()`, drags are left to the widgets."""

    def __init__(self, parent: QObject, dropped: Callable[[list[str]], None], busy: Callable[[], bool]) -> None:
        super().__init__(parent)
        self._dropped = dropped
        self._busy = busy

    def watch(self, *widgets: QObject) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
            event, (QDragEnterEvent, QDragMoveEvent)
        ):
            return self._take(event) is not None
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            files = self._take(event)
            if files is not None:
                self._dropped(files)
            return files is not None
        return super().eventFilter(watched, event)

    def _take(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[str] | None:
        files = local_files(event.mimeData())
        if self._busy() or not files:
            return None
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        return files
