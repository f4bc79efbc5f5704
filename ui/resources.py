"""Finds files in the top-level resources/ folder, from a source checkout or a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The resources/ folder: next to the packages in a checkout, in the bundle's data when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. resource_path("icons", "inflow.svg")."""
    return resources_dir().joinpath(*parts)
