"""Fakes of the C surfaces Inflow calls on Windows and macOS, for contract tests on Linux.

Each fake exports real C function pointers built from the functions' true signatures (written here
from Microsoft Learn and Apple's headers, independently of the modules under test). The module under
test then sets its own argtypes and restype on them, as it does on a real DLL, so every call is
marshalled by ctypes twice: a wrong width (a handle passed as a C int) or a missing restype shows.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int16, c_int32, c_long, c_uint8, c_uint32, c_ulong, c_void_p, c_wchar
from typing import Any

HIGH_HANDLE = 0x7FFF_1234_5678  # a handle that does not fit in 32 bits


class FakeLibrary:
    """Exported functions by name; `calls` records (name, args) in order."""

    def __init__(self, functions: dict[str, tuple[Any, tuple[Any, ...], Callable[..., Any]]]) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._keep: list[Any] = []
        for name, (restype, argtypes, impl) in functions.items():
            callback = CFUNCTYPE(restype, *argtypes)(self._recording(name, impl))
            self._keep.append(callback)
            # An untyped pointer, as a DLL export is before its prototype is set.
            address = ctypes.cast(callback, c_void_p).value
            assert address is not None
            exported = CFUNCTYPE(None)(address)
            setattr(self, name, exported)

    def _recording(self, name: str, impl: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self.calls.append((name, args))
            return impl(*args)

        return call

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def _write_wide(address: int, text: str, capacity: int) -> int:
    text = text[: capacity - 1]
    buffer = (c_wchar * capacity).from_address(address)
    for index, char in enumerate(text):
        buffer[index] = char
    buffer[len(text)] = "\0"
    return len(text)


class FakeWindows:
    """user32 and kernel32 as far as Inflow uses them, with one foreground window."""

    def __init__(self) -> None:
        self.hotkeys: dict[tuple[int | None, int], tuple[int, int]] = {}
        self.taken: set[tuple[int, int]] = set()  # (modifiers without MOD_NOREPEAT, vk) held by another program
        self.error = 0
        self.foreground: int | None = HIGH_HANDLE
        self.title = "Quarterly report – Excel"
        self.pid = 4242
        self.image = r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE"
        self.open_handles: set[int] = set()
        self.layout = {";": 0xBA, ",": 0xBC, "-": 0xBD}
        self.user32 = FakeLibrary({
            "RegisterHotKey": (c_int32, (c_void_p, c_int32, c_uint32, c_uint32), self._register),
            "UnregisterHotKey": (c_int32, (c_void_p, c_int32), self._unregister),
            "VkKeyScanW": (c_int16, (c_wchar,), lambda char: self.layout.get(char, -1)),
            "GetForegroundWindow": (c_void_p, (), lambda: self.foreground),
            "GetWindowTextW": (c_int32, (c_void_p, c_void_p, c_int32), self._window_text),
            "GetWindowThreadProcessId": (c_uint32, (c_void_p, POINTER(c_uint32)), self._thread_process),
        })  # fmt: skip
        self.kernel32 = FakeLibrary({
            "OpenProcess": (c_void_p, (c_uint32, c_int32, c_uint32), self._open_process),
            "QueryFullProcessImageNameW": (c_int32, (c_void_p, c_uint32, c_void_p, POINTER(c_uint32)), self._image),
            "CloseHandle": (c_int32, (c_void_p,), self._close),
        })  # fmt: skip

    def load(self, name: str) -> FakeLibrary:
        return {"user32": self.user32, "kernel32": self.kernel32}[name]

    def last_error(self) -> int:
        return self.error

    def _register(self, hwnd: int | None, hotkey_id: int, modifiers: int, vk: int) -> int:
        if (modifiers & ~0x4000, vk) in self.taken:
            self.error = 1409
            return 0
        self.hotkeys[(hwnd, hotkey_id)] = (modifiers, vk)
        return 1

    def _unregister(self, hwnd: int | None, hotkey_id: int) -> int:
        return 1 if self.hotkeys.pop((hwnd, hotkey_id), None) else 0

    def _window_text(self, hwnd: int | None, buffer: int, capacity: int) -> int:
        return _write_wide(buffer, self.title, capacity) if hwnd == self.foreground else 0

    def _thread_process(self, hwnd: int | None, pid: Any) -> int:
        if hwnd != self.foreground:
            return 0
        pid[0] = self.pid
        return 77

    def _open_process(self, access: int, inherit: int, pid: int) -> int | None:
        if access != 0x1000 or inherit or pid != self.pid:
            return None
        handle = HIGH_HANDLE + 0x10
        self.open_handles.add(handle)
        return handle

    def _image(self, process: int | None, flags: int, buffer: int, size: Any) -> int:
        if process not in self.open_handles or flags != 0:
            return 0
        size[0] = _write_wide(buffer, self.image, size[0])
        return 1

    def _close(self, handle: int | None) -> int:
        self.open_handles.discard(handle or 0)
        return 1


class EventHotKeyID(ctypes.Structure):
    _fields_ = (("signature", c_uint32), ("id", c_uint32))


class EventTypeSpec(ctypes.Structure):
    _fields_ = (("eventClass", c_uint32), ("eventKind", c_uint32))


TARGET = 0x6000_0000_0A11
_PROC = CFUNCTYPE(c_int32, c_void_p, c_void_p, c_void_p)


class FakeCarbon:
    """The Carbon Event Manager's hotkey calls; `press` dispatches like the main run loop would."""

    def __init__(self) -> None:
        self.handlers: dict[int, tuple[int, list[tuple[int, int]]]] = {}  # ref -> (proc address, specs)
        self.hotkeys: dict[int, tuple[int, int, int, int]] = {}  # ref -> (keycode, modifiers, signature, id)
        self.taken: set[tuple[int, int]] = set()
        self._events: dict[int, tuple[int, int]] = {}
        self._next = 0x7000_0000_0000
        self.lib = FakeLibrary({
            "GetApplicationEventTarget": (c_void_p, (), lambda: TARGET),
            "InstallEventHandler": (
                c_int32, (c_void_p, c_void_p, c_ulong, POINTER(EventTypeSpec), c_void_p, POINTER(c_void_p)),
                self._install,
            ),
            "RemoveEventHandler": (c_int32, (c_void_p,), lambda ref: 0 if self.handlers.pop(ref, None) else -50),
            "RegisterEventHotKey": (
                c_int32, (c_uint32, c_uint32, EventHotKeyID, c_void_p, c_uint32, POINTER(c_void_p)), self._register,
            ),
            "UnregisterEventHotKey": (c_int32, (c_void_p,), lambda ref: 0 if self.hotkeys.pop(ref, None) else -50),
            "GetEventParameter": (
                c_int32, (c_void_p, c_uint32, c_uint32, c_void_p, c_ulong, c_void_p, c_void_p), self._parameter,
            ),
        })  # fmt: skip

    def load(self) -> FakeLibrary:
        return self.lib

    def _ref(self) -> int:
        self._next += 0x10
        return self._next

    def _install(self, target: int | None, proc: int | None, count: int, specs: Any, _data: Any, out: Any) -> int:
        if target != TARGET or not proc:
            return -50  # paramErr
        ref = self._ref()
        self.handlers[ref] = (proc, [(specs[i].eventClass, specs[i].eventKind) for i in range(count)])
        out[0] = ref
        return 0

    def _register(self, keycode: int, modifiers: int, hotkey: Any, target: int | None, options: int, out: Any) -> int:  # noqa: PLR0917 - the C signature
        if target != TARGET or options != 0:
            return -50
        if (keycode, modifiers) in self.taken:
            return -9878
        ref = self._ref()
        self.hotkeys[ref] = (keycode, modifiers, hotkey.signature, hotkey.id)
        out[0] = ref
        return 0

    def _parameter(
        self, event: int | None, name: int, kind: int, _actual: Any, size: int, _out_size: Any, out: int
    ) -> int:
        if name != int.from_bytes(b"----", "big") or kind != int.from_bytes(b"hkid", "big") or size != 8:
            return -9870  # eventParameterNotFoundErr
        signature, hotkey_id = self._events[event or 0]
        EventHotKeyID.from_address(out).signature = signature
        EventHotKeyID.from_address(out).id = hotkey_id
        return 0

    def press(self, keycode: int, modifiers: int) -> list[int]:
        """Deliver kEventHotKeyPressed for the registration of this key to every handler: their statuses."""
        matches = [(sig, hid) for code, mods, sig, hid in self.hotkeys.values() if (code, mods) == (keycode, modifiers)]
        statuses = []
        for signature, hotkey_id in matches:
            event = self._ref()
            self._events[event] = (signature, hotkey_id)
            for proc, specs in list(self.handlers.values()):
                if (int.from_bytes(b"keyb", "big"), 5) in specs:
                    statuses.append(_PROC(proc)(0x1, event, 0))
        return statuses


class FakeCocoa:
    """The Objective-C runtime, CoreFoundation strings and the Accessibility API, with one front app."""

    def __init__(self) -> None:
        self.pid = 501
        self.name = "Safari"
        self.trusted = False
        self.has_front_app = True
        self.ax = {("AXFocusedWindow",): "Apple – Start Page", ("AXFocusedUIElement",): "the selected words"}
        self.released: list[int] = []
        self._strings: dict[int, bytes] = {}
        self._selectors: dict[bytes, int] = {}
        self._elements: dict[int, str] = {}
        self._keep: list[Any] = []
        self.objc = FakeLibrary({
            "objc_getClass": (c_void_p, (c_char_p,), lambda name: 0x1000 if name == b"NSWorkspace" else None),
            "sel_registerName": (c_void_p, (c_char_p,), self._selector),
            "objc_msgSend": (c_void_p, (c_void_p, c_void_p), self._send),
        })  # fmt: skip
        self.cf = FakeLibrary({
            "CFStringCreateWithCString": (c_void_p, (c_void_p, c_char_p, c_uint32), self._create_string),
            "CFStringGetCString": (c_uint8, (c_void_p, c_void_p, c_long, c_uint32), self._get_cstring),
            "CFStringGetLength": (c_long, (c_void_p,), lambda ref: len(self._strings[ref].decode())),
            "CFStringGetMaximumSizeForEncoding": (c_long, (c_long, c_uint32), lambda length, _enc: length * 4),
            "CFStringGetTypeID": (c_ulong, (), lambda: 7),
            "CFGetTypeID": (c_ulong, (c_void_p,), lambda ref: 7 if ref in self._strings else 9),
            "CFRelease": (None, (c_void_p,), self.released.append),
        })  # fmt: skip
        self.ax_lib = FakeLibrary({
            "AXIsProcessTrusted": (c_uint8, (), lambda: int(self.trusted)),
            "AXUIElementCreateApplication": (c_void_p, (c_int32,), lambda pid: 0x5000 if pid == self.pid else None),
            "AXUIElementCopyAttributeValue": (c_int32, (c_void_p, c_void_p, POINTER(c_void_p)), self._copy_attribute),
        })  # fmt: skip

    def load(self, name: str) -> Any:
        libraries = {
            "objc": self.objc,
            "AppKit": object(),
            "CoreFoundation": self.cf,
            "ApplicationServices": self.ax_lib,
        }
        return libraries[name]

    def _selector(self, name: bytes) -> int:
        return self._selectors.setdefault(name, 0x9000 + len(self._selectors))

    def _string(self, text: str) -> int:
        ref = 0x2_0000_0000 + len(self._strings) * 0x10
        self._strings[ref] = text.encode()
        return ref

    def _send(self, receiver: int | None, selector: int | None) -> int | None:
        name = next(key for key, value in self._selectors.items() if value == selector)
        if (receiver, name) == (0x1000, b"sharedWorkspace"):
            return 0x1100
        if (receiver, name) == (0x1100, b"frontmostApplication"):
            return 0x1200 if self.has_front_app else None
        if (receiver, name) == (0x1200, b"processIdentifier"):
            return self.pid
        if (receiver, name) == (0x1200, b"localizedName"):
            return 0x1300
        if (receiver, name) == (0x1300, b"UTF8String"):
            buffer = ctypes.create_string_buffer(self.name.encode())
            self._keep.append(buffer)
            return ctypes.addressof(buffer)
        raise AssertionError(f"unexpected message {name!r} to {receiver:#x}")

    def _create_string(self, _allocator: Any, text: bytes, encoding: int) -> int:
        assert encoding == 0x08000100
        return self._string(text.decode())

    def _get_cstring(self, ref: int | None, buffer: int, size: int, encoding: int) -> int:
        data = self._strings[ref or 0]
        if encoding != 0x08000100 or len(data) + 1 > size:
            return 0
        ctypes.memmove(buffer, data + b"\0", len(data) + 1)
        return 1

    def _copy_attribute(self, element: int | None, name: int | None, out: Any) -> int:
        attribute = self._strings[name or 0].decode()
        if element == 0x5000 and (attribute,) in self.ax:
            out[0] = 0x5100 + len(attribute)  # a window or a UI element
            self._elements[out[0]] = self.ax[(attribute,)]
            return 0
        if element in self._elements and attribute in ("AXTitle", "AXSelectedText"):
            out[0] = self._string(self._elements[element])
            return 0
        return -25212  # kAXErrorNoValue
