"""The offline reader: no network, no files, no data: URLs; kept images from the source; font size keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPalette, QTextDocument
from PySide6.QtNetwork import QNetworkAccessManager
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import ui.reader
from storage.models import Snapshot, SnapshotState
from tests.ui.conftest import png_bytes
from ui.reader import DEFAULT_FONT_SIZE, ReaderBrowser, ReaderView
from ui.reader_html import clean_snapshot_html, header_html

if TYPE_CHECKING:
    from tests.ui.conftest import FakeSnapshots

IMAGE = QTextDocument.ResourceType.ImageResource.value
STYLE = QTextDocument.ResourceType.StyleSheetResource.value
BLOCKED = (
    "http://example.org/x.png",
    "https://evil.example/x.png",
    "file:///etc/passwd",
    "/etc/passwd",
    "relative.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:text/css,p{color:red}",
    "qrc:/qt-project.org/styles/commonstyle/images/file-16.png",
)
HOSTILE_HTML = """<html><head>
<link rel="stylesheet" type="text/css" href="https://evil.example/s.css">
<style>p { background-image: url(https://evil.example/bg.png) }</style>
</head><body>
<p>Before <img src="https://evil.example/x.png"> <img src="file:///etc/hosts">
<img src="data:image/png;base64,AAAA"></p>
<p style="background-image: url(https://evil.example/inline.png)">Styled</p>
<p><img src="inflow-asset:pic.png" alt="kept"></p>
<p><a href="https://example.org/more">more</a> <a href="javascript:alert(1)">js</a></p>
</body></html>"""


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, QImage):
        return value.isNull()
    if isinstance(value, QByteArray):
        return value.isEmpty()
    return not value


class CountingBrowser(ReaderBrowser):
    """Records every resource the document asks for and what it got."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls: list[tuple[int, str, Any]] = []

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        result = super().loadResource(type, name)
        self.calls.append((type, name.toString() if isinstance(name, QUrl) else name, result))
        return result


def make_snapshot(html: str = "<p>Hello offline world.</p>", **fields: Any) -> Snapshot:
    values: dict[str, Any] = {
        "state": SnapshotState.SAVED,
        "url": "https://example.org/articles/offline",
        "title": "Reading offline",
        "byline": "Ada Lovelace",
        "site": "Example Journal",
        "published": "2024-03-03",
        "html": html,
        "size": 188_416,
        "fetched_at": "2024-05-01T12:03:00+00:00",
    }
    values.update(fields)
    return Snapshot(**values)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui.reader, "ReaderBrowser", CountingBrowser)


def _browser(view: ReaderView) -> CountingBrowser:
    assert isinstance(view.browser, CountingBrowser)
    return view.browser


@pytest.mark.parametrize("url", BLOCKED)
@pytest.mark.parametrize("kind", [IMAGE, STYLE])
def test_load_resource_answers_nothing_but_assets(qtbot: QtBot, url: str, kind: int) -> None:
    browser = ReaderBrowser()
    qtbot.addWidget(browser)
    browser.asset_loader = lambda name: pytest.fail(f"asked the source for {name}")
    assert _empty(browser.loadResource(kind, QUrl(url)))
    assert _empty(browser.loadResource(kind, url))


def test_hostile_html_loads_nothing_remote_local_or_inline(qtbot: QtBot) -> None:
    """The browser on its own (no cleaning): every non-asset request is answered with nothing."""
    browser = CountingBrowser()
    qtbot.addWidget(browser)
    asked: list[str] = []
    browser.asset_loader = lambda name: asked.append(name) or QImage.fromData(png_bytes())  # type: ignore[func-returns-value]
    browser.resize(600, 400)
    browser.show()
    browser.setHtml(HOSTILE_HTML)
    browser.grab()
    urls = {url for _, url, _ in browser.calls}
    assert "https://evil.example/x.png" in urls
    # the <link> style sheet is not even asked for by this Qt; had it been, it got nothing (checked below)
    for _, url, result in browser.calls:
        if url.startswith("inflow-asset:"):
            assert isinstance(result, QImage)
            assert not result.isNull()
        else:
            assert _empty(result), url
    assert asked == ["pic.png"]
    assert not QCoreApplication.instance().findChildren(QNetworkAccessManager)  # type: ignore[union-attr]
    assert not browser.findChildren(QNetworkAccessManager)


def test_reader_view_renders_hostile_snapshot_inertly(
    qtbot: QtBot, counting: None, fake_snapshots: FakeSnapshots
) -> None:
    fake_snapshots.assets[(7, "pic.png")] = ("image/png", png_bytes(40, 30))
    view = ReaderView(fake_snapshots)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.show_snapshot(7, make_snapshot(HOSTILE_HTML))
    browser = _browser(view)
    view.grab()
    for _, url, result in browser.calls:
        assert url.startswith("inflow-asset:") or _empty(result), url
    served = browser.document().resource(IMAGE, QUrl("inflow-asset:pic.png"))
    assert isinstance(served, QImage)
    assert served.width() == 40  # never enlarged
    assert fake_snapshots.asset_calls == [(7, "pic.png")]
    assert not view.findChildren(QNetworkAccessManager)
    assert not QCoreApplication.instance().findChildren(QNetworkAccessManager)  # type: ignore[union-attr]
    html = browser.toHtml()
    assert "evil.example" not in html
    assert "javascript" not in html


def test_cleaning_keeps_only_asset_images_and_safe_links() -> None:
    cleaned = clean_snapshot_html(HOSTILE_HTML + '<iframe src="https://x"></iframe><script>alert(1)</script>')
    assert "evil.example" not in cleaned
    assert "<style" not in cleaned and "<link" not in cleaned and "<script" not in cleaned
    assert "<iframe" not in cleaned and "javascript" not in cleaned and "file:" not in cleaned
    assert 'src="inflow-asset:pic.png"' in cleaned
    assert 'href="https://example.org/more"' in cleaned


def test_wide_asset_is_scaled_to_the_column_and_small_one_is_not_enlarged(
    qtbot: QtBot, fake_snapshots: FakeSnapshots
) -> None:
    fake_snapshots.assets[(1, "wide.png")] = ("image/png", png_bytes(3000, 100))
    fake_snapshots.assets[(1, "evil.svg")] = ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    view = ReaderView(fake_snapshots)
    qtbot.addWidget(view)
    view.show_snapshot(1, make_snapshot('<p><img src="inflow-asset:wide.png"><img src="inflow-asset:evil.svg"></p>'))
    view.browser.document().adjustSize()
    wide = view.browser.document().resource(IMAGE, QUrl("inflow-asset:wide.png"))
    assert isinstance(wide, QImage)
    assert wide.deviceIndependentSize().width() <= view.browser.column_width + 1
    assert _empty(view.browser.loadResource(IMAGE, QUrl("inflow-asset:evil.svg")))


def test_header_shows_original_url_dates_and_size() -> None:
    html = header_html(make_snapshot(), captured_at="2024-05-01T11:58:00+00:00")
    assert "Reading offline" in html and "Example Journal" in html and "Ada Lovelace" in html
    assert '<a href="https://example.org/articles/offline">' in html
    assert "3 Mar 2024" in html and "Captured 1 May 2024" in html and "188 KB" in html


def test_header_escapes_metadata() -> None:
    html = header_html(make_snapshot(title="<b>x</b>", byline="<img src=x>", url="javascript:alert(1)"))
    assert "<b>x" not in html and "<img" not in html
    assert "href" not in html


def test_links_go_out_only_for_safe_schemes(qtbot: QtBot) -> None:
    view = ReaderView()
    qtbot.addWidget(view)
    seen: list[str] = []
    view.link_activated.connect(lambda url: seen.append(url.toString()))
    for url in ("https://example.org/a", "mailto:me@example.org", "file:///etc/passwd", "javascript:alert(1)"):
        view.browser.anchorClicked.emit(QUrl(url))
    assert seen == ["https://example.org/a", "mailto:me@example.org"]


def test_font_size_keys_and_buttons(qtbot: QtBot, show_active: Callable[[QWidget], None]) -> None:
    view = ReaderView()
    view.resize(600, 400)
    show_active(view)
    view.show_snapshot(1, make_snapshot("<p>" + "words " * 400 + "</p>"))
    view.focus_text()
    sizes: list[int] = []
    view.font_size_changed.connect(sizes.append)
    qtbot.keyClick(view.browser, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.font_size == DEFAULT_FONT_SIZE + 1
    qtbot.keyClick(view.browser, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view.browser, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.font_size == DEFAULT_FONT_SIZE - 1
    qtbot.keyClick(view.browser, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.font_size == DEFAULT_FONT_SIZE
    view.bigger_button.click()
    assert sizes == [DEFAULT_FONT_SIZE + 1, DEFAULT_FONT_SIZE, DEFAULT_FONT_SIZE - 1, DEFAULT_FONT_SIZE, 14]
    assert view.browser.document().defaultFont().pointSize() == 14
    view.set_font_size(1000)
    assert view.font_size == 28
    assert not view.bigger_button.isEnabled()
    view.set_font_size(28)
    assert sizes[-1] == 28 and sizes.count(28) == 1  # no signal without a change


def test_space_scrolls_and_esc_goes_back(qtbot: QtBot, show_active: Callable[[QWidget], None]) -> None:
    view = ReaderView()
    view.resize(600, 300)
    show_active(view)
    view.show_snapshot(1, make_snapshot("".join(f"<p>Paragraph {i} with some words.</p>" for i in range(200))))
    view.focus_text()
    bar = view.browser.verticalScrollBar()
    assert bar.value() == 0
    qtbot.keyClick(view.browser, Qt.Key.Key_Space)
    after_space = bar.value()
    assert after_space > 0
    qtbot.keyClick(view.browser, Qt.Key.Key_PageDown)
    assert bar.value() > after_space
    with qtbot.waitSignal(view.back_requested, timeout=1000):
        qtbot.keyClick(view.browser, Qt.Key.Key_Escape)


def test_follows_dark_and_light_palette(qtbot: QtBot) -> None:
    view = ReaderView()
    qtbot.addWidget(view)
    view.show_snapshot(1, make_snapshot())
    light = view.browser.document().defaultStyleSheet()
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#18191b"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#1e1f22"))
    view.setPalette(dark)
    styled = view.browser.document().defaultStyleSheet()
    assert styled != light
    assert "#8ab4f8" in styled  # a link colour readable on dark
    view._on_color_scheme_changed(Qt.ColorScheme.Dark)  # the system switching re-renders too
    assert view.browser.toPlainText().startswith("Example Journal")
