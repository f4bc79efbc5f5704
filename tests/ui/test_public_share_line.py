"""A public target says "public" in the capture window's share line (the connector declares it; no kind names)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ui.capture import CaptureWindow
from ui.ports import SharingDefaults, TargetInfo

TARGETS = [
    TargetInfo("team-room", "matrix", {}, is_main=True),
    TargetInfo("fedi", "mastodon", {}, public=True),
]
DEFAULTS = SharingDefaults(by_kind={"tip": ("team-room",), "question": ("team-room",), "resource": ()})


def test_the_public_target_chip_and_its_tip_say_public(show_active: Callable[[QWidget], None]) -> None:
    capture = CaptureWindow()
    show_active(capture)
    capture.set_targets(TARGETS, DEFAULTS)
    chips = capture.share_picker.target_buttons
    assert chips["fedi"].text() == "fedi · public"
    assert "anyone on the internet can read it" in chips["fedi"].toolTip()
    assert chips["team-room"].text() == "team-room ★"


def test_the_menu_of_many_targets_says_public_when_one_is_chosen(show_active: Callable[[QWidget], None]) -> None:
    many = [TargetInfo(f"room-{n}", "matrix", {}) for n in range(6)] + [TargetInfo("fedi", "mastodon", {}, public=True)]
    capture = CaptureWindow()
    show_active(capture)
    capture.set_targets(many, SharingDefaults(by_kind={}))
    picker = capture.share_picker
    assert picker.menu_button is not None
    picker.choose(("fedi",))
    assert picker.menu_button.text() == "fedi · public ▾"
    picker.choose(("room-1",))
    assert picker.menu_button.text() == "room-1 ▾"
