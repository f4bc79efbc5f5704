"""Suite-wide rules: X11 tests run in the test session (scripts/with-desktop.sh) and nowhere else."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    in_session = os.environ.get("INFLOW_TEST_SESSION") == "1"
    if in_session and not os.environ.get("DISPLAY"):
        raise pytest.UsageError("INFLOW_TEST_SESSION is set but DISPLAY is not: the session did not start")
    if in_session:
        return
    skip = pytest.mark.skip(reason="needs the test desktop session: run via scripts/test.sh")
    for item in items:
        if "x11" in item.keywords:
            item.add_marker(skip)
