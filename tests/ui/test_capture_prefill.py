"""The capture window's prefill: selected so typing replaces it, named in the keys hint, cleared by one
Esc, and never written over what the person edited (cleared included)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storage.models import Draft, Kind
from ui.capture import CaptureWindow
from ui.capture_prefill import KEYS_HINT
from ui.ports import CaptureContext

SELECTED = CaptureContext(selection="WAL lets readers go on", url="https://sqlite.org/wal.html", app_name="Firefox")


def test_a_prefill_is_selected_so_typing_replaces_it(window: CaptureWindow, qtbot: QtBot) -> None:
    window.apply_context(SELECTED)
    assert window.body_edit.textCursor().selectedText() == "WAL lets readers go on"
    assert window.url_edit.selectedText() == "https://sqlite.org/wal.html"
    assert "Esc clears what came from your selection" in window.keys_hint.text()
    window.body_edit.setFocus()
    qtbot.keyClicks(window.body_edit, "my own words")
    assert window.current_draft().body == "my own words"
    assert window.prefill.marked == {"url"}  # the link is still the unedited prefill


def test_one_esc_clears_the_prefill_and_a_second_hides(window: CaptureWindow, qtbot: QtBot) -> None:
    qtbot.keyClicks(window.title_edit, "Why WAL")
    window.apply_context(SELECTED)
    qtbot.keyClick(window.title_edit, Qt.Key.Key_Escape)
    assert window.isVisible()
    draft = window.current_draft()
    assert (draft.title, draft.body, draft.url) == ("Why WAL", "", None)  # only the prefill went
    assert window.keys_hint.text() == KEYS_HINT
    qtbot.keyClick(window.title_edit, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_a_field_the_person_cleared_is_not_refilled(window: CaptureWindow, qtbot: QtBot) -> None:
    window.apply_context(SELECTED)
    window.body_edit.setFocus()
    qtbot.keyClick(window.body_edit, Qt.Key.Key_Delete)  # the selected prefill is deleted by the person
    assert window.current_draft().body == ""
    window.apply_context(CaptureContext(selection="a later selection"))
    assert window.current_draft().body == ""


def test_a_restored_draft_with_cleared_notes_keeps_them_cleared(window: CaptureWindow) -> None:
    window.restore_draft(Draft(kind=Kind.QUESTION, title="Kept title", body=""))
    window.apply_context(CaptureContext(selection="stale selection", clipboard="https://example.org/c"))
    draft = window.current_draft()
    assert (draft.kind, draft.title, draft.body, draft.url) == (Kind.QUESTION, "Kept title", "", None)
    assert window.keys_hint.text() == KEYS_HINT


def test_after_a_save_the_next_draft_takes_a_prefill_again(window: CaptureWindow, qtbot: QtBot) -> None:
    window.restore_draft(Draft(kind=Kind.TIP, title="first"))
    window.mark_saved()
    window.open_blank()
    window.apply_context(CaptureContext(clipboard="copied text"))
    assert window.current_draft().body == "copied text"
    assert "from the clipboard" in window.keys_hint.text()


def test_a_link_in_the_notes_is_offered_for_the_link_field(window: CaptureWindow, qtbot: QtBot) -> None:
    from app.context_urls import find_url

    window.fields.link_finder = find_url
    window.body_edit.setFocus()
    qtbot.keyClicks(window.body_edit, "read https://sqlite.org/wal.html, then decide")
    qtbot.waitUntil(window.fields.link_chip.isVisible, timeout=2000)  # after the typing pauses
    assert "https://sqlite.org/wal.html" in window.fields.link_chip.toolTip()
    window.fields.link_chip.click()
    assert window.current_draft().url == "https://sqlite.org/wal.html"
    assert not window.fields.link_chip.isVisible()


def test_no_link_chip_when_the_link_is_filled_or_the_notes_hold_none(window: CaptureWindow, qtbot: QtBot) -> None:
    from app.context_urls import find_url

    window.fields.link_finder = find_url
    window.restore_draft(Draft(kind=Kind.TIP, title="t", body="no link here"))
    assert not window.fields.link_chip.isVisible()
    window.restore_draft(Draft(kind=Kind.TIP, title="t", body="see https://a.example/x", url="https://b.example"))
    assert not window.fields.link_chip.isVisible()
    window.url_edit.clear()
    window.fields.offer_link()
    assert window.fields.link_chip.isVisible()
    window.url_edit.setText("https://typed.example")
    assert not window.fields.link_chip.isVisible()
