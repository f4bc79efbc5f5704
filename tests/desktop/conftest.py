"""Desktop tests run inside scripts/with-desktop.sh (Xvfb, D-Bus, dunst, trayer) on the xcb platform.

Each module is marked `x11`; tests/conftest.py skips those outside the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from Xlib.display import Display


@pytest.fixture
def xdisplay() -> Iterator[Any]:
    """A separate X client (its own connection), closed after the test."""
    display = Display()
    yield display
    display.close()
