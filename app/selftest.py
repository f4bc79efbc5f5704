"""`inflow --self-test`: is this installation able to run? (Also run on the frozen bundle and packages.)

Each check exercises what a broken install breaks: the database (open, migrated, quick_check), SQLite's
FTS5, an offline copy of a built-in page through the whole snapshot stack (lxml, lxml_html_clean,
trafilatura, nh3), the secret check on a sample, the Qt platform plugin the desktop would really use
(loaded first without Qt's abort-on-failure, so a missing library is named), the resources, the keyring,
the global hotkey's backend and every connector module. A missing keyring or Secret Service is a
warning only: Inflow works offline without one. Exit 1 when any check failed.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from app.paths import Paths

Check = Callable[[Paths], tuple[str, str]]  # (status: ok|warning|failed, message)

SAMPLE_URL = "https://self-test.invalid/notes/offline-copies.html"
SAMPLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Offline copies in Inflow</title>
<script>document.title = "scripts never survive";</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>Offline copies in Inflow</h1>
<p>Every resource you capture gets a readable copy of its page, kept on your computer so that you can
read it on a train, in a basement or on a plane, and find it again with the full-text search.</p>
<p>The copy keeps the article's text, headings, lists and links, and leaves navigation, adverts and
scripts behind. Nothing is loaded from the network when you read it later.</p>
<ul><li>Article text and images</li><li>No scripts, no trackers</li></ul>
<p onclick="alert(1)">This paragraph's event handler is removed by the sanitizer before it is stored.</p>
</article><footer>Footer text that is not part of the article.</footer></body></html>
"""
SAMPLE_SECRET = "the deploy key is AKIAIOSFODNN7EXAMPLE, do not share it"


def _missing_module(exc: ImportError) -> str:
    """`Python package 'lxml_html_clean' is missing` (or the import error as it is)."""
    if exc.name:
        top = exc.name.split(".")[0]
        name = exc.name if top in ("app", "ui", "storage", "sync") else top  # ours: the module itself
        return f"Python package '{name}' is missing or broken ({exc}); reinstall Inflow"
    return f"{exc}; reinstall Inflow"


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


def check_fts5(paths: Paths) -> tuple[str, str]:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE probe USING fts5(body)")
        conn.execute("INSERT INTO probe (body) VALUES ('learning in the flow of work')")
        found = conn.execute("SELECT count(*) FROM probe WHERE probe MATCH 'flow'").fetchone()[0]
    except sqlite3.Error as exc:
        return "failed", f"full-text search: SQLite {sqlite3.sqlite_version} has no working FTS5 ({exc})"
    finally:
        conn.close()
    if found != 1:
        return "failed", f"full-text search: an FTS5 query found {found} rows instead of 1"
    return "ok", f"full-text search: SQLite {sqlite3.sqlite_version} with FTS5"


def check_offline_copies(paths: Paths) -> tuple[str, str]:
    try:
        import lxml_html_clean  # noqa: F401  (trafilatura's justext needs it; old pip skips lxml's extra)

        from sync.snapshots.extract import extract
        from sync.snapshots.fetch import Fetched

        content = extract(Fetched(SAMPLE_URL, "text/html", "utf-8", SAMPLE_PAGE.encode()))
    except ImportError as exc:
        return "failed", f"offline copies: {_missing_module(exc)}"
    problems = []
    if "train, in a basement" not in content.text:
        problems.append("the article text was not extracted")
    if "<script" in content.html or "onclick" in content.html:
        problems.append("scripts or event handlers survived the sanitizer")
    if "Home | About" in content.text:
        problems.append("the navigation was kept")
    if problems:
        return "failed", "offline copies: the built-in sample page: " + "; ".join(problems)
    return "ok", f"offline copies: the built-in sample page extracted and sanitized ({len(content.text)} characters)"


def check_secret_scan(paths: Paths) -> tuple[str, str]:
    try:
        from app.secret_scan import scan_moment

        findings = scan_moment("self-test", SAMPLE_SECRET, "")
    except ImportError as exc:
        return "failed", f"secret check: {_missing_module(exc)}"
    if not any(finding.kind == "AWS Access Key" for finding in findings):
        return "failed", f"secret check: the sample AWS key was not found ({findings or 'nothing found'})"
    return "ok", "secret check: the sample AWS key was found"


def check_resurface(paths: Paths) -> tuple[str, str]:
    try:
        from datetime import UTC, datetime

        from app.resurface import Answer, schedule
        from storage.resurface import CardRow

        now = datetime(2026, 1, 1, tzinfo=UTC)
        sample = CardRow("self-test", "", "tip", None, "2026-01-01T00:00:00.000Z", 1, 0, None, None, None, 0, 0)
        after = schedule(sample, Answer.STILL_USEFUL, now)
    except ImportError as exc:
        return "failed", f"resurfacing: {_missing_module(exc)}"
    if after.due <= sample.due:
        return "failed", f"resurfacing: a sample review was not scheduled later ({after.due})"
    return "ok", f"resurfacing: a sample review was scheduled (next at {after.due[:16]}Z)"


def intended_platform() -> tuple[str | None, str]:
    """(the Qt platform plugin the app would load here, or None to let Qt pick; why)."""
    forced = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if forced:
        return forced, "QT_QPA_PLATFORM"
    if os.environ.get("WAYLAND_DISPLAY"):
        return None, "WAYLAND_DISPLAY"
    if os.environ.get("DISPLAY"):
        return "xcb", f"DISPLAY={os.environ['DISPLAY']}"
    return "offscreen", "no DISPLAY"


def _x_display_reachable(display: str) -> str | None:
    """None when the local X server of `display` (":N") accepts a connection, else why not."""
    if not display.startswith(":"):
        return None  # a remote or unusual display: left to Qt
    path = f"/tmp/.X11-unix/X{display[1:].split('.', maxsplit=1)[0]}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        try:
            sock.connect(path)
        except OSError as exc:
            return f"cannot connect to the X display {display} ({path}: {exc.strerror or exc})"
    return None


def _load_plugin_first(name: str) -> str | None:
    """Load the platform plugin with QPluginLoader (which reports, where QGuiApplication would abort)."""
    from PySide6.QtCore import QCoreApplication, QPluginLoader

    folders = [Path(folder) / "platforms" for folder in QCoreApplication.libraryPaths()]
    candidates = [p for folder in folders if folder.is_dir() for p in folder.iterdir() if f"q{name}." in p.name]
    if not candidates:
        return f"platform plugin '{name}' is not installed (looked in {', '.join(map(str, folders))})"
    loader = QPluginLoader(str(candidates[0]))
    if not loader.load():
        return f"platform plugin '{name}' cannot be loaded: {loader.errorString()}"
    return None


def _offscreen_for_the_other_checks() -> None:
    """After the real plugin failed: an offscreen application, so that the icons are still checked."""
    from PySide6.QtGui import QGuiApplication

    if _load_plugin_first("offscreen") is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        QGuiApplication(sys.argv[:1])


def check_qt(paths: Paths) -> tuple[str, str]:
    platform, reason = intended_platform()
    if platform == "offscreen":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        if platform is not None:
            problem = _load_plugin_first(platform)
            if problem is None and platform == "xcb":
                problem = _x_display_reachable(os.environ.get("DISPLAY", ""))
            if problem:
                _offscreen_for_the_other_checks()
                return "failed", f"Qt {qVersion()}: {problem}"
        QGuiApplication(sys.argv[:1])
    loaded = QGuiApplication.platformName()
    return "ok", f"Qt {qVersion()}: platform plugin '{loaded}' loaded ({reason})"


def check_resources(paths: Paths) -> tuple[str, str]:
    from PySide6.QtGui import QGuiApplication, QIcon

    from ui.resources import resource_path

    if QGuiApplication.instance() is None:
        return "failed", "resources: not checked (Qt could not start)"
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
    except ImportError as exc:
        return "failed", f"keyring: {_missing_module(exc)}"
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        return "warning", f"keyring: unavailable ({exc}); sharing will need INFLOW_SECRET_* variables"
    if isinstance(backend, fail.Keyring):
        return "warning", "keyring: no backend (no Secret Service?); Inflow works offline without one"
    return "ok", f"keyring: {type(backend).__module__}.{type(backend).__name__}"


def check_hotkey(paths: Paths) -> tuple[str, str]:
    from PySide6.QtGui import QGuiApplication

    platform = QGuiApplication.platformName() if QGuiApplication.instance() is not None else ""
    if sys.platform.startswith("linux"):
        try:
            from Xlib import display as xdisplay

            import app.hotkey.x11  # noqa: F401
        except ImportError as exc:
            return "failed", f"hotkey: the X11 backend cannot be imported: {_missing_module(exc)}"
        if platform == "xcb":
            try:
                xdisplay.Display(os.environ.get("DISPLAY")).close()
            except Exception as exc:
                return "failed", f"hotkey: the X11 backend cannot open the display ({type(exc).__name__}: {exc})"
            return "ok", "hotkey: X11 backend (python-xlib), display reachable"
    from app.hotkey import NullHotkey, create_hotkey_backend

    backend = create_hotkey_backend(platform)
    if isinstance(backend, NullHotkey):
        return "ok", f"hotkey: none on Qt platform '{platform or 'unknown'}' (expected there)"
    backend.close()
    return "ok", f"hotkey: {type(backend).__name__}"


def check_connectors(paths: Paths) -> tuple[str, str]:
    import importlib

    from sync import registry

    broken = []
    for kind, module in registry._MODULES.items():
        try:
            importlib.import_module(module)
        except ImportError as exc:
            broken.append(f"{kind} ({_missing_module(exc)})")
    if broken:
        return "failed", "connectors: cannot import " + "; ".join(broken)
    return "ok", f"connectors: all {len(registry._MODULES)} import"


CHECKS: tuple[Check, ...] = (
    check_database,
    check_fts5,
    check_offline_copies,
    check_secret_scan,
    check_resurface,
    check_qt,
    check_resources,
    check_keyring,
    check_hotkey,
    check_connectors,
)


def run_self_test(paths: Paths) -> int:
    """Print one line per check; exit 0 when nothing failed, else 1 (the last line names what failed)."""
    failed: list[str] = []
    for check in CHECKS:
        part = check.__name__.removeprefix("check_")
        try:
            status, message = check(paths)
        except Exception as exc:
            status, message = "failed", f"{part}: {type(exc).__name__}: {exc}"
        if status == "failed":
            failed.append(message.split(":", 1)[0])
        print(f"{status:<8} {message}", flush=True)
    print("self-test: " + (f"FAILED ({', '.join(failed)})" if failed else "passed"))
    return 1 if failed else 0
