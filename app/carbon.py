"""The Carbon Event Manager calls of the macOS hotkey (RegisterEventHotKey: no permission needed), typed.

Importable on every system: Carbon.framework loads on first use, so tests hand `Carbon` a fake
loader. Signatures and constants from HIToolbox's CarbonEvents.h and Events.h (MacTypes: OSStatus
SInt32; UInt32, OptionBits and OSType 32-bit; ItemCount and ByteCount unsigned long). Constants keep
the headers' names in upper case (EVENT_HOT_KEY_EXISTS_ERR is eventHotKeyExistsErr).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from ctypes import CFUNCTYPE, POINTER, Structure, c_int32, c_uint32, c_ulong, c_void_p
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctypes import _CFunctionType

    from app.ctypes_types import Prototype

OSStatus = c_int32
OSType = c_uint32
ItemCount = c_ulong
ByteCount = c_ulong


def four_cc(code: str) -> int:
    """A FourCharCode ('keyb') as its UInt32."""
    return int.from_bytes(code.encode("ascii"), "big")


NO_ERR = 0
EVENT_NOT_HANDLED_ERR = -9874
EVENT_HOT_KEY_EXISTS_ERR = -9878
EVENT_HOT_KEY_INVALID_ERR = -9879
K_EVENT_CLASS_KEYBOARD = four_cc("keyb")
K_EVENT_HOT_KEY_PRESSED = 5
K_EVENT_PARAM_DIRECT_OBJECT = four_cc("----")
TYPE_EVENT_HOT_KEY_ID = four_cc("hkid")
CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 1 << 8, 1 << 9, 1 << 11, 1 << 12


class EventHotKeyID(Structure):
    _fields_ = (("signature", OSType), ("id", c_uint32))


class EventTypeSpec(Structure):
    _fields_ = (("eventClass", OSType), ("eventKind", c_uint32))


EventHandlerProc = CFUNCTYPE(OSStatus, c_void_p, c_void_p, c_void_p)
"""OSStatus (*)(EventHandlerCallRef, EventRef, void *userData)."""

PROTOTYPES: dict[str, Prototype] = {
    "GetApplicationEventTarget": (c_void_p, ()),
    "InstallEventHandler": (
        OSStatus, (c_void_p, EventHandlerProc, ItemCount, POINTER(EventTypeSpec), c_void_p, POINTER(c_void_p)),
    ),
    "RemoveEventHandler": (OSStatus, (c_void_p,)),
    "RegisterEventHotKey": (OSStatus, (c_uint32, c_uint32, EventHotKeyID, c_void_p, c_uint32, POINTER(c_void_p))),
    "UnregisterEventHotKey": (OSStatus, (c_void_p,)),
    "GetEventParameter": (
        OSStatus, (c_void_p, OSType, OSType, POINTER(OSType), ByteCount, POINTER(ByteCount), c_void_p),
    ),
}  # fmt: skip
"""(restype, argtypes) of each function."""


if sys.platform == "darwin":

    def _load() -> ctypes.CDLL:
        return ctypes.CDLL(ctypes.util.find_library("Carbon"))
else:

    def _load() -> ctypes.CDLL:
        raise OSError("Carbon.framework exists only on macOS")


class Carbon:
    """The hotkey calls; `load()` is the real framework unless a test fakes it."""

    def __init__(self, load: Callable[[], ctypes.CDLL] | None = None) -> None:
        self._load = load or _load
        self._lib: ctypes.CDLL | None = None
        self._procs: list[_CFunctionType] = []  # the C callbacks must outlive their registration

    def lib(self) -> ctypes.CDLL:
        if self._lib is None:
            lib = self._load()
            for function, (restype, argtypes) in PROTOTYPES.items():
                pointer = getattr(lib, function)
                pointer.restype, pointer.argtypes = restype, argtypes
            self._lib = lib
        return self._lib

    def install_hotkey_handler(self, on_pressed: Callable[[int, int], bool]) -> tuple[int, int | None]:
        """Call `on_pressed(signature, id)` for every K_EVENT_HOT_KEY_PRESSED on the application target (the
        main run loop Qt runs); it returns whether the key was ours. (status, EventHandlerRef)."""

        def handler(_call: int | None, event: int | None, _data: int | None) -> int:
            try:
                hotkey = EventHotKeyID()
                status = self.lib().GetEventParameter(
                    event, K_EVENT_PARAM_DIRECT_OBJECT, TYPE_EVENT_HOT_KEY_ID, None, ctypes.sizeof(hotkey), None,
                    ctypes.byref(hotkey),
                )  # fmt: skip
                if status == NO_ERR and on_pressed(int(hotkey.signature), int(hotkey.id)):
                    return NO_ERR
            except Exception:  # an exception must not unwind into Carbon
                pass
            return EVENT_NOT_HANDLED_ERR

        proc = EventHandlerProc(handler)
        self._procs.append(proc)
        spec = EventTypeSpec(K_EVENT_CLASS_KEYBOARD, K_EVENT_HOT_KEY_PRESSED)
        ref = c_void_p()
        lib = self.lib()
        status = lib.InstallEventHandler(lib.GetApplicationEventTarget(), proc, 1, ctypes.byref(spec), None,
                                         ctypes.byref(ref))  # fmt: skip
        return int(status), ref.value

    def remove_handler(self, ref: int) -> None:
        self.lib().RemoveEventHandler(ref)

    def register_hotkey(self, keycode: int, modifiers: int, signature: int, hotkey_id: int) -> tuple[int, int | None]:
        """RegisterEventHotKey on the application target: (status, EventHotKeyRef)."""
        ref = c_void_p()
        lib = self.lib()
        status = lib.RegisterEventHotKey(keycode, modifiers, EventHotKeyID(signature, hotkey_id),
                                         lib.GetApplicationEventTarget(), 0, ctypes.byref(ref))  # fmt: skip
        return int(status), ref.value

    def unregister_hotkey(self, ref: int) -> int:
        return int(self.lib().UnregisterEventHotKey(ref))
