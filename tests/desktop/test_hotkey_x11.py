"""The X11 global hotkey against a real X server, driven by xdotool (XTEST)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from Xlib import XK, X, error

from app.hotkey import HotkeyError, create_hotkey_backend
from app.hotkey.x11 import X11Hotkey, _mask_of

pytestmark = pytest.mark.x11


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


@pytest.fixture
def hotkey() -> Iterator[X11Hotkey]:
    backend = X11Hotkey()
    yield backend
    backend.close()


def press_and_expect(qtbot: QtBot, backend: X11Hotkey, keys: str) -> None:
    """Press `keys`; `activated` must come exactly once."""
    seen: list[int] = []
    backend.activated.connect(lambda: seen.append(1))
    with qtbot.waitSignal(backend.activated, timeout=2000):
        xdotool("key", keys)
    qtbot.wait(150)
    assert len(seen) == 1


@pytest.fixture
def lock_key(xdisplay: Any) -> Iterator[Any]:
    """Turn a lock key on for the test (asserting the server sees it) and off again afterwards."""
    toggled: list[str] = []

    def turn_on(keysym: str, mask: int) -> None:
        xdotool("key", keysym)
        toggled.append(keysym)
        state = xdisplay.screen().root.query_pointer().mask
        assert state & mask, f"{keysym} did not latch"

    yield turn_on
    for keysym in toggled:
        xdotool("key", keysym)


def test_factory_picks_x11_on_xcb(qapp: Any) -> None:
    backend = create_hotkey_backend(qapp.platformName())
    try:
        assert backend.name == "x11"
        assert backend.state() == "x11: not registered"
    finally:
        backend.close()


def test_press_emits_once(qtbot: QtBot, hotkey: X11Hotkey) -> None:
    hotkey.register("Ctrl+Alt+J")
    assert hotkey.state() == "x11: Ctrl+Alt+J grabbed"
    press_and_expect(qtbot, hotkey, "ctrl+alt+j")


def test_fires_with_numlock_on(qtbot: QtBot, hotkey: X11Hotkey, lock_key: Any, xdisplay: Any) -> None:
    numlock = _mask_of(xdisplay, ("Num_Lock",))
    assert numlock, "NumLock is not a modifier on this server"
    hotkey.register("Ctrl+Alt+J")
    lock_key("Num_Lock", numlock)
    press_and_expect(qtbot, hotkey, "ctrl+alt+j")


def test_fires_with_capslock_and_numlock_on(qtbot: QtBot, hotkey: X11Hotkey, lock_key: Any, xdisplay: Any) -> None:
    hotkey.register("Ctrl+Alt+J")
    lock_key("Caps_Lock", X.LockMask)
    press_and_expect(qtbot, hotkey, "ctrl+alt+j")
    lock_key("Num_Lock", _mask_of(xdisplay, ("Num_Lock",)))
    press_and_expect(qtbot, hotkey, "ctrl+alt+j")


def test_held_key_emits_once(qtbot: QtBot, hotkey: X11Hotkey) -> None:
    seen: list[int] = []
    hotkey.activated.connect(lambda: seen.append(1))
    hotkey.register("Ctrl+Alt+J")
    xdotool("keydown", "ctrl+alt+j")
    try:
        qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
        qtbot.wait(900)  # the server's auto-repeat starts after ~660 ms
    finally:
        xdotool("keyup", "ctrl+alt+j")
    qtbot.wait(100)
    assert len(seen) == 1


def test_combo_taken_by_another_client(qtbot: QtBot, hotkey: X11Hotkey, xdisplay: Any) -> None:
    keycode = xdisplay.keysym_to_keycode(XK.string_to_keysym("k"))
    root = xdisplay.screen().root
    root.grab_key(keycode, X.ControlMask | X.Mod1Mask, False, X.GrabModeAsync, X.GrabModeAsync)
    xdisplay.sync()

    with pytest.raises(HotkeyError, match=r"Ctrl\+Alt\+K is already in use by another program"):
        hotkey.register("Ctrl+Alt+K")
    assert hotkey.state() == "x11: not registered (Ctrl+Alt+K is taken by another program)"

    # The partial grabs (the lock variants) were released: the other program can take them all.
    catcher = error.CatchError(error.BadAccess)
    root.grab_key(
        keycode,
        X.ControlMask | X.Mod1Mask | X.LockMask,
        False,
        X.GrabModeAsync,
        X.GrabModeAsync,
        onerror=catcher,
    )
    xdisplay.sync()
    assert catcher.get_error() is None

    # Still alive: another shortcut works.
    hotkey.register("Ctrl+Alt+J")
    press_and_expect(qtbot, hotkey, "ctrl+alt+j")


def test_second_instance_cannot_take_the_same_combo(qtbot: QtBot, hotkey: X11Hotkey) -> None:
    hotkey.register("Ctrl+Alt+J")
    other = X11Hotkey()
    try:
        with pytest.raises(HotkeyError, match="already in use"):
            other.register("Ctrl+Alt+J")
        other.register("Ctrl+Shift+F9")
        assert other.state() == "x11: Ctrl+Shift+F9 grabbed"
    finally:
        other.close()
    press_and_expect(qtbot, hotkey, "ctrl+alt+j")


def test_unregister_then_register_another(qtbot: QtBot, hotkey: X11Hotkey) -> None:
    hotkey.register("Ctrl+Alt+J")
    hotkey.unregister()
    assert hotkey.state() == "x11: not registered"
    with qtbot.assertNotEmitted(hotkey.activated, wait=400):
        xdotool("key", "ctrl+alt+j")

    hotkey.register("Meta+F8")
    press_and_expect(qtbot, hotkey, "super+F8")
    with qtbot.assertNotEmitted(hotkey.activated, wait=300):
        xdotool("key", "ctrl+alt+j")


def test_register_replaces_previous(qtbot: QtBot, hotkey: X11Hotkey) -> None:
    hotkey.register("Ctrl+Alt+J")
    hotkey.register("Ctrl+Alt+Space")
    with qtbot.assertNotEmitted(hotkey.activated, wait=300):
        xdotool("key", "ctrl+alt+j")
    press_and_expect(qtbot, hotkey, "ctrl+alt+space")


def test_invalid_sequence_keeps_nothing_grabbed(hotkey: X11Hotkey) -> None:
    with pytest.raises(HotkeyError, match="no modifier"):
        hotkey.register("J")
    assert hotkey.state() == "x11: not registered"


def test_latency(qtbot: QtBot, hotkey: X11Hotkey, xdisplay: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Measured, not asserted: xdotool (a process start) and in-process XTEST to `activated`."""
    from Xlib.ext import xtest

    hotkey.register("Ctrl+Alt+J")
    times: dict[str, list[float]] = {"xdotool": [], "xtest": []}
    codes = [xdisplay.keysym_to_keycode(XK.string_to_keysym(k)) for k in ("Control_L", "Alt_L", "j")]
    for _ in range(10):
        start = time.perf_counter()
        with qtbot.waitSignal(hotkey.activated, timeout=2000):
            xdotool("key", "ctrl+alt+j")
        times["xdotool"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with qtbot.waitSignal(hotkey.activated, timeout=2000):
            for code in codes:
                xtest.fake_input(xdisplay, X.KeyPress, code)
            for code in reversed(codes):
                xtest.fake_input(xdisplay, X.KeyRelease, code)
            xdisplay.flush()
        times["xtest"].append(time.perf_counter() - start)
    with capsys.disabled():
        for what, values in times.items():
            print(f"\nhotkey latency via {what}: median {sorted(values)[len(values) // 2] * 1000:.1f} ms")
