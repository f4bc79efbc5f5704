"""Runtime hook of the frozen bundle, used instead of PyInstaller's `pyi_rth_pyside6` (see build.spec).

PyInstaller's hook imports PySide6.QtCore at every start (~45 ms, to embed a qt.conf that the PyPI
wheel of PySide6 already embeds itself), which would make `inflow --version`, `capture` and `search`
load Qt although they never use it. Qt only needs to find the bundle's plugins.
"""

import os
import sys


def _point_qt_at_the_bundle() -> None:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        os.environ["QT_PLUGIN_PATH"] = os.path.join(bundle, "PySide6", "Qt", "plugins")


_point_qt_at_the_bundle()
del _point_qt_at_the_bundle
