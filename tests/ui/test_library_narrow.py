"""The library docked at a screen's side: at 360 px (and with text twice as large) nothing is cut off,
Import and Settings move into More, the detail goes below the list, and the list never scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from storage.models import Kind
from tests.ui.conftest import FakeSource, make_moment
from ui.elided_label import ElidedLabel
from ui.library import LibraryWindow


@pytest.fixture(params=[1.0, 2.0], ids=["100%", "200%"])
def scaled_font(request: pytest.FixtureRequest) -> Iterator[float]:
    """The application font at 1x and 2x (what 200 % scaling does to text, in logical pixels)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * request.param)
    app.setFont(font)
    yield request.param
    app.setFont(before)


def _open(show_active: Callable[[QWidget], None], source: FakeSource, width: int) -> LibraryWindow:
    window = LibraryWindow(source)
    show_active(window)
    for _step in range(3):  # as a person drags the edge: each step may lift a minimum
        window.resize(width, 520)
        QApplication.processEvents()
    return window


def _fits(button: QAbstractButton) -> bool:
    metrics = QFontMetrics(button.font())
    return button.width() >= metrics.horizontalAdvance(button.text().replace("&", "")) + 8


@pytest.mark.usefixtures("scaled_font")
def test_at_360_px_nothing_is_cut_and_import_settings_move_into_more(
    show_active: Callable[[QWidget], None], sample_source: FakeSource
) -> None:
    window = _open(show_active, sample_source, 360)
    tools = window.toolbar
    assert tools.compact
    assert tools.import_button.isHidden() and tools.settings_button.isHidden()
    assert tools.more_button.isVisible()
    names = [a.text() for a in tools.more_button.menu().actions()]
    assert names == ["Import bookmarks…", "Settings…"]
    for button in (tools.new_button, tools.more_button):
        assert _fits(button), button.text()
    search = tools.search_edit
    assert search.width() >= QFontMetrics(search.font()).horizontalAdvance(search.placeholderText())
    for combo in (tools.kind_combo, tools.tag_combo):
        assert combo.width() >= combo.minimumSizeHint().width()
    assert window.minimumSizeHint().width() <= 360  # the window need not grow
    assert window.width() <= 360 + 1
    assert window.splitter.orientation() is Qt.Orientation.Vertical
    assert window.list_view.horizontalScrollBarPolicy() is Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_wide_the_toolbar_is_one_row(show_active: Callable[[QWidget], None], sample_source: FakeSource) -> None:
    window = _open(show_active, sample_source, 1100)
    tools = window.toolbar
    assert not tools.compact
    assert tools.import_button.isVisible() and tools.more_button.isHidden()
    assert _fits(tools.import_button)
    assert window.splitter.orientation() is Qt.Orientation.Horizontal


def test_more_menu_items_do_what_the_buttons_do(
    qtbot: QtBot, show_active: Callable[[QWidget], None], sample_source: FakeSource
) -> None:
    window = _open(show_active, sample_source, 360)
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        window.toolbar.more_button.menu().actions()[1].trigger()


@pytest.mark.usefixtures("scaled_font")
def test_at_360_px_the_detail_and_editor_buttons_wrap_instead_of_widening(
    show_active: Callable[[QWidget], None], fake_source: type[FakeSource]
) -> None:
    question = make_moment(1, kind=Kind.QUESTION, author="A teammate with a rather long name indeed")
    window = _open(show_active, fake_source([question]), 360)
    window.select_moment("m1")
    QApplication.processEvents()
    detail = window.detail
    for button in (detail.answered_button, detail.edit_button, detail.delete_button):
        assert button.isVisible() and _fits(button), button.text()
    detail.begin_edit()
    QApplication.processEvents()
    for button in (detail.editor.cancel_button, detail.editor.save_button):
        assert _fits(button), button.text()
    assert window.minimumSizeHint().width() <= 360


def test_an_elided_label_keeps_the_whole_text_in_its_tooltip(qtbot: QtBot) -> None:
    label = ElidedLabel("https://example.org/a/very/long/address/that/cannot/fit/in/a/narrow/window")
    qtbot.addWidget(label)
    label.show()
    label.resize(QFontMetrics(label.font()).horizontalAdvance("https://example"), 20)
    assert label.text().endswith("…") and label.toolTip() == label.full_text()
    assert label.minimumSizeHint().width() < label.sizeHint().width()
    label.resize(label.sizeHint().width(), 20)
    assert label.text() == label.full_text() and not label.toolTip()
