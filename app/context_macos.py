"""The frontmost application on macOS, and its window title and selected text where permitted.

The application's name comes from NSWorkspace and needs no permission. The focused window's title
and the selected text come from the Accessibility API, read only when the person has granted Inflow
the Accessibility permission (`GRANT_ACCESSIBILITY` says how); Inflow never asks for it by itself.
"""

from __future__ import annotations

import os

from app.cocoa import Cocoa

GRANT_ACCESSIBILITY = "System Settings > Privacy & Security > Accessibility: turn on Inflow"
_api: Cocoa | None = None


def _cocoa(api: Cocoa | None) -> Cocoa:
    global _api  # noqa: PLW0603 - one lazily loaded surface per process
    if api is not None:
        return api
    _api = _api or Cocoa()
    return _api


def frontmost(api: Cocoa | None = None) -> tuple[str | None, str | None, str]:
    """(window title, application name, selected text): never raises; Inflow itself does not count."""
    cocoa = _cocoa(api)
    try:
        found = cocoa.frontmost_application()
        if found is None or found[0] == os.getpid():
            return None, None, ""
        pid, name = found
        if not cocoa.accessibility_trusted():
            return None, name, ""
        title = cocoa.focused_text(pid, ("AXFocusedWindow", "AXTitle"))
        selection = cocoa.focused_text(pid, ("AXFocusedUIElement", "AXSelectedText")) or ""
        return title or None, name, selection
    except (OSError, AttributeError, ValueError, TypeError):
        return None, None, ""


def accessibility_state(api: Cocoa | None = None) -> str:
    """One line for `inflow doctor`: what context capture reads on this Mac, and how to get the rest."""
    try:
        trusted = _cocoa(api).accessibility_trusted()
    except (OSError, AttributeError):
        return "the frontmost application's name (the Accessibility API is not available)"
    if trusted:
        return "the frontmost application's name, its window title and the selected text (Accessibility granted)"
    return f"the frontmost application's name only; for the window title and selection: {GRANT_ACCESSIBILITY}"
