"""PySide6-Essentials 6.12.0 on CPython < 3.12 drops a reference to None on every void call, so the
app aborts (none_dealloc) after a few thousand paints. This guards the pinned Qt bindings."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
from PySide6.QtGui import QGuiApplication, QImage, QPainter
app = QGuiApplication([])
image = QImage(8, 8, QImage.Format.Format_ARGB32)
painter = QPainter(image)
before = sys.getrefcount(None)
for _ in range(5000):
    painter.save()
    painter.restore()
after = sys.getrefcount(None)
painter.end()
print(before - after)
"""


def test_void_calls_do_not_drain_references_to_none() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert int(result.stdout.strip()) < 100, "the Qt bindings leak references to None (PySide6 6.12.0?)"
