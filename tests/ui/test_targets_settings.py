"""Settings > Team targets and the Add/Edit form: states, empty state, keyboard, layout at 360 px and 2x text."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.test_sharing import KINDS
from ui.ports import TargetInfo, TargetKeyInfo, TargetKindInfo
from ui.signin_dialog import SignInDialog
from ui.target_fields import mnemonic_of, split_label
from ui.target_form import TargetForm
from ui.target_list import state_text
from ui.targets_page import TargetsPage

NOW = datetime(2025, 6, 3, 14, 0, tzinfo=UTC)
MATRIX = TargetKindInfo(
    "matrix",
    "Matrix room",
    (
        TargetKeyInfo("url", "Homeserver URL", help="e.g. https://matrix.example.com"),
        TargetKeyInfo("room", "Room", help="A room id (!abc:example.com) or alias (#team:example.com)"),
        TargetKeyInfo("user", "User", required=False, help="Set it to sign in with a password instead of a token"),
    ),
    secret_label="Access token (or password when a user is set)",
    can_retract=True,
)
FAILING = TargetInfo(
    "lrs", "xapi", {}, failing_since="2025-06-03T12:06:00.000Z", failing_reason="DNS lookup failed", next_try_at=None
)


@pytest.fixture
def page(qtbot: QtBot) -> TargetsPage:
    page = TargetsPage()
    qtbot.addWidget(page)
    page.set_target_kinds([MATRIX, *KINDS[1:]])
    page.show()
    return page


def _shown_texts(root: QWidget) -> list[tuple[QWidget, str]]:
    return [
        (w, w.text())
        for w in root.findChildren(QWidget)
        if isinstance(w, (QLabel, QAbstractButton)) and w.isVisibleTo(root) and w.text()
    ]


def _has_width(widget: QWidget, width: int) -> bool:
    return widget.width() == width


def _next_tab_stop(widget: QWidget) -> QWidget:
    following = widget.nextInFocusChain()
    while following is not None and not (
        following.isVisible() and following.isEnabled() and following.focusPolicy() & Qt.FocusPolicy.TabFocus
    ):
        following = following.nextInFocusChain()
    assert following is not None
    return following


def _assert_nothing_elided(root: QWidget) -> None:
    """Every shown label and button has room for its text: wrapped labels for their height at their
    width, the others for the text's advance (QFontMetrics), buttons for their sizeHint."""
    for widget, text in _shown_texts(root):
        plain = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
        if isinstance(widget, QAbstractButton):
            assert widget.width() >= widget.sizeHint().width(), f"button {plain!r} is cut"
        elif isinstance(widget, QLabel) and widget.wordWrap():
            assert widget.height() >= widget.heightForWidth(widget.width()), f"{plain!r} is cut at the bottom"
        elif isinstance(widget, QLabel):
            metrics = QFontMetrics(widget.font())
            room = widget.contentsRect().width()
            longest = max(metrics.horizontalAdvance(line) for line in plain.splitlines())
            assert longest <= room, f"{plain!r} needs {longest}, has {room}"


def test_the_list_shows_each_state_and_marks_the_main_target(page: TargetsPage) -> None:
    page.set_targets(
        [
            TargetInfo("team-room", "matrix", {}, is_main=True),
            FAILING,
            TargetInfo("hook", "webhook", {}, paused_reason="401 Unauthorized"),
            TargetInfo("org-feed", "matrix", {}, managed=True),
        ]
    )
    rows = [page.list.item(i) for i in range(page.list.count())]
    assert rows[0].text().splitlines() == ["team-room   ★ main", "Matrix room · connected"]
    assert rows[0].font().bold() and not rows[1].font().bold()
    assert "paused: sign in again (401 Unauthorized)" in rows[2].text()
    assert rows[3].text().endswith("connected · Managed by your organization")
    assert not rows[0].icon().isNull() and rows[0].icon().cacheKey() != rows[2].icon().cacheKey()
    text, tone = state_text(FAILING, NOW)
    since = datetime(2025, 6, 3, 12, 6, tzinfo=UTC).astimezone().strftime("%H:%M")
    assert (text, tone) == (f"failing since {since}: DNS lookup failed", "error")
    later = TargetInfo("lrs", "xapi", {}, failing_since="2025-06-01T12:06:00Z", next_try_at=NOW.timestamp() + 600)
    assert state_text(later, NOW)[0].startswith("failing since 1 Jun ")
    assert " · next try " in state_text(later, NOW)[0]
    page.list.setCurrentRow(0)
    assert not page.main_button.isEnabled() and page.edit_button.isEnabled()
    page.list.setCurrentRow(3)
    assert not page.edit_button.isEnabled() and not page.remove_button.isEnabled()  # the policy's target
    assert "Managed by your organization" in page.edit_button.toolTip()


def test_the_empty_state_invites_the_first_target(page: TargetsPage) -> None:
    page.set_targets([])
    assert page.stack.currentWidget() is page.empty_state
    assert page.add_first_button.isVisible() and not page.button_column.isVisible()  # no greyed buttons
    page.add_first_button.click()
    assert page.form is not None and page.form.isVisible()
    page.form.reject()
    page.set_managed("/etc/inflow/policy.toml")
    assert not page.add_first_button.isEnabled() and page.empty_note.isVisible()
    page.set_targets([TargetInfo("team-room", "matrix", {})])
    assert page.stack.currentWidget() is page.list and page.button_column.isVisible()


def test_edit_keeps_kind_and_name_and_an_empty_secret_keeps_the_stored_one(page: TargetsPage, qtbot: QtBot) -> None:
    settings = {"url": "https://matrix.example.org", "room": "#a:example.org", "allow_insecure_http": "true"}
    page.set_targets([TargetInfo("team-room", "matrix", settings)])
    page.list.setCurrentRow(0)
    page.edit_button.click()
    form = page.form
    assert form is not None and form.editing is not None
    assert form.name_edit.isReadOnly() and not form.kind_combo.isEnabled()
    assert form.page.edits["url"].text() == "https://matrix.example.org"
    form.page.edits["room"].setText("#b:example.org")
    with qtbot.waitSignal(page.target_edit_requested, timeout=1000) as blocker:
        form.save_button.click()
    assert blocker.args == ["team-room", "matrix", {**settings, "room": "#b:example.org", "user": ""}, ""]
    page.target_saved("team-room")
    assert page.status.text() == "Saved team-room."


def test_labels_are_short_with_help_under_the_field_and_the_secret_shows_and_hides(qtbot: QtBot) -> None:
    assert split_label("Access token (or password when a user is set)") == (
        "Access token",
        "Or password when a user is set",
    )
    assert split_label("Personal access token or bot token") == ("Personal access token", "Or bot token")
    assert split_label("Application (client) id") == ("Application (client) id", "")
    form = TargetForm([MATRIX], set())
    qtbot.addWidget(form)
    form.show()
    labels = [label.text() for label in form.page.labels]
    assert labels == ["&Homeserver URL *:", "&Room *:", "&User:", "&Access token *:"]
    helps = [h.text() for h in form.page.findChildren(QLabel, "help")]
    assert "Or password when a user is set" in helps and not form.page.edits["room"].placeholderText()
    assert form.page.secret_edit.echoMode() == form.page.secret_edit.EchoMode.Password
    form.page.show_button.click()
    assert form.page.secret_edit.echoMode() == form.page.secret_edit.EchoMode.Normal


@pytest.mark.parametrize("kind", [MATRIX, *KINDS[1:]], ids=lambda k: k.kind)
def test_every_label_has_a_unique_mnemonic_and_tab_follows_the_form(kind: TargetKindInfo, qtbot: QtBot) -> None:
    form = TargetForm([MATRIX, *KINDS[1:]], set())
    qtbot.addWidget(form)
    form.set_kind(kind.kind)
    form.show()
    shown = _shown_texts(form)
    field_labels = [w for w, _t in shown if isinstance(w, QLabel) and w.buddy() is not None]
    assert field_labels and all(mnemonic_of(label.text()) for label in field_labels)
    letters = [mnemonic_of(t) for _w, t in shown if mnemonic_of(t)]
    assert len(letters) == len(set(letters)), letters
    order: list[QWidget] = []
    widget: QWidget = form.kind_combo
    for _ in range(30):
        order.append(widget)
        widget = _next_tab_stop(widget)
        if widget is form.kind_combo:
            break
    edits = list(form.page.edits.values())
    expected = [form.kind_combo, form.name_edit, *edits]
    if form.page.secret_edit.isVisible():
        expected += [form.page.secret_edit, form.page.show_button]
    expected += [form.test_button, form.cancel_button, form.save_button]
    assert order == expected


def test_the_page_mnemonics_are_unique(page: TargetsPage) -> None:
    page.set_targets([TargetInfo("hook", "webhook", {}, paused_reason="401 Unauthorized")])
    page.list.setCurrentRow(0)
    letters = [mnemonic_of(t) for _w, t in _shown_texts(page) if mnemonic_of(t)]
    assert len(letters) == len(set(letters)) == 9, letters  # 6 buttons, 3 sharing defaults


def test_sign_in_again_has_a_short_secret_label_with_help_a_mnemonic_and_show(qtbot: QtBot) -> None:
    paused = TargetInfo("team-room", "matrix", {}, paused_reason="401 Unauthorized")
    dialog = SignInDialog(paused, MATRIX.secret_label)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.secret_label.text() == "&Access token:"
    assert dialog.secret_label.buddy() is dialog.secret_edit
    helps = [h.text() for h in dialog.findChildren(QLabel, "help") if h.isVisibleTo(dialog)]
    assert helps == ["Or password when a user is set"]
    letters = [mnemonic_of(t) for _w, t in _shown_texts(dialog) if mnemonic_of(t)]
    assert len(letters) == len(set(letters)) == 4, letters  # the secret, Show, Sign in, Cancel
    assert dialog.secret_edit.echoMode() == dialog.secret_edit.EchoMode.Password
    dialog.show_button.click()
    assert dialog.secret_edit.echoMode() == dialog.secret_edit.EchoMode.Normal
    dialog.show_button.click()
    assert dialog.secret_edit.echoMode() == dialog.secret_edit.EchoMode.Password
    _assert_nothing_elided(dialog)


@pytest.mark.parametrize("scale", [1, 2])
def test_nothing_is_elided_at_360_px_and_at_twice_the_text_size(scale: int, qtbot: QtBot) -> None:
    """200 %: what QT_SCALE_FACTOR=2 does to the layout in logical pixels is the text twice as large
    against the same 360 px, i.e. 360 px at 2x the font is the same test as 720 device px at 2x."""
    font = QApplication.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    page = TargetsPage()
    qtbot.addWidget(page)
    page.setFont(font)
    page.set_target_kinds([MATRIX, *KINDS[1:]])
    page.set_targets([TargetInfo("team-room", "matrix", {}, is_main=True), FAILING])
    page.show()
    page.resize(360 * scale, max(page.minimumSizeHint().height(), 400 * scale))
    assert page.minimumSizeHint().width() <= 360 * scale
    qtbot.waitUntil(partial(_has_width, page, 360 * scale))
    _assert_nothing_elided(page)
    page.set_targets([])
    _assert_nothing_elided(page)
    for kind in (MATRIX, *KINDS[1:]):
        form = TargetForm([MATRIX, *KINDS[1:]], set())
        qtbot.addWidget(form)
        form.setFont(font)
        form.set_kind(kind.kind)
        form.show()
        form.resize(360 * scale, form.height())
        form.show_test_result(False, "The access token was refused by matrix.example.org (401)", "auth")
        assert form.minimumSizeHint().width() <= 360 * scale
        qtbot.waitUntil(partial(_has_width, form, 360 * scale))
        form.fit_height()
        _assert_nothing_elided(form)
