"""Every module of app, ui, storage and sync imports on Linux: no Windows- or macOS-only import (winreg,
ctypes.WinDLL, a framework) at module level. One fresh interpreter, so nothing imported by other tests helps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAYERS = ("app", "ui", "storage", "sync")
SKIP = {"app.__main__"}  # runs the app when imported

_SCRIPT = """
import importlib, pkgutil, sys
failed = []
imported = []
for layer in sys.argv[2:]:
    package = importlib.import_module(layer)
    for info in pkgutil.walk_packages(package.__path__, layer + "."):
        if info.name in sys.argv[1].split(","):
            continue
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:
            failed.append(f"{info.name}: {type(exc).__name__}: {exc}")
print(",".join(imported))
print("\\n".join(failed))
"""


def test_every_module_imports_on_linux() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, ",".join(SKIP), *LAYERS],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    imported, *failed = result.stdout.splitlines()
    assert [line for line in failed if line] == []
    names = set(imported.split(","))
    platform_modules = {"app.win32", "app.carbon", "app.cocoa", "app.hotkey.windows", "app.hotkey.macos",
                        "app.context_windows", "app.context_macos", "app.autostart_windows", "app.autostart_macos",
                        "app.policy.windows_registry", "app.policy.macos_prefs"}  # fmt: skip
    assert platform_modules <= names
    assert len(names) > 150 and {"ui.capture", "storage.moments", "sync.registry"} <= names  # the whole tree
