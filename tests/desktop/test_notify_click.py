"""Clicking our notification reaches the app (dunst performs the default action)."""

from __future__ import annotations

import subprocess
import threading

import pytest

from app.notify import Notifier

pytestmark = pytest.mark.x11


def test_a_click_on_a_clickable_notification_is_reported() -> None:
    clicked: list[int] = []
    arrived = threading.Event()

    def on_click(notification_id: int) -> None:
        clicked.append(notification_id)
        arrived.set()

    notifier = Notifier(on_click=on_click)
    subprocess.run(["dunstctl", "close-all"], check=True, timeout=10)  # ours must be the one on screen
    try:
        assert notifier.notify("2 answers to: How do I rebase?", "Click to read them", clickable=True)
        subprocess.run(["dunstctl", "action", "0"], check=True, timeout=10)
        assert arrived.wait(5)
        assert clicked == [notifier.last_id]
    finally:
        notifier.close()
        subprocess.run(["dunstctl", "close-all"], check=False, timeout=10)
