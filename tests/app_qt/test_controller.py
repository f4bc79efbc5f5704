"""The running app's behaviour in-process: windows wired to the writer, the hotkey and the config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlite_utils import Database

from app.config import load_config
from app.controller import AppController
from app.hotkey.x11 import X11Hotkey
from app.paths import Paths
from storage.db import open_database
from storage.models import Draft, Kind, MomentQuery
from storage.moments import add_moment, count_moments, list_rowids
from ui.ports import SaveRequest
from ui.tray import Tray

pytestmark = pytest.mark.x11


@pytest.fixture
def db(paths: Paths) -> Database:
    return open_database(paths.database)


@pytest.fixture
def controller(qapp: Any, paths: Paths, db: Database) -> Iterator[AppController]:
    read_db = open_database(paths.database, readonly=True)
    ctrl = AppController(qapp, paths, load_config(paths), db, read_db)
    yield ctrl
    ctrl.shutdown()
    for window in (ctrl._capture, ctrl._library, ctrl._settings.dialog):
        if window is not None:
            window.hide()
            window.deleteLater()
    ctrl._tray.hide()


def save_from_window(qtbot: QtBot, ctrl: AppController, draft: Draft) -> None:
    ctrl.open_capture()
    ctrl._capture.restore_draft(draft)
    with qtbot.waitSignal(ctrl._writer.finished, timeout=5000):
        ctrl._capture.request_save()


def test_saving_from_the_window_stores_it_and_clears_the_draft(
    qtbot: QtBot, controller: AppController, db: Database, paths: Paths
) -> None:
    controller.start(open_capture=False, notices=[])
    save_from_window(qtbot, controller, Draft(kind=Kind.QUESTION, title="Why WAL?", tags=("sqlite",)))
    assert count_moments(db) == 1
    assert not controller._capture.isVisible()
    assert not paths.draft_file.exists()
    assert controller._capture.current_draft().title == ""


def test_a_full_disk_shows_the_error_and_keeps_every_word(
    qtbot: QtBot, controller: AppController, db: Database, paths: Paths
) -> None:
    controller.start(open_capture=False, notices=[])
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # the writer's connection: the disk is now "full"
    draft = Draft(kind=Kind.TIP, title="keep me", body="words " * 40_000, tags=("t",))
    save_from_window(qtbot, controller, draft)
    capture = controller._capture
    assert capture.isVisible()
    assert "disk is full" in capture.message.text()
    assert capture.current_draft().title == "keep me"
    assert capture.current_draft().body == draft.body
    assert count_moments(db) == 0
    qtbot.waitUntil(paths.draft_file.exists, timeout=3000)  # the draft also survives a crash now
    db.execute("PRAGMA max_page_count = 1073741823")
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        capture.request_save()
    assert count_moments(db) == 1


def test_without_a_tray_the_library_is_home_and_explains_the_hotkey(
    qtbot: QtBot, controller: AppController, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: False))
    controller.start(open_capture=False, notices=[])
    library = controller._library
    assert library is not None
    qtbot.waitUntil(library.isVisible, timeout=3000)
    assert library.banner.isVisible()
    assert "Ctrl+Alt+J" in library.banner.label.text()
    assert "inflow capture --window" in library.banner.label.text()


def test_a_hotkey_held_by_another_program_is_explained_and_the_old_one_kept(
    qtbot: QtBot, controller: AppController, paths: Paths
) -> None:
    other_program = X11Hotkey()
    other_program.register("Ctrl+Alt+K")
    try:
        controller.start(open_capture=False, notices=[])
        controller.open_settings()
        settings = controller._settings.dialog
        settings.apply_requested.emit({"hotkey": "Ctrl+Alt+K", "autostart": False, "default_kind": "tip"})
        assert settings.isVisible()
        assert "in use" in settings.hotkey_error.text()
        assert controller.hotkey_state() == "x11: Ctrl+Alt+J grabbed"
        assert not paths.config_file.exists()
    finally:
        other_program.close()


def test_applying_settings_saves_them_regrabs_and_enables_autostart(
    qtbot: QtBot, controller: AppController, paths: Paths, tmp_path: Path
) -> None:
    controller.start(open_capture=False, notices=[])
    controller.open_settings()
    controller._settings.dialog.apply_requested.emit(
        {"hotkey": "Ctrl+Alt+L", "autostart": True, "default_kind": "question"}
    )
    assert controller.hotkey_state() == "x11: Ctrl+Alt+L grabbed"
    config = load_config(paths)
    assert (config.get("hotkey"), config.get("autostart"), config.get("default_kind")) == (
        "Ctrl+Alt+L",
        True,
        "question",
    )
    entry = (tmp_path / "xdg-config" / "autostart" / "inflow.desktop").read_text()
    assert f"--basedir {paths.basedir}" in entry
    assert controller._capture.current_draft().kind == Kind.QUESTION
    controller._settings.dialog.apply_requested.emit({"hotkey": "Ctrl+Alt+L", "autostart": False})
    assert not (tmp_path / "xdg-config" / "autostart" / "inflow.desktop").exists()


def test_library_delete_and_undo_go_through_the_writer(qtbot: QtBot, controller: AppController, db: Database) -> None:
    controller.start(open_capture=False, notices=[])
    save_from_window(qtbot, controller, Draft(title="to delete"))
    moment_id = db.execute("SELECT id FROM moments").fetchone()[0]
    controller.open_library()
    library = controller._library
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        library.delete_requested.emit([moment_id], False)
    assert list_rowids(db, MomentQuery()) == []
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        library.undelete_requested.emit([moment_id])
    assert len(list_rowids(db, MomentQuery())) == 1


def test_a_secret_blocks_sharing_until_the_person_confirms(
    qtbot: QtBot, controller: AppController, db: Database, paths: Paths
) -> None:
    from sync.connector import Target

    controller._config.targets = [Target("team", "webhook", {"url": "http://127.0.0.1:9/hook"})]
    controller._on_settings_applied()  # the capture window learns the target
    controller.start(open_capture=False, notices=[])
    controller.open_capture()
    capture = controller._capture
    capture.restore_draft(Draft(kind=Kind.TIP, title="deploy", body="token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                                share_to=("team",)))  # fmt: skip
    capture.request_save()
    qtbot.waitUntil(capture.secret_bar.isVisible, timeout=3000)
    assert count_moments(db) == 0  # held back: nothing stored, nothing queued
    assert "GitHub Token in the note, line 1" in capture.secret_bar.label.text()
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        qtbot.mouseClick(capture.secret_bar.share_button, Qt.MouseButton.LeftButton)
    assert count_moments(db) == 1
    assert [row[0] for row in db.execute("SELECT target FROM outbox")] == ["team"]


def test_import_from_the_library_shows_progress_and_adds_the_bookmarks(
    qtbot: QtBot, controller: AppController, db: Database, tmp_path: Path
) -> None:
    bookmarks = tmp_path / "bookmarks.html"
    links = "".join(f'<DT><A HREF="https://example.org/{i}">Link {i}</A>\n' for i in range(30))
    bookmarks.write_text(
        f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><H3>Team</H3>\n<DL><p>\n{links}</DL>\n</DL>"
    )
    controller._config.values["snapshots_enabled"] = False  # no page fetching here (there is no network)
    controller.start(open_capture=False, notices=[])
    controller.open_library()
    with qtbot.waitSignal(controller._library_actions._import.finished, timeout=10000) as done:
        controller._library.import_requested.emit(str(bookmarks))
    assert "Imported 30" in done.args[0]
    assert count_moments(db) == 30
    assert db.execute("SELECT count(*) FROM moment_tags WHERE tag = 'team'").fetchone()[0] == 30


def test_a_kept_file_is_written_out_to_open_it(controller: AppController, db: Database, tmp_path: Path) -> None:
    from storage.files import add_file_moment

    moment = add_file_moment(db, Draft(kind=Kind.RESOURCE), "notes.txt", "text/plain", b"hello", "hello")
    path = Path(controller._library_actions.write_kept_file(moment.id))
    assert path.name == "notes.txt"
    assert path.read_bytes() == b"hello"


def test_a_dropped_file_is_kept_and_the_window_closes(
    qtbot: QtBot, controller: AppController, db: Database, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Pairing\nwords to find later")
    controller.start(open_capture=False, notices=[])
    controller.open_capture()
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        controller._capture.save_requested.emit(SaveRequest(Draft(kind=Kind.RESOURCE), str(notes)))
    assert not controller._capture.isVisible()
    assert db.execute("SELECT name, text FROM files").fetchall() == [("notes.md", "# Pairing\nwords to find later")]


def test_answers_stop_being_new_once_the_question_is_shown(
    qtbot: QtBot, controller: AppController, db: Database
) -> None:
    from storage.pull import replies_for

    moment = add_moment(db, Draft(kind=Kind.QUESTION, title="Who knows?"))
    db.execute(
        "INSERT INTO replies (moment_rowid, target, remote_id, author, body, created_at, fetched_at) "
        "VALUES (?, 'team', 'r1', '@bob', 'me', 'x', 'x')",
        [moment.rowid],
    )
    controller.start(open_capture=False, notices=[])
    controller.open_library()
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        controller._library.moment_shown.emit(moment.id)
    assert [r.seen for r in replies_for(db, moment.rowid)] == [True]


def test_a_capture_from_another_process_is_answered_once_it_is_stored_or_failed(
    qtbot: QtBot, controller: AppController, db: Database
) -> None:
    replies: list[dict[str, Any]] = []
    controller.start(open_capture=False, notices=[])
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        controller.handle_command({"cmd": "capture", "draft": {"kind": "tip", "title": "From the CLI"}}, replies.append)
    assert replies[0]["ok"] is True
    assert replies[0]["moment"]["title"] == "From the CLI"
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        controller.handle_command({"cmd": "capture", "draft": {"title": "big", "body": "x" * 200_000}}, replies.append)
    assert replies[1] == {
        "ok": False,
        "error": "Could not save: the disk is full. Free some space and save again; your text is kept.",
    }
    assert count_moments(db) == 1


def test_a_change_that_fails_is_explained_in_the_library(qtbot: QtBot, controller: AppController) -> None:
    controller.start(open_capture=False, notices=[])
    controller.open_library()
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        controller._library.edit_requested.emit("no-such-moment", Draft(title="edited"))
    assert controller._library.error_bar.label.text() == "That moment no longer exists."


def _share_to_team(controller: AppController) -> None:
    from sync.connector import Target

    controller._config.targets = [Target("team", "webhook", {"url": "http://127.0.0.1:9/hook"})]
    controller._on_settings_applied()
    controller.start(open_capture=False, notices=[])
    controller.open_capture()


def test_a_secret_in_a_tag_blocks_sharing_from_the_window(
    qtbot: QtBot, controller: AppController, db: Database
) -> None:
    _share_to_team(controller)
    capture = controller._capture
    capture.restore_draft(Draft(kind=Kind.TIP, title="deploy", body="see the tag", tags=("AKIAIOSFODNN7EXAMPLE",),
                                share_to=("team",)))  # fmt: skip
    capture.request_save()
    qtbot.waitUntil(capture.secret_bar.isVisible, timeout=3000)
    assert "AWS Access Key in the tags" in capture.secret_bar.label.text()
    assert count_moments(db) == 0


def test_a_secret_in_a_dropped_files_name_blocks_sharing(
    qtbot: QtBot, controller: AppController, db: Database, tmp_path: Path
) -> None:
    dropped = tmp_path / "ghp_abcdefghijklmnopqrstuvwxyz0123456789.txt"
    dropped.write_text("harmless text")
    _share_to_team(controller)
    controller._capture.save_requested.emit(SaveRequest(Draft(kind=Kind.RESOURCE, share_to=("team",)), str(dropped)))
    qtbot.waitUntil(controller._capture.secret_bar.isVisible, timeout=3000)
    assert "GitHub Token in the file name" in controller._capture.secret_bar.label.text()
    assert count_moments(db) == 0


@pytest.mark.parametrize(("shared", "saved"), [(True, False), (False, True)])
def test_an_edit_of_a_shared_moment_gets_the_secret_check(
    qtbot: QtBot, controller: AppController, db: Database, shared: bool, saved: bool
) -> None:
    from storage.moments import get_moment

    _share_to_team(controller)
    moment = add_moment(db, Draft(kind=Kind.TIP, title="deploy", body="clean", share_to=("team",) if shared else ()))
    controller.open_library()
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        controller._library.edit_requested.emit(
            moment.id, Draft(kind=Kind.TIP, title="deploy", body="token ghp_abcdefghijklmnopqrstuvwxyz0123456789")
        )
    body = get_moment(db, moment.id).body
    if saved:  # a private moment stays on this computer: nothing to hold back
        assert "ghp_" in body
    else:
        assert body == "clean"
        assert "GitHub Token in the note" in controller._library.error_bar.label.text()


def test_share_anyway_keeps_the_dropped_file_and_queues_it(
    qtbot: QtBot, controller: AppController, db: Database, tmp_path: Path
) -> None:
    dropped = tmp_path / "ghp_abcdefghijklmnopqrstuvwxyz0123456789.txt"
    dropped.write_text("harmless text")
    _share_to_team(controller)
    capture = controller._capture
    assert capture.attach_file(str(dropped))
    capture.share_picker.choose(("team",))
    capture.request_save()
    qtbot.waitUntil(capture.secret_bar.isVisible, timeout=3000)
    with qtbot.waitSignal(controller._writer.finished, timeout=5000):
        capture.secret_bar.share_button.click()
    assert db.execute("SELECT name, text FROM files").fetchall() == [(dropped.name, "harmless text")]
    assert [row[0] for row in db.execute("SELECT target FROM outbox")] == ["team"]
    assert not capture.isVisible()


def test_the_secret_check_runs_off_the_gui_thread_while_the_window_shows_it_is_checking(
    qtbot: QtBot, controller: AppController, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from PySide6.QtCore import QTimer

    import app.secret_scan

    scanned_on: list[threading.Thread] = []
    released_by_the_gui = threading.Event()
    ended: list[bool] = []

    def slow_scan(*_args: object, **_kwargs: object) -> list[object]:
        """Runs until the GUI thread's event loop lets it go (or 3 s, if that loop is blocked by it)."""
        scanned_on.append(threading.current_thread())
        ended.append(released_by_the_gui.wait(timeout=3))
        return []

    monkeypatch.setattr(app.secret_scan, "scan_moment", slow_scan)
    _share_to_team(controller)
    capture = controller._capture
    capture.restore_draft(Draft(kind=Kind.TIP, title="big", body="word " * 200_000, share_to=("team",)))
    with qtbot.waitSignal(controller._writer.finished, timeout=10000):
        capture.request_save()
        assert not ended  # the save call came back while the scan still runs
        assert capture.save_button.text() == "Checking…" and not capture.save_button.isEnabled()
        assert "Checking for secrets" in capture.message.text()
        capture.request_save()  # a second save while checking is not taken
        QTimer.singleShot(50, released_by_the_gui.set)  # only a turning event loop releases the scan
    assert scanned_on == [scanned_on[0]] and scanned_on[0] is not threading.main_thread()
    assert ended == [True]
    assert count_moments(db) == 1
    assert [row[0] for row in db.execute("SELECT target FROM outbox")] == ["team"]


def test_a_secret_check_that_fails_keeps_the_text_and_stores_nothing(
    qtbot: QtBot, controller: AppController, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.secret_scan

    def broken_scan(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError("detector crashed")

    monkeypatch.setattr(app.secret_scan, "scan_moment", broken_scan)
    _share_to_team(controller)
    capture = controller._capture
    capture.restore_draft(Draft(kind=Kind.TIP, title="deploy", body="my notes", share_to=("team",)))
    capture.request_save()
    qtbot.waitUntil(lambda: capture.message.tone == "error", timeout=3000)
    assert "check for secrets failed (detector crashed)" in capture.message.text()
    assert capture.isVisible() and capture.current_draft().body == "my notes"
    assert not capture.title_edit.isReadOnly()
    assert count_moments(db) == 0


def test_the_library_says_when_the_network_goes_and_comes_back(controller: AppController) -> None:
    """The desktop's reachability reaches the library's status bar (and its offline-copy lines)."""
    from PySide6.QtNetwork import QNetworkInformation

    controller.start(open_capture=False, notices=[])
    controller.open_library()
    library = controller._library
    assert library is not None
    assert not library.offline_label.isVisible()
    controller._sharing._on_network_reachability_changed(QNetworkInformation.Reachability.Disconnected)
    assert library.offline_label.isVisible()
    controller._sharing._on_network_reachability_changed(QNetworkInformation.Reachability.Online)
    assert not library.offline_label.isVisible()


def test_a_library_opened_while_offline_says_so(controller: AppController) -> None:
    from PySide6.QtNetwork import QNetworkInformation

    controller.start(open_capture=False, notices=[])
    controller._sharing._on_network_reachability_changed(QNetworkInformation.Reachability.Disconnected)
    controller.open_library()
    assert controller._library is not None and controller._library.offline_label.isVisible()
