"""macOS hotkey and context against a fake Carbon and Objective-C runtime (contract tests: not run on a Mac)."""

from __future__ import annotations

import ctypes
import os
from ctypes import c_void_p

import pytest

from app import carbon, cocoa, context_macos
from app.hotkey import HotkeyError
from app.hotkey.macos import HOTKEY_ID, SIGNATURE, MacHotkey
from tests.unit.platforms.fakes import FakeCarbon, FakeCocoa

CMD, SHIFT, OPTION, CONTROL = 256, 512, 2048, 4096  # Events.h cmdKey, shiftKey, optionKey, controlKey
KVK_ANSI_J, KVK_F5 = 0x26, 0x60


@pytest.fixture
def fake() -> FakeCarbon:
    return FakeCarbon()


def backend(fake: FakeCarbon) -> MacHotkey:
    return MacHotkey(carbon.Carbon(load=fake.load))


def test_every_carbon_prototype_is_set(fake: FakeCarbon) -> None:
    lib = carbon.Carbon(load=fake.load).lib()
    for name, (restype, argtypes) in carbon.PROTOTYPES.items():
        pointer = getattr(lib, name)
        assert pointer.restype is restype is not None and tuple(pointer.argtypes) == argtypes, name
    assert ctypes.sizeof(carbon.EventHotKeyID) == 8  # passed by value
    assert carbon.PROTOTYPES["RegisterEventHotKey"][1][2] is carbon.EventHotKeyID
    assert ctypes.sizeof(carbon.ItemCount) == ctypes.sizeof(carbon.ByteCount) == ctypes.sizeof(c_void_p)
    assert (carbon.four_cc("keyb"), carbon.EVENT_HOT_KEY_EXISTS_ERR) == (0x6B657962, -9878)


def test_register_and_a_press_on_the_run_loop_activates(qapp: object, fake: FakeCarbon) -> None:
    hotkey = backend(fake)
    pressed: list[bool] = []
    hotkey.activated.connect(lambda: pressed.append(True))
    hotkey.register("Ctrl+Alt+J")  # Qt's Ctrl is the Command key on macOS
    assert list(fake.hotkeys.values()) == [(KVK_ANSI_J, CMD | OPTION, SIGNATURE, HOTKEY_ID)]
    assert [specs for _, specs in fake.handlers.values()] == [[(0x6B657962, 5)]]  # keyboard, hot key pressed
    assert hotkey.state() == "macos: Ctrl+Alt+J registered"
    assert fake.press(KVK_ANSI_J, CMD | OPTION) == [carbon.NO_ERR]
    assert pressed == [True]
    hotkey.register("Meta+Shift+F5")  # replaces it; Meta is the Control key
    assert list(fake.hotkeys.values()) == [(KVK_F5, CONTROL | SHIFT, SIGNATURE, HOTKEY_ID)]
    assert len(fake.handlers) == 1  # one handler for the backend's life
    assert fake.press(KVK_ANSI_J, CMD | OPTION) == []
    hotkey.close()
    assert (fake.hotkeys, fake.handlers) == ({}, {})


def test_another_apps_hotkey_is_passed_on(qapp: object, fake: FakeCarbon) -> None:
    hotkey = backend(fake)
    hotkey.register("Ctrl+Alt+J")
    pressed: list[bool] = []
    hotkey.activated.connect(lambda: pressed.append(True))
    status, _ref = carbon.Carbon(load=fake.load).register_hotkey(0x28, CMD, carbon.four_cc("Othr"), 9)
    assert status == 0
    assert fake.press(0x28, CMD) == [carbon.EVENT_NOT_HANDLED_ERR]
    assert pressed == []
    hotkey.close()


def test_a_taken_combination_is_a_clear_error(qapp: object, fake: FakeCarbon) -> None:
    fake.taken.add((KVK_ANSI_J, CMD | OPTION))
    hotkey = backend(fake)
    with pytest.raises(HotkeyError) as caught:
        hotkey.register("Ctrl+Alt+J")
    assert str(caught.value) == "Ctrl+Alt+J is already in use by another program. Pick another shortcut in Settings."
    assert hotkey.state() == "macos: not registered (Ctrl+Alt+J is taken by another program)"
    hotkey.close()


def test_option_or_shift_only_and_unknown_keys_are_refused(qapp: object, fake: FakeCarbon) -> None:
    hotkey = backend(fake)
    with pytest.raises(HotkeyError, match=r"macOS 15 ignores .* add Ctrl \(⌘\) or Meta \(⌃\)"):
        hotkey.register("Alt+Shift+J")
    with pytest.raises(HotkeyError, match="no key on a Mac keyboard"):
        hotkey.register("Ctrl+Alt+Print")
    assert fake.lib.calls == []  # refused before Carbon is even loaded


def test_nothing_is_loaded_off_macos() -> None:
    with pytest.raises(OSError, match="only on macOS"):
        carbon.Carbon().lib()
    with pytest.raises(OSError, match="only on macOS"):
        cocoa.Cocoa().lib("objc")


def test_every_cocoa_prototype_is_set() -> None:
    fake = FakeCocoa()
    api = cocoa.Cocoa(load=fake.load)
    for library, functions in cocoa.PROTOTYPES.items():
        lib = api.lib(library)
        for name, (restype, argtypes) in functions.items():
            pointer = getattr(lib, name)
            assert pointer.restype is restype and tuple(pointer.argtypes) == argtypes, name


def test_context_is_the_frontmost_app_only_without_permission() -> None:
    fake = FakeCocoa()
    api = cocoa.Cocoa(load=fake.load)
    assert context_macos.frontmost(api) == (None, "Safari", "")
    assert "AXUIElementCreateApplication" not in fake.ax_lib.names()  # nothing read without the permission
    assert "Accessibility: turn on Inflow" in context_macos.accessibility_state(api)


def test_context_with_the_accessibility_permission_has_title_and_selection() -> None:
    fake = FakeCocoa()
    fake.trusted = True
    api = cocoa.Cocoa(load=fake.load)
    assert context_macos.frontmost(api) == ("Apple – Start Page", "Safari", "the selected words")
    created = [name for name, _ in fake.cf.calls if name == "CFStringCreateWithCString"]
    assert len(fake.released) >= len(created) + 2  # every attribute name, element and value is released
    assert "Accessibility granted" in context_macos.accessibility_state(api)


def test_context_of_inflow_itself_or_no_front_app_is_empty() -> None:
    fake = FakeCocoa()
    fake.pid = os.getpid()
    assert context_macos.frontmost(cocoa.Cocoa(load=fake.load)) == (None, None, "")
    fake = FakeCocoa()
    fake.has_front_app = False
    assert context_macos.frontmost(cocoa.Cocoa(load=fake.load)) == (None, None, "")
    assert context_macos.frontmost(cocoa.Cocoa()) == (None, None, "")  # off macOS: empty, no error
