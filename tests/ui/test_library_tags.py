"""The detail view's tags filter the list (by mouse or keyboard), and a question says how answers arrive."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from storage.models import Kind
from tests.ui.conftest import FakeSource, make_moment
from ui.library import LibraryWindow
from ui.moment_view import answers_hint, moment_html, tag_of_url, tag_url


def _library(show_active: Callable[[QWidget], None], source: FakeSource) -> LibraryWindow:
    window = LibraryWindow(source)
    show_active(window)
    return window


def test_clicking_a_tag_filters_the_list_by_it(
    show_active: Callable[[QWidget], None], sample_source: FakeSource
) -> None:
    window = _library(show_active, sample_source)
    window.select_moment("m2")
    assert 'href="inflow-tag:qt"' in window.detail.browser.toHtml()
    window.detail.browser.anchorClicked.emit(QUrl(tag_url("qt")))
    assert window.tag_combo.currentData() == "qt"
    assert window.current_query().tag == "qt"
    assert [window.model.moment_at(r).id for r in range(window.model.rowCount())] == ["m2"]  # type: ignore[union-attr]
    assert window.detail.moment is not None and window.detail.moment.id == "m2"


def test_a_tag_is_reachable_with_tab_and_enter(
    qtbot: QtBot, show_active: Callable[[QWidget], None], fake_source: type[FakeSource]
) -> None:
    window = _library(show_active, fake_source([make_moment(1, tags=("sqlite",)), make_moment(2, tags=("qt",))]))
    window.select_moment("m1")
    browser = window.detail.browser
    browser.setFocus()
    QTest.keyClick(browser, Qt.Key.Key_Tab)
    assert "inflow-tag:sqlite" in browser.textCursor().selection().toHtml()
    QTest.keyClick(browser, Qt.Key.Key_Return)
    assert window.current_query().tag == "sqlite"
    assert window.model.rowCount() == 1


def test_tag_links_survive_odd_characters_and_other_links_are_not_tags() -> None:
    assert tag_of_url(tag_url("c++/qt")) == "c++/qt"
    assert tag_of_url("https://example.org") is None
    assert tag_of_url("inflow-tag:") is None


def test_a_question_says_how_its_answers_arrive(
    show_active: Callable[[QWidget], None], fake_source: type[FakeSource]
) -> None:
    assert answers_hint([]) == "Share it with a team target to get answers."
    assert answers_hint(["team-chat"]).endswith("Answers from team-chat will show here and as a notification.")
    assert "from chat and wiki will" in answers_hint(["chat", "wiki"])
    question = make_moment(3, kind=Kind.QUESTION)
    assert "Answers from team-chat will show here" in moment_html(question, (), [], targets=["team-chat"])
    window = _library(show_active, fake_source([question]))
    window.select_moment("m3")
    assert "Share it with a team target to get answers." in window.detail.browser.toPlainText()
