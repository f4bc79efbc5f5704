"""The import progress dialog: progress, background fetching, cancel and close."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.import_dialog import FETCHING_TEXT, ImportDialog


def test_progress_then_finish(qtbot: QtBot) -> None:
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.progress_bar.maximum() == 0  # busy until the total is known
    dialog.set_progress(1200, 0.24)  # 1,200 read, a quarter of the file
    assert dialog.status_label.text() == "Reading bookmarks… 1,200 so far"
    assert (dialog.progress_bar.value(), dialog.progress_bar.maximum()) == (240, 1000)
    dialog.set_progress(5000, 1.0)
    assert dialog.status_label.text() == f"Imported 5,000 bookmarks. {FETCHING_TEXT}"
    assert dialog.cancel_button.text() == "Cancel"
    dialog.finish("Imported 4,980 bookmarks; 20 were already in the library.")
    assert dialog.is_finished
    assert dialog.cancel_button.text() == "Close"
    assert dialog.status_label.text().startswith("Imported 4,980")
    with qtbot.assertNotEmitted(dialog.cancel_requested):
        dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_cancel_asks_once_and_waits_for_the_summary(qtbot: QtBot) -> None:
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_progress(10, 0.1)
    with qtbot.waitSignal(dialog.cancel_requested, timeout=1000):
        dialog.cancel_button.click()
    assert dialog.isVisible()
    assert "Cancelling" in dialog.status_label.text()
    assert not dialog.cancel_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.cancel_requested):
        dialog.reject()  # Esc or the close button again: asked already
    dialog.set_progress(12, 0.12)
    assert "Cancelling" in dialog.status_label.text() and "nothing" in dialog.status_label.text()
    dialog.finish("Cancelled: nothing was imported.")
    assert dialog.cancel_button.isEnabled() and dialog.cancel_button.text() == "Close"
    dialog.cancel_button.click()
    assert not dialog.isVisible()
