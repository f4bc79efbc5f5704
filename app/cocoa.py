"""The macOS calls of context capture, typed: the Objective-C runtime (NSWorkspace), CoreFoundation
strings and the Accessibility API (AXUIElement), all through ctypes.

Importable on every system: the frameworks load on first use, so tests hand `Cocoa` a fake loader.
objc_msgSend is called through one typed function pointer per return type (required on arm64).
The frontmost application needs no permission; its window title and selected text need the
Accessibility permission, which `accessibility_trusted` checks without prompting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int32, c_long, c_uint8, c_uint32, c_ulong, c_void_p
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctypes import _CFunctionType

    from app.ctypes_types import LibraryLoader, Prototype

    Senders = tuple[_CFunctionType, _CFunctionType, _CFunctionType]

K_CF_STRING_ENCODING_UTF8 = 0x08000100
K_AX_ERROR_SUCCESS = 0
LIBRARIES = ("objc", "AppKit", "CoreFoundation", "ApplicationServices")
PROTOTYPES: dict[str, dict[str, Prototype]] = {
    "objc": {
        "objc_getClass": (c_void_p, (c_char_p,)),
        "sel_registerName": (c_void_p, (c_char_p,)),
    },
    "CoreFoundation": {
        "CFStringCreateWithCString": (c_void_p, (c_void_p, c_char_p, c_uint32)),
        "CFStringGetCString": (c_uint8, (c_void_p, c_char_p, c_long, c_uint32)),
        "CFStringGetLength": (c_long, (c_void_p,)),
        "CFStringGetMaximumSizeForEncoding": (c_long, (c_long, c_uint32)),
        "CFStringGetTypeID": (c_ulong, ()),
        "CFGetTypeID": (c_ulong, (c_void_p,)),
        "CFRelease": (None, (c_void_p,)),
    },
    "ApplicationServices": {
        "AXIsProcessTrusted": (c_uint8, ()),
        "AXUIElementCreateApplication": (c_void_p, (c_int32,)),
        "AXUIElementCopyAttributeValue": (c_int32, (c_void_p, c_void_p, POINTER(c_void_p))),
    },
}
"""(restype, argtypes) per library; AppKit is loaded only so that NSWorkspace is registered."""
_SEND_ID = CFUNCTYPE(c_void_p, c_void_p, c_void_p)
_SEND_INT = CFUNCTYPE(c_int32, c_void_p, c_void_p)  # pid_t
_SEND_CSTR = CFUNCTYPE(c_char_p, c_void_p, c_void_p)


if sys.platform == "darwin":

    def _load(name: str) -> ctypes.CDLL:
        return ctypes.CDLL(ctypes.util.find_library(name))
else:

    def _load(name: str) -> ctypes.CDLL:
        raise OSError(f"{name} exists only on macOS")


class Cocoa:
    """The calls; `load(library)` is the real framework unless a test fakes it."""

    def __init__(self, load: LibraryLoader | None = None) -> None:
        self._load = load or _load
        self._libs: dict[str, ctypes.CDLL] = {}
        self._send: Senders | None = None

    def lib(self, name: str) -> ctypes.CDLL:
        if not self._libs:
            for library in LIBRARIES:
                lib = self._load(library)
                for function, (restype, argtypes) in PROTOTYPES.get(library, {}).items():
                    pointer = getattr(lib, function)
                    pointer.restype, pointer.argtypes = restype, argtypes
                self._libs[library] = lib
        return self._libs[name]

    def frontmost_application(self) -> tuple[int, str | None] | None:
        """(pid, localized name) of NSWorkspace.sharedWorkspace.frontmostApplication, or None."""
        objc = self.lib("objc")
        send_id, send_int, send_cstr = self._senders()
        workspace = send_id(objc.objc_getClass(b"NSWorkspace"), self._sel("sharedWorkspace"))
        app = send_id(workspace, self._sel("frontmostApplication")) if workspace else None
        if not app:
            return None
        pid = int(send_int(app, self._sel("processIdentifier")))
        name = send_id(app, self._sel("localizedName"))
        raw = send_cstr(name, self._sel("UTF8String")) if name else None
        return pid, raw.decode("utf-8", "replace") if raw else None

    def accessibility_trusted(self) -> bool:
        """AXIsProcessTrusted: whether this process may read other apps' windows (never prompts)."""
        return bool(self.lib("ApplicationServices").AXIsProcessTrusted())

    def focused_text(self, pid: int, path: tuple[str, ...]) -> str | None:
        """Follow AX attributes from the application element of `pid` ("AXFocusedWindow", "AXTitle")
        to a string, or None. Needs the Accessibility permission."""
        ax = self.lib("ApplicationServices")
        element = ax.AXUIElementCreateApplication(pid)
        held = [element] if element else []
        try:
            for attribute in path:
                if not element:
                    return None
                element = self._copy_attribute(element, attribute)
                if element:
                    held.append(element)
            return self._string(element) if element else None
        finally:
            for ref in held:
                self.lib("CoreFoundation").CFRelease(ref)

    def _copy_attribute(self, element: int, attribute: str) -> int | None:
        cf = self.lib("CoreFoundation")
        name = cf.CFStringCreateWithCString(None, attribute.encode(), K_CF_STRING_ENCODING_UTF8)
        try:
            value = c_void_p()
            error = self.lib("ApplicationServices").AXUIElementCopyAttributeValue(element, name, ctypes.byref(value))
            return value.value if error == K_AX_ERROR_SUCCESS else None
        finally:
            cf.CFRelease(name)

    def _string(self, ref: int) -> str | None:
        cf = self.lib("CoreFoundation")
        if cf.CFGetTypeID(ref) != cf.CFStringGetTypeID():
            return None
        size = int(cf.CFStringGetMaximumSizeForEncoding(cf.CFStringGetLength(ref), K_CF_STRING_ENCODING_UTF8)) + 1
        buffer = ctypes.create_string_buffer(size)
        if not cf.CFStringGetCString(ref, buffer, size, K_CF_STRING_ENCODING_UTF8):
            return None
        return buffer.value.decode("utf-8", "replace")

    def _sel(self, name: str) -> int:
        return int(self.lib("objc").sel_registerName(name.encode()))

    def _senders(self) -> Senders:
        if self._send is None:
            address = ctypes.cast(self.lib("objc").objc_msgSend, c_void_p).value
            if address is None:
                raise OSError("the Objective-C runtime has no objc_msgSend")
            self._send = (_SEND_ID(address), _SEND_INT(address), _SEND_CSTR(address))
        return self._send
