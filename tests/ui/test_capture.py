"""The capture window: keyboard, saving, validation, drafts, context and tag completion."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storage.models import Draft, Kind
from ui.capture import CaptureWindow
from ui.ports import CaptureContext, SaveRequest


def test_ctrl_number_switches_kind(window: CaptureWindow, qtbot: QtBot) -> None:
    for key, kind in ((Qt.Key.Key_1, Kind.RESOURCE), (Qt.Key.Key_3, Kind.QUESTION), (Qt.Key.Key_2, Kind.TIP)):
        qtbot.keyClick(window.title_edit, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_draft().kind is kind


def test_enter_in_title_emits_validated_draft(window: CaptureWindow, qtbot: QtBot) -> None:
    window.set_kind(Kind.RESOURCE)
    qtbot.keyClicks(window.title_edit, "  Read the Qt docs ")
    window.url_edit.setText("https://doc.qt.io")
    window.tags_edit.setText("#Qt, docs qt")
    with qtbot.waitSignal(window.save_requested, timeout=1000) as blocker:
        qtbot.keyClick(window.title_edit, Qt.Key.Key_Return)
    assert blocker.args == [
        SaveRequest(Draft(kind=Kind.RESOURCE, title="Read the Qt docs", url="https://doc.qt.io", tags=("qt", "docs")))
    ]


def test_ctrl_enter_saves_from_the_body(window: CaptureWindow, qtbot: QtBot) -> None:
    window.body_edit.setFocus()
    qtbot.keyClicks(window.body_edit, "a note")
    with qtbot.waitSignal(window.save_requested, timeout=1000) as blocker:
        qtbot.keyClick(window.body_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].draft.body == "a note"
    assert window.body_edit.toPlainText() == "a note"  # nothing is cleared before mark_saved()


def test_empty_save_shows_hint_and_does_not_emit(window: CaptureWindow, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(window.save_requested):
        qtbot.keyClick(window.title_edit, Qt.Key.Key_Return)
    assert window.message.isVisible()
    assert "Nothing to save" in window.message.text()
    assert window.isVisible()


def test_huge_paste_is_refused_quickly_and_kept(window: CaptureWindow, qtbot: QtBot) -> None:
    text = ("lorem ipsum dolor sit amet " * 4 + "\n") * 46_000  # about 5 MB
    started = time.perf_counter()
    window.body_edit.setPlainText(text)
    qtbot.wait(10)
    with qtbot.assertNotEmitted(window.save_requested):
        window.request_save()
    assert time.perf_counter() - started < 3
    assert "too long" in window.message.text() and "Your text is kept in the draft." in window.message.text()
    assert window.body_edit.document().characterCount() - 1 == len(text)
    qtbot.waitUntil(window.size_label.isVisible, timeout=2000)


def test_escape_hides_and_keeps_the_draft(window: CaptureWindow, qtbot: QtBot) -> None:
    qtbot.keyClicks(window.title_edit, "half a thought")
    with qtbot.waitSignal(window.draft_changed, timeout=1000) as blocker:
        qtbot.keyClick(window.title_edit, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert blocker.args[0].title == "half a thought"  # flushed at once on hide
    window.open_blank()
    assert window.isVisible()
    assert window.title_edit.text() == "half a thought"


def test_draft_changed_is_debounced(window: CaptureWindow, qtbot: QtBot) -> None:
    received: list[Draft] = []
    window.draft_changed.connect(received.append)
    qtbot.keyClicks(window.title_edit, "abc")
    assert received == []
    qtbot.waitUntil(lambda: len(received) == 1, timeout=2000)
    assert received[0].title == "abc"


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "data:text/html,<b>x</b>", "file:///etc/passwd"])
def test_a_link_that_is_not_a_web_page_is_refused(window: CaptureWindow, qtbot: QtBot, link: str) -> None:
    window.title_edit.setText("bookmarklet")
    window.url_edit.setText(link)
    with qtbot.assertNotEmitted(window.save_requested):
        window.request_save()
    assert f"not {link.split(':', maxsplit=1)[0]}: links" in window.message.text()


def test_apply_context_fills_only_empty_fields(window: CaptureWindow) -> None:
    window.url_edit.setText("https://kept.example")
    window.apply_context(
        CaptureContext(selection="selected text", url="https://other.example", app_name="Firefox", window_title="Docs")
    )
    draft = window.current_draft()
    assert draft.url == "https://kept.example"
    assert draft.body == "selected text"
    assert (draft.source_app, draft.source_window) == ("Firefox", "Docs")
    assert "Firefox — Docs" in window.context_label.toolTip()
    window.apply_context(CaptureContext(clipboard="clipboard text"))
    assert window.current_draft().body == "selected text"


def test_apply_context_takes_a_copied_link_as_url(window: CaptureWindow) -> None:
    window.apply_context(CaptureContext(clipboard="https://example.org/page"))
    assert window.current_draft().url == "https://example.org/page"
    assert window.current_draft().body == ""


def test_tag_completion_offers_existing_tags(window: CaptureWindow, qtbot: QtBot) -> None:
    window.set_tag_completions(["python", "pyside", "qt"])
    window.tags_edit.setFocus()
    qtbot.keyClicks(window.tags_edit, "qt, py")
    completer = window.tag_completer
    assert completer.completionPrefix() == "py"
    model = completer.completionModel()
    offered = {model.index(i, 0).data() for i in range(model.rowCount())}
    assert offered == {"python", "pyside"}
    completer.activated.emit("python")
    assert window.tags_edit.text() == "qt, python, "


def test_nul_bytes_are_stripped_before_saving(window: CaptureWindow, qtbot: QtBot) -> None:
    window.title_edit.setText("a\x00b")
    window.body_edit.setPlainText("c\x00d")
    with qtbot.waitSignal(window.save_requested, timeout=1000) as blocker:
        window.request_save()
    assert (blocker.args[0].draft.title, blocker.args[0].draft.body) == ("ab", "cd")


def test_mark_saved_clears_hides_and_emits_empty_draft(window: CaptureWindow, qtbot: QtBot) -> None:
    window.set_default_kind(Kind.QUESTION)
    window.title_edit.setText("done")
    window.request_save()
    assert window.title_edit.isReadOnly()  # no edits while the app stores it
    with qtbot.waitSignal(window.draft_changed, timeout=1000) as blocker:
        window.mark_saved()
    assert blocker.args == [Draft(kind=Kind.QUESTION)]
    assert not window.isVisible()
    assert window.current_draft().title == ""
    assert not window.title_edit.isReadOnly()


def test_show_error_keeps_text_and_allows_retry(window: CaptureWindow, qtbot: QtBot) -> None:
    window.title_edit.setText("keep me")
    window.request_save()
    window.show_error("The disk is full.")
    assert window.message.text() == "The disk is full."
    assert window.title_edit.text() == "keep me"
    with qtbot.waitSignal(window.save_requested, timeout=1000):
        window.request_save()


def test_restore_draft_round_trips(window: CaptureWindow) -> None:
    draft = Draft(kind=Kind.RESOURCE, title="t", body="b", url="https://x.org", tags=("a", "b"), source_app="Term")
    window.restore_draft(draft)
    assert window.current_draft() == draft


# ---------------------------------------------------------------- dropping a file
def _mime_for(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drop(target: QWidget, mime: QMimeData) -> tuple[bool, bool]:
    """Drag over and drop on a widget; returns whether the enter and the drop were accepted."""
    point = QPointF(10, 10)
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(point, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"x" * 2_000)
    return path


def test_dropping_a_file_makes_a_resource_and_saves_it_by_path(qtbot: QtBot, pdf: Path) -> None:
    window = CaptureWindow()
    qtbot.addWidget(window)
    window.show()
    assert _drop(window, _mime_for(pdf)) == (True, True)
    assert window.dropped_file() == str(pdf)
    assert window.current_draft().kind is Kind.RESOURCE
    assert window.title_edit.text() == "paper.pdf"
    assert window.file_row.isVisible()
    assert window.file_label.text() == "File: paper.pdf (2 KB)"
    window.tags_edit.setText("papers")
    with qtbot.waitSignal(window.save_requested) as saved:
        window.request_save()
    [request] = saved.args
    assert request.file == str(pdf) and not request.despite_findings
    draft = request.draft
    assert draft.title == "paper.pdf" and draft.kind is Kind.RESOURCE and draft.tags == ("papers",)
    window.mark_saved()
    assert window.dropped_file() is None


def test_a_file_dropped_on_the_notes_attaches_instead_of_inserting_its_path(qtbot: QtBot, pdf: Path) -> None:
    window = CaptureWindow()
    qtbot.addWidget(window)
    window.show()
    window.title_edit.setText("My own title")
    _drop(window.body_edit.viewport(), _mime_for(pdf))
    assert window.body_edit.toPlainText() == ""
    assert window.dropped_file() == str(pdf)
    assert window.title_edit.text() == "My own title"  # a title already typed is kept


def test_too_large_file_is_refused_inline_and_nothing_is_lost(qtbot: QtBot, pdf: Path) -> None:
    window = CaptureWindow()
    qtbot.addWidget(window)
    window.show()
    window.body_edit.setPlainText("notes I typed")
    window.set_file_limit(1_000)
    _drop(window, _mime_for(pdf))
    assert window.dropped_file() is None
    assert window.message.isVisible() and window.message.tone == "error"
    assert "too large" in window.message.text() and "1 KB" in window.message.text()
    assert window.body_edit.toPlainText() == "notes I typed"
    assert window.current_draft().kind is Kind.TIP


def test_removing_the_file_goes_back_to_a_normal_save(qtbot: QtBot, pdf: Path) -> None:
    window = CaptureWindow()
    qtbot.addWidget(window)
    window.show()
    _drop(window, _mime_for(pdf))
    window.remove_file_button.click()
    assert window.dropped_file() is None and not window.file_row.isVisible()
    with qtbot.waitSignal(window.save_requested) as saved:
        window.request_save()
    assert saved.args[0].file is None


def test_a_file_that_vanished_before_saving_is_reported(qtbot: QtBot, pdf: Path) -> None:
    window = CaptureWindow()
    qtbot.addWidget(window)
    window.show()
    _drop(window, _mime_for(pdf))
    pdf.unlink()
    with qtbot.assertNotEmitted(window.save_requested):
        window.request_save()
    assert "no longer there" in window.message.text()


def test_two_files_or_a_folder_are_refused(qtbot: QtBot, pdf: Path, tmp_path: Path) -> None:
    window = CaptureWindow()
    qtbot.addWidget(window)
    window.show()
    other = tmp_path / "other.txt"
    other.write_text("x")
    _drop(window, _mime_for(pdf, other))
    assert window.dropped_file() is None and "one file" in window.message.text()
    _drop(window, _mime_for(tmp_path))
    assert window.dropped_file() is None and "only files" in window.message.text()
