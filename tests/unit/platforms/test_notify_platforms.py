"""On Windows and macOS notifications go through the tray: the D-Bus notifier steps aside at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app import notify


def test_off_freedesktop_the_notifier_declines_without_touching_a_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notify, "FREEDESKTOP", False)

    def no_bus(_self: notify.Notifier) -> None:
        raise AssertionError("no D-Bus connection off freedesktop systems")

    monkeypatch.setattr(notify.Notifier, "_connect", no_bus)
    notifier = notify.Notifier(on_click=lambda _id: None)
    assert notifier.notify("Inflow", "Saved", clickable=True) is False  # the caller shows the tray balloon
    assert notifier.available() is False
    assert notifier.last_id == 0


@pytest.mark.parametrize(("platform", "expected"), [("win32", False), ("darwin", False), ("linux", True)])
def test_freedesktop_is_decided_by_the_platform(platform: str, expected: bool) -> None:
    code = f"import sys; sys.platform = {platform!r}; import app.notify as n; print(n.FREEDESKTOP)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == str(expected)
