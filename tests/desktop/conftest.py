"""Desktop tests run inside scripts/with-desktop.sh (Xvfb, D-Bus, dunst, trayer) on the xcb platform."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from Xlib.display import Display


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="needs the test desktop session: run under scripts/with-desktop.sh")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.x11)
            if not os.environ.get("INFLOW_TEST_SESSION"):
                item.add_marker(skip)


@pytest.fixture
def xdisplay() -> Iterator[Any]:
    """A separate X client (its own connection), closed after the test."""
    display = Display()
    yield display
    display.close()
