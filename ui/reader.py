"""The offline reader: a saved snapshot of a page, readable with no network access at all.

The snapshot's HTML was sanitized when it was stored; the reader cleans it again with an allow-list
(no scripts, styles, frames, forms or remote images survive) and its text browser loads nothing but
`inflow-asset:<name>` images, which come from the SnapshotSource. Anything else a document could ask
for (http, https, file, data, relative paths, style sheets) is answered with an empty resource, because
QTextDocument falls back to reading local files and decoding data: URLs itself when a loader returns
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractSlider, QHBoxLayout, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from storage.models import Snapshot
from ui.elided_label import ElidedLabel
from ui.markdown import SAFE_SCHEMES
from ui.ports import SnapshotSource
from ui.reader_html import ASSET_SCHEME, clean_snapshot_html, header_html, reader_style_sheet, short_url, text_html
from ui.widgets import tip

DEFAULT_FONT_SIZE = 13
MIN_FONT_SIZE, MAX_FONT_SIZE = 9, 28
"""Reader font sizes, in points."""
LINE_CHARACTERS = 68
"""The reading column holds about this many average characters per line."""
MIN_SIDE_MARGIN = 20
IMAGE_ALLOCATION_MB = 64
"""The most memory one decoded image may take (a guard against decompression bombs)."""

_IMAGE = QTextDocument.ResourceType.ImageResource.value


class ReaderBrowser(QTextBrowser):
    """A text browser that loads only `inflow-asset:` images (through `asset_loader`) and nothing else.

    Signals:
        link_activated(QUrl): an http, https or mailto link was clicked (other links are ignored).
        escape_pressed(): Esc was pressed in the reader.
        zoom_requested(int): Ctrl+wheel asked for a bigger (+1) or smaller (-1) font.
    """

    link_activated = Signal(QUrl)
    escape_pressed = Signal()
    zoom_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asset_loader: Callable[[str], QImage | None] | None = None
        self.column_width = 640.0
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.anchorClicked.connect(self._on_self_anchor_clicked)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        """Serve `inflow-asset:<name>` images from the snapshot; everything else gets an empty resource
        (None would let QTextDocument read local files and data: URLs itself)."""
        url = name if isinstance(name, QUrl) else QUrl(name)
        if type == _IMAGE and url.scheme().lower() == ASSET_SCHEME and self.asset_loader is not None:
            image = self.asset_loader(url.path())
            if image is not None:
                return image
        return QImage() if type == _IMAGE else QByteArray()

    def update_column(self) -> None:
        """Centre a column of `column_width` pixels (or less in a narrow window) in the viewport."""
        available = self.viewport().width()
        side = max(MIN_SIDE_MARGIN, (available - self.column_width) / 2)
        frame = self.document().rootFrame()
        fmt = frame.frameFormat()
        if abs(fmt.leftMargin() - side) >= 1:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            frame.setFrameFormat(fmt)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.update_column()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        bar = self.verticalScrollBar()
        if key == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.NoModifier:
            bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)
        elif key == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.ShiftModifier:
            bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
        elif key == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
            self.escape_pressed.emit()
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                self.zoom_requested.emit(1 if delta > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def _on_self_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in SAFE_SCHEMES:
            self.link_activated.emit(url)
        elif not url.scheme() and url.hasFragment():
            self.scrollToAnchor(url.fragment())


class ReaderView(QWidget):
    """Reads a saved snapshot offline: header (title, site, byline, dates, original link, size), the
    article in a readable column, adjustable font size, dark and light mode from the palette.

    Keys: Space / PageDown and Shift+Space / PageUp scroll; Ctrl++ / Ctrl+- / Ctrl+0 change the font size;
    Esc goes back.

    Signals:
        back_requested(): Back or Esc.
        link_activated(QUrl): an http, https or mailto link was clicked; open it in the system browser.
        font_size_changed(int): the reader font size (points) changed; the app may persist it.
    """

    back_requested = Signal()
    link_activated = Signal(QUrl)
    font_size_changed = Signal(int)

    def __init__(self, source: SnapshotSource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._rowid: int | None = None
        self._snapshot: Snapshot | None = None
        self._captured_at: str | None = None
        self._fallback_title: str | None = None
        self._font_size = DEFAULT_FONT_SIZE
        self._originals: dict[str, QImage | None] = {}
        self.back_button = tip(QToolButton(self), "Back to the moment (Esc)")
        self.back_button.setText("← Back")
        self.back_button.setAutoRaise(True)
        self.title_label = ElidedLabel("Offline copy", self)  # a long address never widens the window
        self.smaller_button = tip(QToolButton(self), "Smaller text (Ctrl+-)")
        self.smaller_button.setText("A−")
        self.bigger_button = tip(QToolButton(self), "Bigger text (Ctrl++)")
        self.bigger_button.setText("A+")
        big = self.bigger_button.font()
        big.setPointSizeF(big.pointSizeF() * 1.2)
        self.bigger_button.setFont(big)
        for button in (self.smaller_button, self.bigger_button):
            button.setAutoRaise(True)
        self.browser = ReaderBrowser(self)
        self.browser.asset_loader = self._asset_image
        self.browser.document().setDocumentMargin(24)
        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 2)
        top.setSpacing(2)
        top.addWidget(self.back_button)
        top.addSpacing(8)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.smaller_button)
        top.addWidget(self.bigger_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.browser, 1)
        self.back_button.clicked.connect(self.back_requested)
        self.smaller_button.clicked.connect(self.zoom_out)
        self.bigger_button.clicked.connect(self.zoom_in)
        self.browser.link_activated.connect(self.link_activated)
        self.browser.escape_pressed.connect(self.back_requested)
        self.browser.zoom_requested.connect(self._on_browser_zoom_requested)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            ("Ctrl+=", self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            ("Ctrl+0", self.reset_font_size),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        self._apply_font()

    # ------------------------------------------------------------------ API
    def set_source(self, source: SnapshotSource | None) -> None:
        self._source = source
        self._originals.clear()

    @property
    def rowid(self) -> int | None:
        """The moment whose snapshot is shown, if any."""
        return self._rowid

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    def show_snapshot(
        self, rowid: int, snapshot: Snapshot, *, captured_at: str | None = None, fallback_title: str | None = None
    ) -> None:
        """Render a snapshot from the top (its images are read from the source as the layout needs them)."""
        if rowid != self._rowid:
            self._originals.clear()
        self._rowid, self._snapshot = rowid, snapshot
        self._captured_at, self._fallback_title = captured_at, fallback_title
        self.title_label.setText(short_url(snapshot.final_url or snapshot.url, 60))
        self._render(keep_position=False)

    def clear(self) -> None:
        self._rowid = self._snapshot = None
        self._originals.clear()
        self.browser.clear()

    @property
    def font_size(self) -> int:
        """The reader's font size in points."""
        return self._font_size

    def set_font_size(self, size: int) -> None:
        """Set the font size (clamped to 9–28 pt); emits font_size_changed when it changes."""
        size = max(MIN_FONT_SIZE, min(MAX_FONT_SIZE, int(size)))
        if size == self._font_size:
            return
        self._font_size = size
        self._apply_font()
        self.font_size_changed.emit(size)

    def zoom_in(self) -> None:
        self.set_font_size(self._font_size + 1)

    def zoom_out(self) -> None:
        self.set_font_size(self._font_size - 1)

    def reset_font_size(self) -> None:
        self.set_font_size(DEFAULT_FONT_SIZE)

    def focus_text(self) -> None:
        self.browser.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ internals
    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(self._font_size)
        return font

    def _apply_font(self) -> None:
        font = self._font()
        self.browser.document().setDefaultFont(font)
        metrics = QFontMetricsF(font)
        self.browser.column_width = metrics.averageCharWidth() * LINE_CHARACTERS
        self.smaller_button.setEnabled(self._font_size > MIN_FONT_SIZE)
        self.bigger_button.setEnabled(self._font_size < MAX_FONT_SIZE)
        self._render(keep_position=True)

    def _render(self, *, keep_position: bool) -> None:
        snapshot = self._snapshot
        document = self.browser.document()
        font_px = QFontMetricsF(self._font()).height() / 1.2
        document.setDefaultStyleSheet(reader_style_sheet(self.palette(), font_px))
        if snapshot is None:
            return
        bar = self.browser.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if keep_position and bar.maximum() > 0 else 0.0
        if snapshot.html:
            body = clean_snapshot_html(snapshot.html)
        elif snapshot.text:
            body = text_html(snapshot.text)
        else:
            body = "<p><i>This copy has no readable text.</i></p>"
        header = header_html(snapshot, captured_at=self._captured_at, fallback_title=self._fallback_title)
        self.browser.setHtml(f"<html><body>{header}\n{body}</body></html>")
        self.browser.update_column()
        document.setDefaultFont(self._font())
        bar.setValue(round(fraction * bar.maximum()))

    def _asset_image(self, name: str) -> QImage | None:
        """The named asset decoded (once per snapshot), scaled to fit the column; never enlarged."""
        if name not in self._originals:
            self._originals[name] = self._decode(name)
        original = self._originals[name]
        if original is None:
            return None
        column = max(64.0, self.browser.column_width)
        ratio = max(1.0, self.devicePixelRatioF())
        image = QImage(original)
        if image.width() > column * ratio:
            image = image.scaledToWidth(round(column * ratio), Qt.TransformationMode.SmoothTransformation)
        # a wide image is shown at the column's width by a higher pixel ratio, so it stays sharp on HiDPI
        image.setDevicePixelRatio(max(1.0, image.width() / column))
        return image

    def _decode(self, name: str) -> QImage | None:
        if self._source is None or self._rowid is None:
            return None
        asset = self._source.snapshot_asset(self._rowid, name)
        if asset is None:
            return None
        media_type, data = asset
        if not media_type.lower().startswith("image/") or "svg" in media_type.lower():
            return None
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        reader.setAllocationLimit(IMAGE_ALLOCATION_MB)
        image = reader.read()
        return None if image.isNull() else image

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.FontChange) and hasattr(self, "browser"):
            self._apply_font()

    @Slot(Qt.ColorScheme)
    def _on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        """The system switched dark/light mode; the palette follows, and the document's colours with it."""
        self._render(keep_position=True)

    def _on_browser_zoom_requested(self, step: int) -> None:
        self.set_font_size(self._font_size + step)
