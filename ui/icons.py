"""The app's icons, loaded from the SVGs in resources/icons (crisp at any scale through Qt's SVG engine)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from storage.models import Kind
from ui.resources import resource_path

_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def _svg_icon(name: str) -> QIcon:
    """An SVG icon; without the SVG icon engine, pixmaps rendered by the SVG image plugin instead."""
    path = str(resource_path("icons", name))
    icon = QIcon(path)
    if icon.pixmap(64).isNull():
        icon = QIcon()
        for size in _SIZES:
            icon.addFile(path, QSize(size, size))
    return icon


@cache
def app_icon() -> QIcon:
    """The full-colour application icon (window icons, the desktop entry)."""
    return _svg_icon("inflow.svg")


@cache
def tray_icon() -> QIcon:
    """The monochrome tray icon, readable on light and dark panels at 16-22 px."""
    return _svg_icon("inflow-tray.svg")


@cache
def kind_icon(kind: Kind | str) -> QIcon:
    """A small coloured glyph for a kind of moment (resource, tip, question)."""
    return _svg_icon(f"kind-{Kind(kind).value}.svg")
