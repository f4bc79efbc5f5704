"""Global hotkey backends: X11 (XGrabKey), Wayland (the GlobalShortcuts portal), Windows (RegisterHotKey)
and macOS (Carbon RegisterEventHotKey); `create_hotkey_backend` picks one by Qt platform name."""

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
    if platform_name == "windows":
        from app.hotkey.windows import WindowsHotkey

        return WindowsHotkey()
    if platform_name == "cocoa":
        from app.hotkey.macos import MacHotkey

        return MacHotkey()
    reason = (
        f"There is no global hotkey on this desktop (Qt platform {platform_name or 'unknown'!r}); "
        f"{_CUSTOM_SHORTCUT_HINT}."
    )
    return NullHotkey(reason)
