"""Global hotkey backends: X11 (XGrabKey) and Wayland (the GlobalShortcuts portal); the seam for
Windows (RegisterHotKey) and macOS (Carbon) is `create_hotkey_backend`, which picks by Qt platform name."""

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
        from app.hotkey.portal import PortalHotkey

        return PortalHotkey()  # without a usable portal, it explains the case and the fallback
    if platform_name in ("windows", "cocoa"):
        reason = f"Global hotkeys are not supported on this system yet; {_CUSTOM_SHORTCUT_HINT}."
    else:
        reason = (
            f"There is no global hotkey on this desktop (Qt platform {platform_name or 'unknown'!r}); "
            f"{_CUSTOM_SHORTCUT_HINT}."
        )
    return NullHotkey(reason)
