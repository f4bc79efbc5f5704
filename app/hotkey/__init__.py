"""Global hotkey backends. X11 today; the seam for Windows (RegisterHotKey), macOS (Carbon) and the
Wayland GlobalShortcuts portal is `create_hotkey_backend`, which picks by Qt platform name."""

from __future__ import annotations

from app.hotkey.base import HotkeyBackend, HotkeyError, NullHotkey

__all__ = ["HotkeyBackend", "HotkeyError", "NullHotkey", "create_hotkey_backend"]

_CUSTOM_SHORTCUT_HINT = (
    "bind the command `inflow capture --window` to a key in your desktop's keyboard settings (Custom Shortcuts)"
)


def create_hotkey_backend(platform_name: str) -> HotkeyBackend:
    """The backend for this Qt platform ("xcb", "wayland", "windows", "cocoa", "offscreen", ...)."""
    if platform_name == "xcb":
        from app.hotkey.x11 import X11Hotkey

        return X11Hotkey()
    if platform_name.startswith("wayland"):
        reason = f"Wayland has no global hotkey Inflow can grab yet; {_CUSTOM_SHORTCUT_HINT}."
    elif platform_name in ("windows", "cocoa"):
        reason = f"Global hotkeys are not supported on this system yet; {_CUSTOM_SHORTCUT_HINT}."
    else:
        reason = (
            f"There is no global hotkey on this desktop (Qt platform {platform_name or 'unknown'!r}); "
            f"{_CUSTOM_SHORTCUT_HINT}."
        )
    return NullHotkey(reason)
