"""Inflow.app as build.spec would make it on macOS: its Info.plist (read back with plistlib), the one
bundle id, and the icon set drawn from the SVG. Nothing here runs on a Mac (the macOS workflow does).
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from app.identity import BUNDLE_ID, info_plist
from app.policy.macos_prefs import read_managed_preferences
from app.version import __version__

ROOT = Path(__file__).resolve().parents[2]
BLOCK_START = "# ---- macOS: Inflow.app"
BLOCK_END = "# ---- end of the macOS block ----"


def test_info_plist_of_a_tray_only_app() -> None:
    plist = plistlib.loads(plistlib.dumps(info_plist(__version__), fmt=plistlib.FMT_XML))
    assert plist["CFBundleIdentifier"] == "org.inflow.Inflow"
    assert (plist["CFBundleName"], plist["CFBundleDisplayName"], plist["CFBundlePackageType"]) == (
        "Inflow",
        "Inflow",
        "APPL",
    )
    assert plist["LSUIElement"] is True  # no Dock icon, no menu bar: the tray is the app
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == __version__
    assert plist["LSMinimumSystemVersion"] == "13.0"  # Qt 6.11's oldest supported macOS
    assert "MIT License" in plist["NSHumanReadableCopyright"]
    assert plist["NSHighResolutionCapable"] is True


def test_one_bundle_id_for_the_app_the_managed_preferences_and_the_profile(tmp_path: Path) -> None:
    (tmp_path / "org.inflow.Inflow.plist").write_bytes(plistlib.dumps({"BackupKeep": 3}))
    reading = read_managed_preferences(tmp_path, user="nobody-here", owner_uid=os.getuid())
    assert reading.sources == [str(tmp_path / "org.inflow.Inflow.plist")]
    profile = plistlib.loads((ROOT / "resources" / "policy" / "inflow.mobileconfig").read_bytes())
    (payload,) = profile["PayloadContent"]
    assert list(payload["PayloadContent"]) == [BUNDLE_ID]


def spec_macos_block() -> str:
    text = (ROOT / "build.spec").read_text(encoding="utf-8")
    start, end = text.index(BLOCK_START), text.index(BLOCK_END)
    return text[start:end]


def test_build_spec_bundles_inflow_app_with_that_plist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundles: list[dict[str, Any]] = []
    commands: list[list[str]] = []
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(subprocess, "run", lambda command, **_kw: commands.append(command))
    namespace: dict[str, Any] = {
        "ROOT": ROOT,
        "VERSION": __version__,
        "Path": Path,
        "workpath": str(tmp_path),
        "coll": "the COLLECT folder",
        "BUNDLE": lambda *args, **kwargs: bundles.append({"args": args, **kwargs}),
    }
    exec("import importlib.util\n" + spec_macos_block(), namespace)

    (bundle,) = bundles
    assert bundle["args"] == ("the COLLECT folder",)
    assert (bundle["name"], bundle["bundle_identifier"], bundle["version"]) == ("Inflow.app", BUNDLE_ID, __version__)
    assert bundle["info_plist"] == info_plist(__version__)
    assert bundle["icon"] == str(tmp_path / "Inflow.icns")
    (icns_command,) = commands
    assert icns_command[1:] == [
        str(ROOT / "scripts" / "packaging" / "icns.py"),
        str(ROOT / "resources" / "icons" / "inflow.svg"),
        str(tmp_path / "Inflow.icns"),
    ]


def test_build_spec_makes_no_app_bundle_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    namespace: dict[str, Any] = {"BUNDLE": lambda *a, **k: pytest.fail("BUNDLE outside macOS")}
    exec(spec_macos_block(), namespace)
    assert "app" not in namespace


def test_the_iconset_is_drawn_from_the_svg(tmp_path: Path) -> None:
    iconset = tmp_path / "Inflow.iconset"
    script = ROOT / "scripts" / "packaging" / "icns.py"
    svg = ROOT / "resources" / "icons" / "inflow.svg"
    result = subprocess.run(
        [sys.executable, str(script), str(svg), str(iconset)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    expected = {}
    for points in (16, 32, 128, 256, 512):
        expected[f"icon_{points}x{points}.png"] = points
        expected[f"icon_{points}x{points}@2x.png"] = points * 2
    assert sorted(p.name for p in iconset.iterdir()) == sorted(expected)
    for name, pixels in expected.items():
        image = QImage(str(iconset / name))
        assert (image.width(), image.height()) == (pixels, pixels), name
        assert image.pixelColor(pixels // 2, pixels // 2).alpha() > 0, f"{name} is empty"
