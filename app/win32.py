"""Every Win32 call Inflow makes (hotkey and context), behind ctypes prototypes in one place.

Importable on every system: user32 and kernel32 load on first use (`ctypes.WinDLL` exists only on
Windows), so tests hand `Win32` a fake loader. Types are spelled with fixed widths rather than taken
from `ctypes.wintypes`, whose DWORD and BOOL are C longs (8 bytes off Windows): handles and WPARAM/
LPARAM are pointer-sized, strings are wide (the `W` functions). Signatures from Microsoft Learn.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from ctypes import POINTER, c_int16, c_int32, c_size_t, c_ssize_t, c_uint32, c_void_p, c_wchar, c_wchar_p
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ctypes_types import LibraryLoader, Prototype

BOOL = c_int32
INT = c_int32
UINT = c_uint32
DWORD = c_uint32
SHORT = c_int16
HANDLE = c_void_p
HWND = c_void_p
WPARAM = c_size_t  # UINT_PTR
LPARAM = c_ssize_t  # LONG_PTR
LPWSTR = c_wchar_p

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x0001, 0x0002, 0x0004, 0x0008, 0x4000
WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_MAX_PATH_CHARS = 32768  # the longest path Windows has (\\?\ prefixed)
_MAX_TITLE_CHARS = 4096


class POINT(ctypes.Structure):
    _fields_ = (("x", c_int32), ("y", c_int32))


class MSG(ctypes.Structure):
    """winuser.h MSG: 48 bytes on 64-bit Windows (message at 8, wParam 16, lParam 24, time 32, pt 36)."""

    _fields_ = (("hwnd", HWND), ("message", UINT), ("wParam", WPARAM), ("lParam", LPARAM), ("time", DWORD),
                ("pt", POINT))  # fmt: skip


PROTOTYPES: dict[str, dict[str, Prototype]] = {
    "user32": {
        "RegisterHotKey": (BOOL, (HWND, INT, UINT, UINT)),
        "UnregisterHotKey": (BOOL, (HWND, INT)),
        "VkKeyScanW": (SHORT, (c_wchar,)),
        "GetForegroundWindow": (HWND, ()),
        "GetWindowTextW": (INT, (HWND, LPWSTR, INT)),
        "GetWindowThreadProcessId": (DWORD, (HWND, POINTER(DWORD))),
    },
    "kernel32": {
        "OpenProcess": (HANDLE, (DWORD, BOOL, DWORD)),
        "QueryFullProcessImageNameW": (BOOL, (HANDLE, DWORD, LPWSTR, POINTER(DWORD))),
        "CloseHandle": (BOOL, (HANDLE,)),
    },
}
"""(restype, argtypes) of each function, per DLL."""

if sys.platform == "win32":

    def _load(name: str) -> ctypes.CDLL:
        return ctypes.WinDLL(name, use_last_error=True)

    _last_error: Callable[[], int] = ctypes.get_last_error
else:

    def _load(name: str) -> ctypes.CDLL:
        raise OSError(f"{name}.dll exists only on Windows")

    def _last_error() -> int:
        return 0


def read_msg(address: int) -> MSG:
    """The MSG a native event filter is handed (its `message` argument, as an address)."""
    return MSG.from_address(address)


class Win32:
    """The calls, typed; `load(dll_name)` and `last_error()` are ctypes' own unless a test fakes them."""

    def __init__(self, load: LibraryLoader | None = None, last_error: Callable[[], int] | None = None) -> None:
        self._load = load or _load
        self._last_error = last_error or _last_error
        self._dlls: dict[str, ctypes.CDLL] = {}

    def dll(self, name: str) -> ctypes.CDLL:
        """user32 or kernel32, loaded on first use with every prototype of PROTOTYPES set."""
        if name not in self._dlls:
            dll = self._load(name)
            for function, (restype, argtypes) in PROTOTYPES[name].items():
                pointer = getattr(dll, function)
                pointer.restype, pointer.argtypes = restype, argtypes
            self._dlls[name] = dll
        return self._dlls[name]

    # ------------------------------------------------------------------ hotkey

    def register_hotkey(self, hwnd: int | None, hotkey_id: int, modifiers: int, vk: int) -> int:
        """RegisterHotKey: 0 when it is registered, else the Win32 error code."""
        if self.dll("user32").RegisterHotKey(hwnd, hotkey_id, modifiers, vk):
            return 0
        return self._last_error() or -1

    def unregister_hotkey(self, hwnd: int | None, hotkey_id: int) -> bool:
        return bool(self.dll("user32").UnregisterHotKey(hwnd, hotkey_id))

    def virtual_key(self, char: str) -> int | None:
        """The virtual-key code that types `char` on the current keyboard layout (VkKeyScanW), or None."""
        code = int(self.dll("user32").VkKeyScanW(char))
        return None if code == -1 else code & 0xFF

    # ------------------------------------------------------------------ context

    def foreground_window(self) -> int | None:
        return self.dll("user32").GetForegroundWindow() or None

    def window_title(self, hwnd: int) -> str:
        """GetWindowTextW: another process's window is not sent WM_GETTEXT, so a hung app cannot block it."""
        buffer = ctypes.create_unicode_buffer(_MAX_TITLE_CHARS)
        length = int(self.dll("user32").GetWindowTextW(hwnd, buffer, _MAX_TITLE_CHARS))
        return buffer.value[:length]

    def window_process_id(self, hwnd: int) -> int:
        pid = DWORD(0)
        self.dll("user32").GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        return int(pid.value)

    def process_image(self, pid: int) -> str | None:
        """The full path of a process's executable (QueryFullProcessImageNameW), or None."""
        kernel32 = self.dll("kernel32")
        process = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not process:
            return None
        try:
            buffer = ctypes.create_unicode_buffer(_MAX_PATH_CHARS)
            size = DWORD(_MAX_PATH_CHARS)
            if not kernel32.QueryFullProcessImageNameW(process, 0, buffer, ctypes.byref(size)):
                return None
            return buffer.value[: size.value]
        finally:
            kernel32.CloseHandle(process)
