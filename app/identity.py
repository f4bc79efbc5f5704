"""Who Inflow is to the operating systems: the one reverse-DNS bundle id (macOS managed preferences,
the configuration profile, notifications, Inflow.app and its .pkg) and the Info.plist of Inflow.app.

No imports from the app: build.spec loads this file by path.
"""

from __future__ import annotations

BUNDLE_ID = "org.inflow.Inflow"
APP_NAME = "Inflow"
MINIMUM_MACOS = "13.0"
"""The oldest macOS the bundled Qt (6.11) supports."""
COPYRIGHT = "Copyright © the Inflow contributors. MIT License."


def info_plist(version: str) -> dict[str, object]:
    """Inflow.app's Info.plist (PyInstaller adds CFBundleExecutable and CFBundleIconFile)."""
    return {
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundleDevelopmentRegion": "en",
        "LSMinimumSystemVersion": MINIMUM_MACOS,
        "LSApplicationCategoryType": "public.app-category.productivity",
        "LSUIElement": True,  # tray only: no Dock icon, no menu bar
        "NSHighResolutionCapable": True,
        "NSHumanReadableCopyright": COPYRIGHT,
    }
