"""`inflow --self-test`: is this installation able to run? (Also run on the frozen bundle.)

Checks the database (open, migrated, PRAGMA quick_check), the Qt platform plugin, the resources and
the keyring. A missing keyring is a warning only: Inflow works offline without one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from app.paths import Paths

Check = Callable[[Paths], tuple[str, str]]  # (status: ok|warning|failed, message)


def check_database(paths: Paths) -> tuple[str, str]:
    from storage.db import StorageError, applied_migrations, open_database
    from storage.migrations import known_migration_names

    try:
        db = open_database(paths.database)
    except StorageError as exc:
        return "failed", f"database: {exc}"
    applied = applied_migrations(db)
    db.conn.close()
    from storage.repair import quick_check

    problem = quick_check(paths.database)
    if problem:
        return "failed", f"database: {paths.database} is damaged ({problem}); run `inflow repair`"
    if applied != known_migration_names():
        return "failed", f"database: migrations {applied} differ from {known_migration_names()}"
    return "ok", f"database: {paths.database} (schema up to date, {len(applied)} migrations, quick_check ok)"


def check_qt(paths: Paths) -> tuple[str, str]:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        QGuiApplication(sys.argv[:1])
    return "ok", f"Qt {qVersion()}: platform plugin '{QGuiApplication.platformName()}' loaded"


def check_resources(paths: Paths) -> tuple[str, str]:
    from PySide6.QtGui import QIcon

    from ui.resources import resource_path

    missing = []
    for parts in (("icons", "inflow.svg"), ("icons", "inflow-tray.svg"), ("inflow.desktop",)):
        path = resource_path(*parts)
        if not path.is_file():
            missing.append(str(path))
        elif path.suffix == ".svg" and QIcon(str(path)).pixmap(64, 64).isNull():
            missing.append(f"{path} (cannot be drawn: is the Qt SVG plugin missing?)")
    if missing:
        return "failed", "resources: missing or broken: " + ", ".join(missing)
    return "ok", "resources: icons and desktop file present, SVG icons render"


def check_keyring(paths: Paths) -> tuple[str, str]:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:
        return "warning", f"keyring: unavailable ({exc}); sharing will need INFLOW_SECRET_* variables"
    if isinstance(backend, fail.Keyring):
        return "warning", "keyring: no backend (no Secret Service?); Inflow works offline without one"
    return "ok", f"keyring: {type(backend).__module__}.{type(backend).__name__}"


CHECKS: tuple[Check, ...] = (check_database, check_qt, check_resources, check_keyring)


def run_self_test(paths: Paths) -> int:
    """Print one line per check; exit 0 when nothing failed, else 1."""
    failed = False
    for check in CHECKS:
        try:
            status, message = check(paths)
        except Exception as exc:
            status, message = (
                "failed",
                f"{check.__name__.removeprefix('check_')}: {type(exc).__name__}: {exc}",
            )
        failed = failed or status == "failed"
        print(f"{status:<8} {message}")
    print("self-test: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0
