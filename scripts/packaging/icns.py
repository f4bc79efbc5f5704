"""Inflow.icns from resources/icons/inflow.svg, at build time (build.spec runs it on macOS).

    python icns.py SVG OUT.icns      (macOS)
    python icns.py SVG OUT.iconset   (only the PNGs; anywhere)

Qt's SVG renderer (already in the build's virtualenv) draws the ten PNGs of an .iconset (iconset(1):
icon_<points>x<points>[@2x].png for 16, 32, 128, 256 and 512 points), then Apple's iconutil packs them.
Rendering works anywhere; iconutil exists only on macOS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

POINTS = (16, 32, 128, 256, 512)


def iconset_sizes() -> dict[str, int]:
    """File name -> pixel size of a complete iconset."""
    sizes: dict[str, int] = {}
    for points in POINTS:
        sizes[f"icon_{points}x{points}.png"] = points
        sizes[f"icon_{points}x{points}@2x.png"] = points * 2
    return sizes


def render_iconset(svg: Path, iconset: Path) -> list[Path]:
    """Draw every PNG of the iconset from the SVG (transparent background)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"icns.py: {svg} is not an SVG Qt can draw")
    iconset.mkdir(parents=True, exist_ok=True)
    written = []
    for name, pixels in iconset_sizes().items():
        image = QImage(pixels, pixels, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = iconset / name
        if not image.save(str(path)):  # PNG, from the suffix
            raise SystemExit(f"icns.py: cannot write {path}")
        written.append(path)
    return written


def make_icns(svg: Path, icns: Path) -> Path:
    if shutil.which("iconutil") is None:
        raise SystemExit("icns.py: iconutil is missing (it comes with macOS)")
    with tempfile.TemporaryDirectory() as folder:
        iconset = Path(folder) / "Inflow.iconset"
        render_iconset(svg, iconset)
        icns.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["iconutil", "-c", "icns", "-o", str(icns), str(iconset)], check=True)
    return icns


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    if target.suffix == ".iconset":
        render_iconset(source, target)
    else:
        make_icns(source, target)
