"""Windows hotkey and context against a fake user32/kernel32 (contract tests: not run on Windows)."""

from __future__ import annotations

import ctypes
from ctypes import c_char_p, c_void_p, c_wchar_p

import pytest
from PySide6.QtCore import QByteArray

from app import context_windows, win32
from app.hotkey import HotkeyError, create_hotkey_backend
from app.hotkey.windows import HOTKEY_ID, WindowsHotkey
from tests.unit.platforms.fakes import HIGH_HANDLE, FakeWindows

POINTER_SIZE = ctypes.sizeof(c_void_p)
HANDLE_ARGS = {  # (function, argument index) of every HWND/HANDLE, per the Microsoft Learn signatures
    ("RegisterHotKey", 0), ("UnregisterHotKey", 0), ("GetWindowTextW", 0), ("GetWindowThreadProcessId", 0),
    ("QueryFullProcessImageNameW", 0), ("CloseHandle", 0),
}  # fmt: skip


@pytest.fixture
def fake() -> FakeWindows:
    return FakeWindows()


@pytest.fixture
def api(fake: FakeWindows) -> win32.Win32:
    return win32.Win32(load=fake.load, last_error=fake.last_error)


def backend(api: win32.Win32) -> WindowsHotkey:
    return WindowsHotkey(api, window_handle=lambda: HIGH_HANDLE)


def test_every_prototype_is_set_with_windows_widths(fake: FakeWindows, api: win32.Win32) -> None:
    for dll_name, functions in win32.PROTOTYPES.items():
        dll = api.dll(dll_name)
        for name, (restype, argtypes) in functions.items():
            pointer = getattr(dll, name)
            assert pointer.restype is restype and tuple(pointer.argtypes) == argtypes, name
            assert restype is not None, f"{name} returns a value: its restype must be set"
            for index, argtype in enumerate(argtypes):
                assert argtype is not c_char_p, f"{name}: the W functions take wide strings"
                if (name, index) in HANDLE_ARGS:
                    assert ctypes.sizeof(argtype) == POINTER_SIZE == 8, f"{name} arg {index} is a handle"
    assert win32.PROTOTYPES["user32"]["GetForegroundWindow"][0] is c_void_p
    assert win32.PROTOTYPES["kernel32"]["OpenProcess"][0] is c_void_p
    assert win32.PROTOTYPES["user32"]["GetWindowTextW"][1][1] is c_wchar_p
    assert win32.PROTOTYPES["kernel32"]["QueryFullProcessImageNameW"][1][2] is c_wchar_p
    assert ctypes.sizeof(win32.DWORD) == ctypes.sizeof(win32.BOOL) == ctypes.sizeof(win32.UINT) == 4
    assert ctypes.sizeof(win32.WPARAM) == ctypes.sizeof(win32.LPARAM) == 8


def test_msg_has_the_64_bit_layout() -> None:
    assert ctypes.sizeof(win32.MSG) == 48
    offsets = {name: getattr(win32.MSG, name).offset for name in ("message", "wParam", "lParam", "time", "pt")}
    assert offsets == {"message": 8, "wParam": 16, "lParam": 24, "time": 32, "pt": 36}


def test_nothing_is_loaded_off_windows() -> None:
    with pytest.raises(OSError, match="only on Windows"):
        win32.Win32().dll("user32")


def test_register_passes_the_window_modifiers_norepeat_and_key(
    qapp: object, fake: FakeWindows, api: win32.Win32
) -> None:
    hotkey = backend(api)
    hotkey.register("Ctrl+Alt+J")
    assert fake.hotkeys == {(HIGH_HANDLE, HOTKEY_ID): (0x0002 | 0x0001 | 0x4000, ord("J"))}
    assert hotkey.state() == "windows: Ctrl+Alt+J registered"
    hotkey.register("Meta+Shift+F5")  # replaces the first one
    assert fake.hotkeys == {(HIGH_HANDLE, HOTKEY_ID): (0x0008 | 0x0004 | 0x4000, 0x74)}
    hotkey.register("Ctrl+Alt+;")  # punctuation: the layout's key for the character
    assert fake.hotkeys[(HIGH_HANDLE, HOTKEY_ID)][1] == 0xBA
    hotkey.close()
    assert fake.hotkeys == {}
    assert fake.user32.names().count("UnregisterHotKey") == 3


def test_wm_hotkey_through_the_native_event_filter_activates(qapp: object, api: win32.Win32) -> None:
    hotkey = backend(api)
    hotkey.register("Ctrl+Alt+J")
    pressed: list[bool] = []
    hotkey.activated.connect(lambda: pressed.append(True))
    event_filter = hotkey._filter
    assert event_filter is not None

    def deliver(kind: bytes, message: int, wparam: int) -> object:
        msg = win32.MSG(hwnd=HIGH_HANDLE, message=message, wParam=wparam, lParam=(ord("J") << 16) | 0x0003)
        return event_filter.nativeEventFilter(QByteArray(kind), ctypes.addressof(msg))

    assert deliver(b"windows_generic_MSG", win32.WM_HOTKEY, HOTKEY_ID) == (True, 0)
    assert deliver(b"windows_dispatcher_MSG", win32.WM_HOTKEY, HOTKEY_ID) == (True, 0)
    assert deliver(b"windows_generic_MSG", win32.WM_HOTKEY, HOTKEY_ID + 1) == (False, 0)  # someone else's id
    assert deliver(b"windows_generic_MSG", 0x0100, HOTKEY_ID) == (False, 0)  # WM_KEYDOWN
    assert deliver(b"xcb_generic_event_t", win32.WM_HOTKEY, HOTKEY_ID) == (False, 0)
    assert pressed == [True, True]
    hotkey.unregister()
    assert deliver(b"windows_generic_MSG", win32.WM_HOTKEY, HOTKEY_ID) == (False, 0)
    assert pressed == [True, True]
    hotkey.close()


def test_a_combination_held_by_another_program_is_a_clear_error(
    qapp: object, fake: FakeWindows, api: win32.Win32
) -> None:
    fake.taken.add((0x0003, ord("J")))
    hotkey = backend(api)
    with pytest.raises(HotkeyError) as caught:
        hotkey.register("Ctrl+Alt+J")
    assert str(caught.value) == "Ctrl+Alt+J is already in use by another program. Pick another shortcut in Settings."
    assert hotkey.state() == "windows: not registered (Ctrl+Alt+J is taken by another program)"
    assert hotkey._filter is None  # nothing registered: no filter either
    hotkey.register("Ctrl+Alt+K")
    assert hotkey.state() == "windows: Ctrl+Alt+K registered"
    hotkey.close()


def test_f12_and_keys_the_layout_lacks_are_refused_before_any_call(
    qapp: object, fake: FakeWindows, api: win32.Win32
) -> None:
    hotkey = backend(api)
    with pytest.raises(HotkeyError, match="F12 is reserved for debuggers"):
        hotkey.register("Ctrl+Alt+F12")
    with pytest.raises(HotkeyError, match="cannot be typed on this keyboard layout"):
        hotkey.register("Ctrl+Alt+`")
    assert "RegisterHotKey" not in fake.user32.names()


def test_create_hotkey_backend_picks_the_windows_and_macos_backends(qapp: object) -> None:
    from app.hotkey.macos import MacHotkey

    windows, mac = create_hotkey_backend("windows"), create_hotkey_backend("cocoa")
    assert isinstance(windows, WindowsHotkey) and isinstance(mac, MacHotkey)
    assert (windows.state(), mac.state()) == ("windows: not registered", "macos: not registered")
    windows.close()
    mac.close()


def test_context_is_the_foreground_title_and_image_name(fake: FakeWindows, api: win32.Win32) -> None:
    assert context_windows.active_window(api) == ("Quarterly report – Excel", "EXCEL.EXE")
    assert fake.open_handles == set()  # the process handle is closed again
    query = dict(fake.kernel32.calls)["OpenProcess"]
    assert query == (0x1000, 0, 4242)  # PROCESS_QUERY_LIMITED_INFORMATION, not inheritable


def test_context_without_a_foreground_window_or_from_inflow_itself(fake: FakeWindows, api: win32.Win32) -> None:
    import os

    fake.foreground = None
    assert context_windows.active_window(api) == (None, None)
    fake.foreground, fake.pid = HIGH_HANDLE, os.getpid()
    assert context_windows.active_window(api) == (None, None)


def test_context_off_windows_is_empty_not_an_error() -> None:
    assert context_windows.active_window(win32.Win32()) == (None, None)
