"""Type names for the ctypes surfaces of app/win32.py, app/cocoa.py and app/carbon.py.

Only for type checking (the modules import this under TYPE_CHECKING): a prototype is the
(restype, argtypes) pair ctypes sets on a function pointer, a library is a loaded `ctypes.CDLL`
(`ctypes.WinDLL` is a subclass), and a loader is what tests replace with a fake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # _CDataType exists only in the type stubs
    from _ctypes import _CDataType
    from collections.abc import Callable
    from ctypes import CDLL
    from typing import TypeAlias

    Prototype: TypeAlias = tuple[type[_CDataType] | None, tuple[type[_CDataType], ...]]
    """(restype, argtypes) of one C function; a None restype is void."""
    LibraryLoader: TypeAlias = Callable[[str], CDLL]
    """Loads a shared library or framework by name."""
