"""The foreground window's title and process image name on Windows, through app.win32.

GetForegroundWindow, GetWindowTextW (never sends a message to another process's window, so a hung
program cannot block it), GetWindowThreadProcessId, then OpenProcess with
PROCESS_QUERY_LIMITED_INFORMATION and QueryFullProcessImageNameW. Selected text is not read: that
would mean sending the other program a synthesized Ctrl+C.
"""

from __future__ import annotations

import ntpath
import os

from app.win32 import Win32

_api: Win32 | None = None


def active_window(api: Win32 | None = None) -> tuple[str | None, str | None]:
    """(title, image name such as "chrome.exe") of the foreground window, or (None, None): never raises.

    Windows of this process (Inflow's own capture window) do not count.
    """
    global _api  # noqa: PLW0603 - one lazily loaded surface per process
    if api is None:
        _api = api = _api or Win32()
    try:
        hwnd = api.foreground_window()
        if hwnd is None:
            return None, None
        pid = api.window_process_id(hwnd)
        if pid == os.getpid():
            return None, None
        image = api.process_image(pid) if pid else None
        return api.window_title(hwnd) or None, ntpath.basename(image) if image else None
    except (OSError, AttributeError, ValueError):
        return None, None
