"""Sharing in the widgets: the capture window's Share row and secret warning, the library's sharing
section, answers, delete with retract, the Team targets tab and the tray's attention badge."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storage.models import Delivery, DeliveryState, Draft, Kind, Reply
from tests.ui.conftest import FakeSource, make_moment
from ui.capture import CaptureWindow
from ui.library import LibraryWindow
from ui.ports import SharingDefaults, TargetInfo, TargetKeyInfo, TargetKindInfo
from ui.settings import SettingsDialog
from ui.sharing_panel import delivery_state_text, next_try_text
from ui.target_form import TargetForm
from ui.tray import Tray

if TYPE_CHECKING:
    MonkeyPatch = pytest.MonkeyPatch

ShowActive = Callable[[QWidget], None]

TARGETS = [
    TargetInfo("team-room", "matrix", {"homeserver": "https://matrix.example.org"}, is_main=True),
    TargetInfo("lrs", "xapi", {"endpoint": "https://lrs.example.org"}),
]
DEFAULTS = SharingDefaults(by_kind={"tip": ("team-room",), "question": ("team-room",), "resource": ()})
KINDS = [
    TargetKindInfo(
        "matrix",
        "Matrix room",
        (
            TargetKeyInfo("homeserver", "Homeserver", help="https://matrix.example.org"),
            TargetKeyInfo("room", "Room", help="#team:example.org"),
            TargetKeyInfo("display", "Display name", required=False),
        ),
        secret_label="Access token",
        can_retract=True,
    ),
    TargetKindInfo("webhook", "Signed webhook", (TargetKeyInfo("url", "URL"),), secret_label="Signing secret"),
]


# ---------------------------------------------------------------------------------------------- capture
@pytest.fixture
def capture(show_active: ShowActive) -> CaptureWindow:
    w = CaptureWindow()
    show_active(w)
    w.set_targets(TARGETS, DEFAULTS)
    w.title_edit.setFocus()
    return w


def test_share_row_follows_kind_defaults_until_touched(capture: CaptureWindow, qtbot: QtBot) -> None:
    capture.set_kind(Kind.TIP)
    assert capture.current_draft().share_to == ("team-room",)
    capture.set_kind(Kind.RESOURCE)
    assert capture.current_draft().share_to == ()
    assert capture.share_picker.only_me_button.isChecked()
    capture.set_kind(Kind.QUESTION)
    assert capture.current_draft().share_to == ("team-room",)
    capture.share_picker.target_buttons["lrs"].click()  # the person chooses
    assert capture.current_draft().share_to == ("team-room", "lrs")
    capture.set_kind(Kind.RESOURCE)
    assert capture.current_draft().share_to == ("team-room", "lrs")  # kept: touched
    assert capture.save_button.text() == "Save and share"


def test_ctrl_shift_p_toggles_only_me(capture: CaptureWindow, qtbot: QtBot) -> None:
    capture.set_kind(Kind.TIP)
    qtbot.keyClick(
        capture.title_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert capture.current_draft().share_to == ()
    capture.set_kind(Kind.QUESTION)
    assert capture.current_draft().share_to == ()  # touched: the default no longer applies
    qtbot.keyClick(
        capture.title_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert capture.current_draft().share_to == ("team-room",)


def test_share_row_is_in_the_tab_order(capture: CaptureWindow) -> None:
    picker = capture.share_picker
    assert capture.tags_edit.nextInFocusChain() is picker.only_me_button
    assert picker.only_me_button.nextInFocusChain() is picker.target_buttons["team-room"]
    assert picker.target_buttons["lrs"].nextInFocusChain() is capture.save_button


def test_restore_draft_restores_share_to(capture: CaptureWindow) -> None:
    draft = Draft(kind=Kind.RESOURCE, title="t", share_to=("lrs",))
    capture.restore_draft(draft)
    assert capture.current_draft() == draft
    capture.set_kind(Kind.TIP)  # a restored choice is the person's: it does not follow the kind
    assert capture.current_draft().share_to == ("lrs",)


def test_mark_saved_goes_back_to_the_defaults(capture: CaptureWindow, qtbot: QtBot) -> None:
    capture.share_picker.only_me_button.click()
    capture.title_edit.setText("x")
    capture.request_save()
    capture.mark_saved()
    assert capture.current_draft().share_to == ("team-room",)  # a tip again, untouched


def test_no_targets_shows_the_settings_link(show_active: ShowActive, qtbot: QtBot) -> None:
    w = CaptureWindow()
    show_active(w)
    w.set_targets([], SharingDefaults(by_kind={}))
    link = w.share_picker.empty_link
    assert link.isVisible()
    assert "Add a team target in Settings" in link.text()
    assert w.tags_edit.nextInFocusChain() is link
    with qtbot.waitSignal(w.settings_requested, timeout=1000):
        link.linkActivated.emit("settings")
    assert w.current_draft().share_to == ()


def _warn(capture: CaptureWindow, qtbot: QtBot) -> None:
    capture.set_kind(Kind.TIP)
    capture.title_edit.setText("Deploy notes")
    capture.body_edit.setPlainText("line 1\nline 2\nAKIAIOSFODNN7EXAMPLE")
    with qtbot.waitSignal(capture.save_requested, timeout=1000):
        capture.request_save()
    capture.show_secret_warning(["AWS access key on line 3"])
    assert capture.secret_bar.isVisible()
    assert "AWS access key on line 3" in capture.secret_bar.label.text()
    assert not capture.title_edit.isReadOnly()


def test_secret_warning_keep_private_saves_unshared(capture: CaptureWindow, qtbot: QtBot) -> None:
    _warn(capture, qtbot)
    with qtbot.waitSignal(capture.save_requested, timeout=1000) as blocker:
        capture.secret_bar.private_button.click()
    assert blocker.args[0].draft.share_to == () and not blocker.args[0].despite_findings
    assert blocker.args[0].draft.body.endswith("AKIAIOSFODNN7EXAMPLE")
    assert not capture.secret_bar.isVisible()
    assert capture.body_edit.toPlainText().endswith("AKIAIOSFODNN7EXAMPLE")


def test_secret_warning_share_anyway_emits_with_targets(capture: CaptureWindow, qtbot: QtBot) -> None:
    _warn(capture, qtbot)
    with qtbot.waitSignal(capture.save_requested, timeout=1000) as blocker:
        capture.secret_bar.share_button.click()
    assert blocker.args[0].despite_findings
    assert blocker.args[0].draft.share_to == ("team-room",)
    assert blocker.args[0].draft.title == "Deploy notes"


def test_share_anyway_carries_the_attached_file_in_the_same_request(
    capture: CaptureWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    kept = tmp_path / "deploy.txt"
    kept.write_text("notes")
    assert capture.attach_file(str(kept))
    _warn(capture, qtbot)
    with qtbot.waitSignal(capture.save_requested, timeout=1000) as blocker:
        capture.secret_bar.share_button.click()
    assert blocker.args[0].file == str(kept) and blocker.args[0].despite_findings


def test_while_the_secret_check_runs_the_window_says_so_and_takes_no_second_save(
    capture: CaptureWindow, qtbot: QtBot
) -> None:
    capture.title_edit.setText("Deploy notes")
    with qtbot.waitSignal(capture.save_requested, timeout=1000):
        capture.request_save()
    capture.show_checking()
    assert capture.save_button.text() == "Checking…" and not capture.save_button.isEnabled()
    assert "Checking for secrets" in capture.message.text()
    assert capture.title_edit.isReadOnly()
    with qtbot.assertNotEmitted(capture.save_requested):
        capture.request_save()
        qtbot.keyClick(capture.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    capture.show_secret_warning(["GitHub Token in the note, line 1"])
    assert capture.title_edit.text() == "Deploy notes" and not capture.title_edit.isReadOnly()
    assert not capture.message.isVisible() and capture.save_button.isEnabled()


def test_secret_warning_edit_keeps_the_text(capture: CaptureWindow, qtbot: QtBot) -> None:
    _warn(capture, qtbot)
    with qtbot.assertNotEmitted(capture.save_requested):
        capture.secret_bar.edit_button.click()
    assert not capture.secret_bar.isVisible()
    assert capture.body_edit.hasFocus()
    assert capture.body_edit.toPlainText() == "line 1\nline 2\nAKIAIOSFODNN7EXAMPLE"
    assert capture.current_draft().share_to == ("team-room",)


# ---------------------------------------------------------------------------------------------- library
NOW = time.time()


def _delivery(id_: int, state: DeliveryState, **fields: object) -> Delivery:
    values: dict[str, object] = {
        "id": id_,
        "target": "team-room",
        "action": "post",
        "state": state,
        "attempts": 0,
        "next_attempt_at": NOW,
        "last_error": None,
        "remote_id": None,
        "remote_link": None,
    }
    values.update(fields)
    return Delivery(**values)  # type: ignore[arg-type]


DELIVERIES = [
    _delivery(1, DeliveryState.PENDING),
    _delivery(2, DeliveryState.INFLIGHT, target="lrs"),
    _delivery(3, DeliveryState.SENT, remote_link="https://matrix.to/#/!room/$event"),
    _delivery(4, DeliveryState.PENDING, attempts=2, last_error="HTTP 502 from matrix.example.org", next_attempt_at=NOW),
    _delivery(5, DeliveryState.DEAD, last_error="room not found"),
    _delivery(6, DeliveryState.PAUSED, last_error="token expired", action="edit"),
    _delivery(7, DeliveryState.CANCELLED, action="retract"),
]


class FakeDeliveries:
    def __init__(self) -> None:
        self.by_rowid: dict[int, list[Delivery]] = {}
        self.replies_by_rowid: dict[int, list[Reply]] = {}
        self.online: dict[str, list[tuple[str, bool]]] = {}
        self.calls = 0

    def deliveries(self, rowid: int) -> list[Delivery]:
        self.calls += 1
        return list(self.by_rowid.get(rowid, []))

    def replies(self, rowid: int) -> list[Reply]:
        return list(self.replies_by_rowid.get(rowid, []))

    def retractable(self, moment_id: str) -> list[tuple[str, bool]]:
        return list(self.online.get(moment_id, []))


@pytest.fixture
def shared() -> tuple[FakeSource, FakeDeliveries]:
    source = FakeSource(
        [
            make_moment(1, title="Shared tip", kind=Kind.TIP, visibility="team"),
            make_moment(2, title="Why is WAL faster?", kind=Kind.QUESTION, visibility="team"),
            make_moment(3, title="From Alice", kind=Kind.TIP, origin="team", author="alice", visibility="team"),
            make_moment(4, title="Private note", kind=Kind.RESOURCE),
        ]
    )
    deliveries = FakeDeliveries()
    deliveries.by_rowid[1] = list(DELIVERIES)
    deliveries.by_rowid[2] = [_delivery(8, DeliveryState.SENT)]
    deliveries.replies_by_rowid[2] = [
        Reply(
            "team-room",
            "$r1",
            "bob",
            "Because of **sequential** writes <script>alert(1)</script>",
            "2024-05-02T09:00:00+00:00",
        ),
    ]
    deliveries.online["m1"] = [("team-room", True), ("lrs", False)]
    return source, deliveries


@pytest.fixture
def library(show_active: ShowActive, shared: tuple[FakeSource, FakeDeliveries]) -> LibraryWindow:
    source, deliveries = shared
    window = LibraryWindow(source, deliveries)
    show_active(window)
    return window


def test_detail_shows_every_delivery_state(library: LibraryWindow) -> None:
    library.select_moment("m1")
    panel = library.detail.sharing
    assert panel.isVisible()
    texts = {i: label.text() for i, label in panel.state_labels.items()}
    assert texts[1] == "queued"
    assert texts[2] == "sending…"
    assert texts[3].startswith("sent") and 'href="https://matrix.to/#/!room/$event"' in texts[3]
    at = next_try_text(NOW)
    assert texts[4] == f"retrying (attempt 2): HTTP 502 from matrix.example.org — next try at {at}"
    assert texts[5] == "failed: room not found"
    assert texts[6] == "paused: sign in again (token expired)"
    assert texts[7] == "cancelled"
    assert set(panel.retry_buttons) == {5}
    assert set(panel.cancel_buttons) == {1, 4, 6}
    assert delivery_state_text(DELIVERIES[3]).startswith("retrying (attempt 2)")


def test_retry_and_cancel_emit_the_delivery_id(library: LibraryWindow, qtbot: QtBot) -> None:
    library.select_moment("m1")
    with qtbot.waitSignal(library.retry_delivery_requested, timeout=1000) as retry:
        library.detail.sharing.retry_buttons[5].click()
    assert retry.args == [5]
    with qtbot.waitSignal(library.cancel_delivery_requested, timeout=1000) as cancel:
        library.detail.sharing.cancel_buttons[4].click()
    assert cancel.args == [4]


def test_sent_link_opens_only_safe_urls(library: LibraryWindow, qtbot: QtBot, monkeypatch: MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    library.select_moment("m1")
    label = library.detail.sharing.state_labels[3]
    label.linkActivated.emit("https://matrix.to/#/!room/$event")
    label.linkActivated.emit("javascript:alert(1)")
    assert opened == ["https://matrix.to/#/!room/$event"]


def test_refresh_details_rereads_and_keeps_selection_and_edit(
    library: LibraryWindow, shared: tuple[FakeSource, FakeDeliveries]
) -> None:
    _source, deliveries = shared
    library.select_moment("m1")
    deliveries.by_rowid[1] = [_delivery(1, DeliveryState.SENT)]
    library.refresh_details()
    assert library.detail.sharing.state_labels[1].text() == "sent"
    assert library.list_view.currentIndex().row() == library.model.row_of_id("m1")
    library.edit_current()
    library.detail.editor.title_edit.setText("half-edited")
    deliveries.by_rowid[1] = [_delivery(1, DeliveryState.DEAD, last_error="boom")]
    library.refresh_details()
    assert library.detail.is_editing
    assert library.detail.editor.title_edit.text() == "half-edited"
    assert library.detail.sharing.state_labels[1].text() == "failed: boom"


def test_answers_render_safely_and_mark_answered_emits(library: LibraryWindow, qtbot: QtBot) -> None:
    library.select_moment("m2")
    html = library.detail.browser.toHtml()
    text = library.detail.browser.toPlainText()
    assert "Answers (1)" in text
    assert "bob" in text
    assert "<script>" not in html  # escaped: shown as text, never run
    assert "<script>alert(1)</script>" in text
    assert "font-weight:700" in html or "font-weight:600" in html  # **sequential** rendered
    button = library.detail.answered_button
    assert button.isVisible() and button.text() == "Mark answered"
    with qtbot.waitSignal(library.answered_requested, timeout=1000) as blocker:
        button.click()
    assert blocker.args == ["m2", True]


def test_answered_question_shows_check_and_reopen(
    show_active: ShowActive, shared: tuple[FakeSource, FakeDeliveries], qtbot: QtBot
) -> None:
    source, deliveries = shared
    source.by_rowid[2] = make_moment(
        2, title="Why is WAL faster?", kind=Kind.QUESTION, visibility="team", answered_at="2024-05-03T10:00:00+00:00"
    )
    window = LibraryWindow(source, deliveries)
    show_active(window)
    window.select_moment("m2")
    assert "✓ answered" in window.detail.browser.toPlainText()
    assert window.detail.answered_button.text() == "Reopen"
    with qtbot.waitSignal(window.answered_requested, timeout=1000) as blocker:
        window.detail.answered_button.click()
    assert blocker.args == ["m2", False]


def test_team_items_are_read_only(library: LibraryWindow) -> None:
    library.select_moment("m3")
    assert "Shared by alice" in library.detail.browser.toPlainText()
    assert not library.detail.edit_button.isVisible()
    assert library.detail.delete_button.isVisible()
    library.edit_current()
    assert not library.detail.is_editing


def _answer_box(monkeypatch: MonkeyPatch, button_text: str, seen: list[str]) -> None:
    def fake_exec(box: QMessageBox) -> int:
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == button_text:
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)


@pytest.mark.parametrize(
    ("choice", "retract"),
    [("Delete and remove from team-room", True), ("Delete here only", False)],
)
def test_delete_of_a_shared_moment_asks_whether_to_retract(
    library: LibraryWindow, qtbot: QtBot, monkeypatch: MonkeyPatch, choice: str, retract: bool
) -> None:
    seen: list[str] = []
    _answer_box(monkeypatch, choice, seen)
    library.select_moment("m1")
    with qtbot.waitSignal(library.delete_requested, timeout=1000) as blocker:
        library.delete_selected()
    assert blocker.args == [["m1"], retract]
    assert seen == [
        "“Shared tip” is shared on: team-room (can be removed), lrs (stays there: it cannot be removed from there)."
    ]
    with qtbot.waitSignal(library.undelete_requested, timeout=1000) as undo:
        library.undo_delete()
    assert undo.args == [["m1"]]


def test_delete_cancelled_emits_nothing(library: LibraryWindow, qtbot: QtBot, monkeypatch: MonkeyPatch) -> None:
    _answer_box(monkeypatch, "Cancel", [])
    library.select_moment("m1")
    with qtbot.assertNotEmitted(library.delete_requested):
        library.delete_selected()
    assert not library.undo_bar.isVisible()


def test_delete_of_an_unshared_moment_does_not_ask(
    library: LibraryWindow, qtbot: QtBot, monkeypatch: MonkeyPatch
) -> None:
    seen: list[str] = []
    _answer_box(monkeypatch, "Cancel", seen)
    library.select_moment("m4")
    with qtbot.waitSignal(library.delete_requested, timeout=1000) as blocker:
        library.delete_selected()
    assert blocker.args == [["m4"], False]
    assert seen == []


def test_list_rows_mark_shared_and_team_items() -> None:
    from ui.library_delegate import SHARED_GLYPH, row_marks, second_line

    assert row_marks(make_moment(1, visibility="team")) == SHARED_GLYPH
    assert row_marks(make_moment(1)) == ""
    team = make_moment(3, origin="team", author="alice", visibility="team", tags=("qt",))
    assert second_line(team) == "Tip · alice · #qt"


def test_detail_reads_deliveries_only_for_the_shown_moment(
    library: LibraryWindow, shared: tuple[FakeSource, FakeDeliveries]
) -> None:
    _source, deliveries = shared
    deliveries.calls = 0
    library.select_moment("m4")
    library.list_view.viewport().repaint()
    assert deliveries.calls == 1


# ---------------------------------------------------------------------------------------------- settings
@pytest.fixture
def settings(show_active: ShowActive) -> SettingsDialog:
    d = SettingsDialog()
    d.load({"hotkey": "Ctrl+Alt+J", "share_resources": True, "share_tips": False})
    d.set_target_kinds(KINDS)
    d.set_targets(
        [
            *TARGETS,
            TargetInfo("org-feed", "matrix", {}, managed=True),
            TargetInfo("hook", "webhook", {"url": "https://h.example"}, paused_reason="401 Unauthorized"),
        ]
    )
    show_active(d)
    d.show_targets()
    return d


def _open_form(settings: SettingsDialog) -> TargetForm:
    settings.targets_page.add_button.click()
    form = settings.targets_page.form
    assert form is not None
    assert form.isVisible()
    return form


def test_sharing_defaults_load_and_apply(settings: SettingsDialog, qtbot: QtBot) -> None:
    values = settings.values()
    assert (values["share_tips"], values["share_questions"], values["share_resources"]) == (False, True, True)


def test_add_form_validates_and_emits_typed_values(settings: SettingsDialog, qtbot: QtBot) -> None:
    form = _open_form(settings)
    assert form.name_edit.text() == "matrix"  # suggested from the kind
    page = form.page
    with qtbot.assertNotEmitted(settings.target_add_requested):
        form.save_button.click()
    assert form.message.text() == "Homeserver is required."
    assert form.focusWidget() is page.edits["homeserver"]
    page.edits["homeserver"].setText("https://matrix.example.org")
    page.edits["room"].setText("#team:example.org")
    page.secret_edit.setText("syt_secret")
    form.name_edit.setText("team-room")
    form.name_edit.textEdited.emit("team-room")
    with qtbot.assertNotEmitted(settings.target_add_requested):
        form.save_button.click()
    assert "already a target called team-room" in form.message.text()
    form.name_edit.setText("my room")
    form.save_button.click()
    assert "only letters, digits" in form.message.text()
    form.name_edit.setText("my-room")
    with qtbot.waitSignal(settings.target_add_requested, timeout=1000) as blocker:
        form.save_button.click()
    assert blocker.args == [
        "my-room",
        "matrix",
        {"homeserver": "https://matrix.example.org", "room": "#team:example.org", "display": ""},
        "syt_secret",
    ]
    settings.show_target_error("The access token was refused by matrix.example.org (401).")
    assert form.isVisible()
    assert "refused" in form.message.text()
    assert form.page.secret_edit.text() == "syt_secret"
    assert form.name_edit.text() == "my-room"
    with qtbot.waitSignal(settings.target_add_requested, timeout=1000):
        form.save_button.click()
    settings.target_saved("my-room")
    assert not form.isVisible()
    assert settings.targets_page.form is None


def test_add_form_switching_kind_keeps_typed_values(settings: SettingsDialog) -> None:
    form = _open_form(settings)
    form.page.edits["homeserver"].setText("https://kept.example")
    form.set_kind("webhook")
    assert form.name_edit.text() == "webhook"
    assert form.page.secret_edit.isVisible()
    form.set_kind("matrix")
    assert form.page.edits["homeserver"].text() == "https://kept.example"


def test_form_test_connection_shows_the_result(settings: SettingsDialog, qtbot: QtBot) -> None:
    form = _open_form(settings)
    form.set_kind("webhook")
    form.page.edits["url"].setText("https://hook.example")
    form.page.secret_edit.setText("s3cret")
    with qtbot.waitSignal(settings.target_test_requested, timeout=1000) as blocker:
        form.test_button.click()
    assert blocker.args == ["webhook", "webhook", {"url": "https://hook.example"}, "s3cret"]
    message = "TLS failure talking to matrix.example.org: certificate verify failed"
    settings.show_target_test_result(False, message, "transient")
    result = form.test_result
    assert result.isVisible()
    assert result.ok is False
    assert f"What failed: {message}" in result.details.text()
    assert "Checked: Signed webhook at hook.example" in result.details.text()
    assert "How to fix it: check the address and your network" in result.details.text()
    settings.show_target_test_result(True, "Connected to hook.example.")
    assert "✓ Connection works" in result.heading.text()
    assert "Connected to hook.example." in result.details.text()
    assert "What failed" not in result.details.text()


def test_tab_test_connection_for_a_configured_target(settings: SettingsDialog, qtbot: QtBot) -> None:
    page = settings.targets_page
    page.list.setCurrentRow(1)
    with qtbot.waitSignal(settings.target_test_requested, timeout=1000) as blocker:
        page.test_button.click()
    assert blocker.args == ["lrs", "xapi", {"endpoint": "https://lrs.example.org"}, ""]
    settings.show_target_test_result(True, "Connected.")
    assert page.status.isVisible() and page.status.tone == "success"


def test_remove_asks_for_confirmation(settings: SettingsDialog, qtbot: QtBot, monkeypatch: MonkeyPatch) -> None:
    page = settings.targets_page
    page.list.setCurrentRow(1)
    _answer_box(monkeypatch, "Cancel", [])
    with qtbot.assertNotEmitted(settings.target_remove_requested):
        page.remove_button.click()
    seen: list[str] = []
    _answer_box(monkeypatch, "Remove", seen)
    with qtbot.waitSignal(settings.target_remove_requested, timeout=1000) as blocker:
        page.remove_button.click()
    assert blocker.args == ["lrs"]
    assert seen == ["Stop sharing with lrs?"]


def test_managed_targets_cannot_be_removed_and_main_is_marked(settings: SettingsDialog, qtbot: QtBot) -> None:
    page = settings.targets_page
    assert "★ main" in page.list.item(0).text()
    assert not page.main_button.isEnabled()  # already main
    page.list.setCurrentRow(2)
    assert "Managed by your organization" in page.list.item(2).text()
    assert not page.remove_button.isEnabled()
    assert page.main_button.isEnabled()
    with qtbot.waitSignal(settings.main_target_requested, timeout=1000) as blocker:
        page.main_button.click()
    assert blocker.args == ["org-feed"]


def test_paused_target_signs_in_again(settings: SettingsDialog, qtbot: QtBot) -> None:
    page = settings.targets_page
    page.list.setCurrentRow(3)
    assert "paused: sign in again (401 Unauthorized)" in page.list.item(3).text()
    assert page.signin_button.isVisible()
    page.signin_button.click()
    dialog = page.signin_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.secret_edit.setText("new-secret")
    with qtbot.waitSignal(settings.signin_requested, timeout=1000) as blocker:
        dialog.ok_button.click()
    assert blocker.args == ["hook", "new-secret"]
    page.list.setCurrentRow(0)
    assert not page.signin_button.isVisible()


# ---------------------------------------------------------------------------------------------- tray
def _image_bytes(tray: Tray) -> bytes:
    image = tray.icon().pixmap(22).toImage()
    return bytes(image.constBits())


def test_tray_attention_badge_and_tooltip(qtbot: QtBot) -> None:
    tray = Tray()
    tray.set_hotkey_hint("Ctrl+Alt+J")
    plain = _image_bytes(tray)
    tray.set_attention(2, "2 deliveries need attention")
    assert _image_bytes(tray) != plain
    assert tray.tooltip().endswith("2 deliveries need attention")
    assert "Ctrl+Alt+J" in tray.tooltip()
    tray.set_attention(0, "")
    assert _image_bytes(tray) == plain
    assert "attention" not in tray.tooltip()


def test_tray_message_clicked_is_a_signal(qtbot: QtBot) -> None:
    tray = Tray()
    with qtbot.waitSignal(tray.message_clicked, timeout=1000):
        tray.message_clicked.emit()


def test_a_sign_in_kind_needs_no_typed_secret(qtbot: QtBot) -> None:
    from ui.ports import TargetKeyInfo, TargetKindInfo
    from ui.target_form import TargetForm

    kind = TargetKindInfo("teams-graph", "Teams", (TargetKeyInfo("tenant", "Tenant"),), "Microsoft sign-in",
                          interactive_sign_in=True)  # fmt: skip
    form = TargetForm([kind], set())
    qtbot.addWidget(form)
    page = form.page
    page.edits["tenant"].setText("contoso.onmicrosoft.com")
    assert page.problem() is None
    assert page.secret_edit.isHidden()
