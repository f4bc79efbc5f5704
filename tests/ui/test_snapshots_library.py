"""The library's offline-copy line, the reader inside the right pane, search snippets, and import."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import storage.search
import ui.library
from storage.models import KeptFile, Kind, Snapshot, SnapshotState
from tests.ui.conftest import FakeSource, make_moment
from ui.highlight import SNIPPET_END, SNIPPET_START, split_snippet
from ui.library import IMPORT_FILTER, LibraryWindow
from ui.library_model import SNIPPET_PAGE_SIZE, SNIPPET_ROLE
from ui.moment_view import retry_time_text

if TYPE_CHECKING:
    from tests.ui.conftest import FakeSnapshots

ShowActive = Callable[[QWidget], None]


def _snap(state: SnapshotState, **fields: Any) -> Snapshot:
    values: dict[str, Any] = {"state": state, "url": "https://docs.python.org/3/howto/descriptor.html"}
    values.update(fields)
    return Snapshot(**values)


SAVED = _snap(
    SnapshotState.SAVED,
    title="Descriptor Guide",
    html="<p>How descriptors work.</p>",
    size=184_000,
    fetched_at="2024-05-01T12:00:00+00:00",
)


@pytest.fixture
def library(
    show_active: ShowActive, sample_source: FakeSource, fake_snapshots: FakeSnapshots
) -> Callable[[Snapshot | None], LibraryWindow]:
    def open_(snapshot: Snapshot | None) -> LibraryWindow:
        if snapshot is not None:
            fake_snapshots.snapshots[1] = snapshot
        window = LibraryWindow(sample_source, None, fake_snapshots)
        show_active(window)
        window.select_moment("m1")  # the resource with a URL
        return window

    return open_


OpenLibrary = Callable[[Snapshot | None], LibraryWindow]


def _line(window: LibraryWindow) -> str:
    return window.detail.snapshot_label.text() if window.detail.snapshot_label.isVisible() else ""


def _buttons(window: LibraryWindow) -> set[str]:
    d = window.detail
    named = {"read": d.read_button, "retry": d.retry_button, "refresh": d.refresh_button, "open": d.open_file_button}
    return {name for name, button in named.items() if button.isVisible()}


@pytest.mark.parametrize("state", [SnapshotState.PENDING, SnapshotState.FETCHING])
def test_saving_line(library: OpenLibrary, state: SnapshotState) -> None:
    window = library(_snap(state))
    assert _line(window) == "Saving a copy for offline reading…"
    assert _buttons(window) == set()


def test_saved_line_reads_in_the_right_pane_and_comes_back(library: OpenLibrary, qtbot: QtBot) -> None:
    window = library(SAVED)
    assert _line(window) == "Offline copy saved · 184 KB"
    assert _buttons(window) == {"read", "refresh"}
    window.detail.read_button.click()
    assert window.detail.is_reading
    assert "How descriptors work." in window.detail.reader.browser.toPlainText()
    assert "docs.python.org" in window.detail.reader.browser.toPlainText()
    window.detail.reader.back_button.click()
    assert not window.detail.is_reading
    assert window.detail.currentIndex() == 1


def test_ctrl_r_opens_the_reader_and_esc_returns(library: OpenLibrary, qtbot: QtBot) -> None:
    window = library(SAVED)
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.detail.is_reading
    assert window.detail.reader.browser.hasFocus()
    qtbot.keyClick(window.detail.reader.browser, Qt.Key.Key_Escape)
    assert not window.detail.is_reading
    assert window.isVisible()  # Esc left the reader, it did not close the window


def test_failed_line_offers_retry(library: OpenLibrary, qtbot: QtBot) -> None:
    window = library(_snap(SnapshotState.FAILED, error="the server answered 404 Not Found"))
    assert _line(window) == "Failed: the server answered 404 Not Found"
    assert _buttons(window) == {"retry"}
    with qtbot.waitSignal(window.snapshot_retry_requested, timeout=1000) as retried:
        window.detail.retry_button.click()
    assert retried.args == ["m1"]
    assert _line(window) == "Saving a copy for offline reading…"  # right away, before the app answers
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert not window.detail.is_reading  # nothing to read


def test_refresh_and_failed_refresh_keeps_the_old_copy(
    library: OpenLibrary, qtbot: QtBot, fake_snapshots: FakeSnapshots
) -> None:
    window = library(SAVED)
    with qtbot.waitSignal(window.snapshot_refresh_requested, timeout=1000) as refreshed:
        window.detail.refresh_button.click()
    assert refreshed.args == ["m1"]
    fake_snapshots.snapshots[1] = Snapshot(
        **{**{f: getattr(SAVED, f) for f in SAVED.__dataclass_fields__}, "error": "timed out after 30 s"}
    )
    window.refresh_details()
    assert _line(window) == "Saved copy from 1 May 2024 kept; refresh failed: timed out after 30 s"
    assert _buttons(window) == {"read", "refresh"}
    assert window.detail.snapshot_label.styleSheet()  # shown in the warning colour


def test_refresh_details_updates_the_line_and_keeps_the_reader(
    library: OpenLibrary, fake_snapshots: FakeSnapshots
) -> None:
    window = library(_snap(SnapshotState.FETCHING))
    assert _line(window) == "Saving a copy for offline reading…"
    fake_snapshots.snapshots[1] = SAVED
    window.refresh_details()
    assert _line(window) == "Offline copy saved · 184 KB"
    window.detail.open_reader()
    window.refresh_details()
    window.refresh()
    assert window.detail.is_reading


def test_kept_file_line_opens(show_active: ShowActive, fake_snapshots: FakeSnapshots, qtbot: QtBot) -> None:
    source = FakeSource([make_moment(5, kind=Kind.RESOURCE, title="Notes", url=None)])
    fake_snapshots.files[5] = KeptFile(name="notes.pdf", media_type="application/pdf", size=2_100_000)
    window = LibraryWindow(source, None, fake_snapshots)
    show_active(window)
    window.select_moment("m5")
    assert window.detail.file_label.text() == "File: notes.pdf · 2.1 MB"
    assert _buttons(window) == {"open"}
    assert not window.detail.snapshot_label.isVisible()
    with qtbot.waitSignal(window.file_open_requested, timeout=1000) as opened:
        window.detail.open_file_button.click()
    assert opened.args == ["m5"]


def test_no_snapshot_source_no_line(show_active: ShowActive, sample_source: FakeSource) -> None:
    window = LibraryWindow(sample_source)
    show_active(window)
    window.select_moment("m1")
    assert not window.detail.snapshot_box.isVisible()


def test_reader_links_and_font_size_are_forwarded(library: OpenLibrary, qtbot: QtBot) -> None:
    window = library(SAVED)
    window.detail.open_reader()
    with qtbot.waitSignal(window.reader_font_size_changed, timeout=1000) as changed:
        window.detail.reader.bigger_button.click()
    assert changed.args == [window.detail.reader.font_size]
    with qtbot.assertNotEmitted(window.reader_font_size_changed):
        window.set_reader_font_size(20)
    assert window.detail.reader.font_size == 20


def test_snippets_are_fetched_only_for_painted_rows(
    qtbot: QtBot, show_active: ShowActive, fake_snapshots: FakeSnapshots
) -> None:
    source = FakeSource(count=10_000)
    window = LibraryWindow(source, None, fake_snapshots)
    show_active(window)
    qtbot.wait(30)
    assert fake_snapshots.snippet_calls == []  # not searching: no snippets at all
    window.search_edit.setText("word")
    window.refresh()
    qtbot.waitUntil(lambda: bool(fake_snapshots.snippet_calls), timeout=2000)  # the painted rows got snippets
    qtbot.wait(30)
    asked = [r for _, rowids in fake_snapshots.snippet_calls for r in rowids]
    assert all(text == "word" for text, _ in fake_snapshots.snippet_calls)
    assert len(asked) <= 2 * SNIPPET_PAGE_SIZE
    assert 10_000 in asked  # the first row
    calls = len(fake_snapshots.snippet_calls)
    window.list_view.viewport().update()
    qtbot.wait(30)
    assert len(fake_snapshots.snippet_calls) == calls  # cached for this query
    window.list_view.scrollToBottom()
    qtbot.waitUntil(lambda: any(1 in rowids for _, rowids in fake_snapshots.snippet_calls), timeout=2000)
    qtbot.wait(30)
    asked = [r for _, rowids in fake_snapshots.snippet_calls for r in rowids]
    assert len(asked) <= 4 * SNIPPET_PAGE_SIZE
    assert window.model.data(window.model.index(9_999, 0), SNIPPET_ROLE) == "…the \x02word\x03 in row 1…"


def test_search_rows_are_taller_to_hold_the_snippet(show_active: ShowActive, fake_snapshots: FakeSnapshots) -> None:
    source = FakeSource(count=50)
    window = LibraryWindow(source, None, fake_snapshots)
    show_active(window)
    plain = window.list_view.sizeHintForRow(0)
    window.search_edit.setText("word")
    window.refresh()
    assert window.list_view.sizeHintForRow(0) > plain


def test_snippet_markers_match_storage_and_split() -> None:
    assert (SNIPPET_START, SNIPPET_END) == (storage.search.SNIPPET_START, storage.search.SNIPPET_END)
    assert split_snippet("…a \x02b\x03 c\nd…") == [("…a ", False), ("b", True), (" c d…", False)]


def test_import_asks_for_a_file_then_emits(
    show_active: ShowActive, sample_source: FakeSource, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = LibraryWindow(sample_source)
    show_active(window)
    asked: list[str] = []

    def fake_dialog(parent: QWidget, caption: str, directory: str, filters: str) -> tuple[str, str]:
        asked.append(filters)
        return "/home/me/bookmarks.html", "Bookmarks (*.html *.htm)"

    monkeypatch.setattr(ui.library.QFileDialog, "getOpenFileName", fake_dialog)
    with qtbot.waitSignal(window.import_requested, timeout=1000) as imported:
        window.import_button.click()
    assert imported.args == ["/home/me/bookmarks.html"]
    assert asked == [IMPORT_FILTER]
    assert IMPORT_FILTER == "Bookmarks (*.html *.htm);;Inflow export (*.json);;All files (*)"
    monkeypatch.setattr(ui.library.QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    with qtbot.assertNotEmitted(window.import_requested):
        window.import_button.click()


def test_a_copy_waiting_for_its_next_try_says_why_and_when_and_offers_retry_now(
    library: OpenLibrary, qtbot: QtBot
) -> None:
    at = time.time() + 600
    clock = time.strftime("%H:%M", time.localtime(at))
    dns = "cannot find the server example.org (DNS lookup failed)"
    window = library(_snap(SnapshotState.PENDING, error=dns, attempts=2, next_attempt_at=at))
    assert _line(window) == f"Not saved yet: {dns}. Will retry at {clock}."
    assert _buttons(window) == {"retry"}
    assert window.detail.retry_button.text() == "Retry now"
    with qtbot.waitSignal(window.snapshot_retry_requested, timeout=1000) as retried:
        window.detail.retry_button.click()
    assert retried.args == ["m1"]


def test_offline_the_status_bar_and_the_copy_say_so(library: OpenLibrary, fake_snapshots: FakeSnapshots) -> None:
    at = time.time() + 600
    clock = time.strftime("%H:%M", time.localtime(at))
    window = library(_snap(SnapshotState.PENDING, error="example.org did not answer in time", next_attempt_at=at))
    assert window.offline_label.isHidden()
    window.set_online(False)
    assert window.offline_label.isVisible()
    assert window.offline_label.text() == "Offline: waiting for the network"
    assert _line(window) == f"Offline: will retry at {clock}. Last try: example.org did not answer in time."
    fake_snapshots.snapshots[1] = _snap(SnapshotState.PENDING, error="example.org did not answer", next_attempt_at=1)
    window.refresh_details()
    assert _line(window) == "Offline: will retry when the network is back. Last try: example.org did not answer."
    fake_snapshots.snapshots[1] = _snap(SnapshotState.PENDING)
    window.refresh_details()
    assert _line(window) == "Offline: the copy is saved when the network is back."
    window.set_online(True)
    assert window.offline_label.isHidden()
    assert _line(window) == "Saving a copy for offline reading…"


def test_retry_times_name_the_day_when_it_is_not_today() -> None:
    now = datetime(2024, 5, 3, 22, 0).timestamp()
    assert retry_time_text(datetime(2024, 5, 3, 23, 15).timestamp(), now) == "23:15"
    assert retry_time_text(datetime(2024, 5, 4, 0, 0).timestamp(), now) == "tomorrow at 00:00"
    assert retry_time_text(datetime(2024, 5, 9, 9, 30).timestamp(), now) == "on 9 May at 09:30"
