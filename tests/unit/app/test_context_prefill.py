"""The prefill rules: never Inflow's own text, only a selection that changed since the last capture and
is fresh (a fake clock and a fake selection source: the context each capture reads)."""

from __future__ import annotations

import pytest

from app.context_prefill import FRESH_S, PrefillGate
from ui.ports import CaptureContext


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(clock: Clock) -> PrefillGate:
    return PrefillGate(clock)


def selected(text: str) -> CaptureContext:
    return CaptureContext(selection=text, app_name="Firefox", window_title="Docs")


def test_a_fresh_new_selection_prefills_with_its_link(gate: PrefillGate, clock: Clock) -> None:
    gate.changed("selection")
    clock.now += 5
    admitted = gate.admit(selected("see https://example.org/a for more"))
    assert admitted.selection == "see https://example.org/a for more"
    assert admitted.url == "https://example.org/a"
    assert (admitted.app_name, admitted.window_title) == ("Firefox", "Docs")  # where it comes from stays


def test_a_selection_that_was_there_before_inflow_started_is_not_brought_in(gate: PrefillGate) -> None:
    assert gate.admit(selected("old text")).selection == ""


def test_a_stale_selection_is_not_brought_in(gate: PrefillGate, clock: Clock) -> None:
    gate.changed("selection")
    clock.now += FRESH_S + 1
    admitted = gate.admit(selected("selected long ago https://example.org/old"))
    assert (admitted.selection, admitted.url) == ("", None)


def test_the_same_selection_is_not_brought_in_twice(gate: PrefillGate, clock: Clock) -> None:
    gate.changed("selection")
    assert gate.admit(selected("once")).selection == "once"
    clock.now += 1
    assert gate.admit(selected("once")).selection == ""  # unchanged since the last capture
    gate.changed("selection")
    assert gate.admit(selected("twice")).selection == "twice"


def test_a_selection_seen_at_a_capture_is_not_fresh_later_even_if_unused(gate: PrefillGate, clock: Clock) -> None:
    gate.changed("selection")
    assert gate.admit(selected("mine"), own_selection=True).selection == ""
    clock.now += 2
    assert gate.admit(selected("mine")).selection == ""  # the same text, no change since


def test_inflows_own_selection_and_clipboard_are_never_context(gate: PrefillGate) -> None:
    gate.changed("selection")
    gate.changed("clipboard")
    context = CaptureContext(selection="search box text", clipboard="https://example.org/copied")
    admitted = gate.admit(context, own_selection=True, own_clipboard=True)
    assert (admitted.selection, admitted.clipboard, admitted.url) == ("", "", None)


def test_the_clipboard_follows_the_same_rules(gate: PrefillGate, clock: Clock) -> None:
    assert gate.admit(CaptureContext(clipboard="copied yesterday")).clipboard == ""
    gate.changed("clipboard")
    clock.now += 30
    admitted = gate.admit(CaptureContext(clipboard="copied https://example.org/b", selection="stale"))
    assert (admitted.selection, admitted.clipboard) == ("", "copied https://example.org/b")
    assert admitted.url == "https://example.org/b"  # the URL only from what may prefill


def test_a_live_selection_needs_no_change_signal_but_must_be_new(gate: PrefillGate) -> None:
    assert gate.admit(selected("highlighted now"), live_selection=True).selection == "highlighted now"
    assert gate.admit(selected("highlighted now"), live_selection=True).selection == ""
