"""Markdown rendering is inert: no raw HTML, no unsafe links, no loaded images, no loaded resources."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from ui.markdown import SafeTextBrowser, render_markdown


def test_script_renders_as_escaped_text() -> None:
    html = render_markdown("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "<javascript:alert(1)>",
        "[x](data:text/html,hi)",
    ],
)
def test_unsafe_links_are_dropped(source: str) -> None:
    html = render_markdown(source).lower()
    assert "href" not in html
    assert "<a" not in html


@pytest.mark.parametrize("url", ["https://example.org/a?b=1", "http://example.org", "mailto:me@example.org"])
def test_safe_links_are_kept(url: str) -> None:
    assert f'href="{url}"'.replace("&", "&amp;") in render_markdown(f"[x]({url})")


def test_images_become_links_and_are_never_loaded() -> None:
    html = render_markdown("![a diagram](https://example.org/d.png) ![local](file:///etc/passwd)")
    assert "<img" not in html
    assert '<a href="https://example.org/d.png">[image: a diagram]</a>' in html
    assert 'href="file' not in html


def test_terms_are_highlighted_in_text_only() -> None:
    html = render_markdown("Python [pythonic](https://python.org) apython", ["python"])
    assert html.count('<span class="hl">') == 2
    assert 'href="https://python.org"' in html  # never inside attributes
    assert "apython" in html


def test_browser_loads_nothing(qtbot: QtBot) -> None:
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    for url in ("http://example.org/x.png", "https://example.org/x.css", "file:///etc/passwd", "data:,x"):
        for kind in (QTextDocument.ResourceType.ImageResource, QTextDocument.ResourceType.StyleSheetResource):
            loaded = browser.loadResource(kind.value, QUrl(url))
            assert isinstance(loaded, QImage | QByteArray)
            assert loaded.isNull() if isinstance(loaded, QImage) else loaded.isEmpty()
    browser.setHtml('<img src="http://example.org/x.png"><p>ok</p>')
    assert browser.toPlainText().strip().endswith("ok")


def test_browser_does_not_fall_back_to_local_files_or_data_urls(qtbot: QtBot, tmp_path: Path) -> None:
    """QTextDocument reads files and data: URLs itself when a loader returns None; the browser prevents it."""
    image = QImage(300, 200, QImage.Format.Format_RGB32)
    image.fill(0xFF0000)
    path = tmp_path / "probe.png"
    image.save(str(path))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    data_url = "data:image/png;base64," + base64.b64encode(bytes(buffer.data().data())).decode()
    for src in (path.as_uri(), str(path), data_url):
        browser = SafeTextBrowser()
        qtbot.addWidget(browser)
        browser.setHtml(f'<p>x</p><img src="{src}">')
        browser.document().adjustSize()
        assert browser.document().size().height() < 100, src


def test_browser_emits_only_safe_links(qtbot: QtBot) -> None:
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    seen: list[QUrl] = []
    browser.link_activated.connect(seen.append)
    browser.anchorClicked.emit(QUrl("https://example.org"))
    browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    browser.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert [u.toString() for u in seen] == ["https://example.org"]
