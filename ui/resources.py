"""Finds files in the top-level resources/ folder, from a source checkout, a pip install or a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

INSTALLED_NAME = "inflow_resources"
"""What resources/ is called once pip installed it beside the packages (setup.py)."""


def resources_dir() -> Path:
    """The resources/ folder: in the bundle's data when frozen, else beside the packages."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return beside_the_packages(Path(__file__).resolve().parent.parent)


def beside_the_packages(packages: Path) -> Path:
    """`inflow_resources` where pip installed it (site-packages), else the checkout's `resources`."""
    installed = packages / INSTALLED_NAME
    return installed if installed.is_dir() else packages / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. resource_path("icons", "inflow.svg")."""
    return resources_dir().joinpath(*parts)
