"""The library window: virtualized model, search, filters, highlighting, edit, delete and undo."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from storage.models import Draft, Kind, MomentQuery
from ui.library import LibraryWindow
from ui.library_model import PAGE_SIZE

if TYPE_CHECKING:
    from tests.ui.conftest import FakeSource


ShowActive = Callable[[QWidget], None]


@pytest.fixture
def open_library(show_active: ShowActive) -> Callable[[FakeSource], LibraryWindow]:
    def open_(source: FakeSource) -> LibraryWindow:
        window = LibraryWindow(source)
        show_active(window)
        return window

    return open_


OpenLibrary = Callable[["FakeSource"], LibraryWindow]


def test_100k_rows_answer_instantly_and_fetch_only_painted_pages(
    qtbot: QtBot, fake_source: type[FakeSource], open_library: OpenLibrary
) -> None:
    source = fake_source(count=100_000)
    started = time.perf_counter()
    window = open_library(source)
    qtbot.wait(50)
    assert window.model.rowCount() == 100_000
    assert time.perf_counter() - started < 2
    fetched = {r for call in source.moment_calls for r in call}
    assert len(source.moment_calls) <= 2
    assert len(fetched) <= 2 * PAGE_SIZE
    source.moment_calls.clear()
    window.list_view.scrollToBottom()
    qtbot.wait(50)
    fetched = {r for call in source.moment_calls for r in call}
    assert fetched, "the painted rows at the bottom were read"
    assert min(fetched) == 1  # the oldest moment is the last row
    assert len(fetched) <= 2 * PAGE_SIZE


def test_search_is_debounced_and_sent_to_the_source(
    qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary
) -> None:
    window = open_library(sample_source)
    sample_source.queries.clear()
    qtbot.keyClicks(window.search_edit, "sqlite")
    assert sample_source.queries == []  # not per keystroke
    qtbot.waitUntil(lambda: len(sample_source.queries) == 1, timeout=2000)
    assert sample_source.queries[0] == MomentQuery(text="sqlite")
    assert window.model.rowCount() == 1


def test_kind_and_tag_filters_build_the_query(
    qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary
) -> None:
    window = open_library(sample_source)
    window.kind_combo.setCurrentIndex(window.kind_combo.findText("Questions"))
    assert sample_source.queries[-1] == MomentQuery(kind=Kind.QUESTION)
    window.tag_combo.setCurrentIndex(window.tag_combo.findData("sqlite"))
    window.tag_combo.activated.emit(window.tag_combo.currentIndex())
    assert sample_source.queries[-1] == MomentQuery(kind=Kind.QUESTION, tag="sqlite")
    assert window.model.rowCount() == 1


def test_search_terms_are_highlighted_in_the_detail(
    qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary
) -> None:
    window = open_library(sample_source)
    window.search_edit.setText("fetch")
    window.refresh()
    window.select_moment("m2")
    html = window.detail.browser.toHtml()
    assert "background-color:" in html
    marked = window.detail.browser.document().toPlainText()
    assert "fetchMore" in marked


def test_delete_then_ctrl_z_undeletes(qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary) -> None:
    window = open_library(sample_source)
    window.select_moment("m2")
    window.list_view.setFocus()
    with qtbot.waitSignal(window.delete_requested, timeout=1000) as deleted:
        qtbot.keyClick(window.list_view, Qt.Key.Key_Delete)
    assert deleted.args == [["m2"], False]  # not shared: nothing to ask
    assert window.undo_bar.isVisible()
    assert "Qt models are lazy" in window.undo_bar.label.text()
    sample_source.deleted.add(2)
    window.refresh()
    with qtbot.waitSignal(window.undelete_requested, timeout=1000) as undeleted:
        qtbot.keyClick(window.list_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert undeleted.args == [["m2"]]
    assert not window.undo_bar.isVisible()


def test_edit_flow_emits_the_edited_draft(qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary) -> None:
    window = open_library(sample_source)
    window.select_moment("m3")
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_F2)
    assert window.detail.is_editing
    assert not window.list_view.isEnabled()
    window.detail.editor.title_edit.setText("Why is WAL fast?")
    window.detail.editor.tags_edit.setText("sqlite, wal")
    with qtbot.waitSignal(window.edit_requested, timeout=1000) as blocker:
        qtbot.keyClick(window.detail.editor.body_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    moment_id, draft = blocker.args
    assert moment_id == "m3"
    assert draft == Draft(kind=Kind.QUESTION, title="Why is WAL fast?", body="Body of moment 3", tags=("sqlite", "wal"))
    assert not window.detail.is_editing


def test_failed_edit_goes_back_into_the_editor(
    qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary
) -> None:
    window = open_library(sample_source)
    window.select_moment("m1")
    window.edit_current()
    window.detail.editor.title_edit.setText("changed")
    window.detail.save_edit()
    window.show_error("Could not save: the database is locked.")
    assert window.detail.is_editing
    assert window.detail.editor.title_edit.text() == "changed"
    assert "locked" in window.detail.editor.message.text()


def test_escape_with_changes_asks_before_discarding(
    qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary
) -> None:
    window = open_library(sample_source)
    window.select_moment("m1")
    window.edit_current()
    window.detail.editor.title_edit.setText("changed")
    qtbot.keyClick(window.detail.editor.title_edit, Qt.Key.Key_Escape)
    assert window.detail.is_editing
    qtbot.keyClick(window.detail.editor.title_edit, Qt.Key.Key_Escape)
    assert not window.detail.is_editing


def test_empty_library_and_no_results_messages(
    sample_source: FakeSource, fake_source: type[FakeSource], open_library: OpenLibrary
) -> None:
    empty = open_library(fake_source())
    assert empty.list_stack.currentWidget() is empty.empty_label
    assert "Ctrl+Alt+J" in empty.empty_label.text()
    window = open_library(sample_source)
    frame = window.list_view.geometry()
    window.search_edit.setText("nothing-like-this")
    window.refresh()
    assert window.list_stack.currentWidget() is window.list_view  # the list and its frame stay
    assert window.list_view.geometry() == frame
    assert window.no_match_label.isVisible()
    assert "No moments match “nothing-like-this”" in window.no_match_label.text()
    assert window.count_label.text() == "0 moments"
    window.search_edit.clear()
    window.refresh()
    assert window.no_match_label.isHidden()
    assert window.count_label.text() == "3 moments"


def test_keyboard_shortcuts(qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary) -> None:
    window = open_library(sample_source)
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_edit.hasFocus()
    with qtbot.waitSignal(window.new_moment_requested, timeout=1000):
        qtbot.keyClick(window.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        qtbot.keyClick(window.search_edit, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_edit, "qt")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""
    assert window.isVisible()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_refresh_keeps_the_selection(qtbot: QtBot, sample_source: FakeSource, open_library: OpenLibrary) -> None:
    window = open_library(sample_source)
    window.select_moment("m2")
    window.refresh()
    moment = window.detail.moment
    assert moment is not None
    assert moment.id == "m2"


@pytest.mark.parametrize("text", ["Deleted", None])
def test_banner_can_be_set_and_cleared(sample_source: FakeSource, open_library: OpenLibrary, text: str | None) -> None:
    window = open_library(sample_source)
    window.set_banner(text)
    assert window.banner.isVisible() is bool(text)
