"""`inflow doctor`: versions, paths, the library's integrity (quick_check), the hotkey backend and its
state, config problems."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import TypedDict

from app.config import load_config
from app.instance_client import InstanceError, send_command
from app.paths import Paths
from app.policy.report import SettingsAndPolicy, describe, policy_report, settings_report
from app.version import __version__

Versions = TypedDict(  # the functional form: "sqlite-utils" is no identifier
    "Versions",
    {"inflow": str, "python": str, "qt": str, "pyside6": str, "sqlite": str, "sqlite-utils": str, "platform": str,
     "frozen": bool},
)  # fmt: skip


class ReportPaths(TypedDict):
    basedir: str | None
    database: str
    database_bytes: int | None
    config: str
    logs: str
    state: str
    socket: str


class DoctorReport(SettingsAndPolicy):
    """What `inflow doctor --json` prints."""

    versions: Versions
    paths: ReportPaths
    storage: dict[str, int]
    database_problem: str | None
    running: bool
    hotkey: str
    context: str | None
    config_problems: list[str]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _size(path: Path) -> int | None:
    try:
        return int(path.stat().st_size)
    except OSError:
        return None


def _storage_sizes(paths: Paths) -> dict[str, int]:
    """Offline copies and kept files (count and bytes), read without changing the library."""
    if not paths.database.exists():
        return {}
    from storage.db import open_database
    from storage.snapshots import storage_sizes

    try:
        return storage_sizes(open_database(paths.database, readonly=True))
    except Exception:  # doctor reports; it never fails on a damaged or older library
        return {}


def _database_check(paths: Paths) -> str | None:
    """`PRAGMA quick_check` of the library: None when it passes (or there is none yet), else the problem."""
    from storage.repair import quick_check

    return quick_check(paths.database)


def _context_state() -> str | None:
    """What the capture window's context prefill can read, where it depends on a permission (macOS)."""
    if sys.platform == "darwin":
        from app.context_macos import accessibility_state

        return accessibility_state()
    return None


def collect_report(paths: Paths) -> DoctorReport:
    from PySide6.QtCore import qVersion

    config = load_config(paths)
    try:
        status = send_command(paths.socket_path, {"cmd": "status"}, timeout=3.0)
    except InstanceError as exc:
        status = {"ok": False, "error": str(exc)}
    if status is None:
        display = os.environ.get("DISPLAY")
        wayland = os.environ.get("WAYLAND_DISPLAY")
        if sys.platform == "win32":
            backend = "windows (RegisterHotKey)"
        elif sys.platform == "darwin":
            backend = "macos (Carbon RegisterEventHotKey)"
        elif wayland:
            backend = "the desktop's GlobalShortcuts portal (where there is none: bind `inflow capture --window`)"
        elif display:
            backend = "x11 (XGrabKey)"
        else:
            backend = "none (bind `inflow capture --window`)"
        hotkey = f"Inflow is not running; it would use {backend} for {config.get_str('hotkey')}"
    else:
        hotkey = str(status.get("hotkey") or status.get("error"))
    return {
        "versions": {
            "inflow": __version__,
            "python": platform.python_version(),
            "qt": qVersion(),
            "pyside6": _version("PySide6-Essentials"),
            "sqlite": sqlite3.sqlite_version,
            "sqlite-utils": _version("sqlite-utils"),
            "platform": platform.platform(),
            "frozen": bool(getattr(sys, "frozen", False)),
        },
        "paths": {
            "basedir": str(paths.basedir) if paths.basedir else None,
            "database": str(paths.database),
            "database_bytes": _size(paths.database),
            "config": str(paths.config_file),
            "logs": str(paths.log_file),
            "state": str(paths.state_dir),
            "socket": str(paths.socket_path),
        },
        "storage": _storage_sizes(paths),
        "database_problem": _database_check(paths),
        "running": status is not None and bool(status.get("ok")),
        "hotkey": hotkey,
        "context": _context_state(),
        "config_problems": config.problems,
        "settings": settings_report(config),
        "policy": policy_report(config),
    }


def format_report(report: DoctorReport) -> str:
    versions = report["versions"]
    lines = [
        f"Inflow {versions['inflow']}" + (" (frozen bundle)" if versions["frozen"] else ""),
        f"  Python {versions['python']}, Qt {versions['qt']}, PySide6 {versions['pyside6']}, "
        f"SQLite {versions['sqlite']}, sqlite-utils {versions['sqlite-utils']}",
        f"  {versions['platform']}",
        "Paths:",
    ]
    for key, value in report["paths"].items():
        if key == "database_bytes":
            continue
        shown = value if value is not None else "(default user folders)"
        if key == "database" and report["paths"]["database_bytes"] is not None:
            shown = f"{value} ({report['paths']['database_bytes'] / 1048576:.1f} MiB)"
        lines.append(f"  {key:<9} {shown}")
    sizes = report.get("storage") or {}
    if sizes:
        lines.append(
            f"Storage:  {sizes['snapshots']} offline copies ({sizes['snapshot_bytes'] / 1048576:.1f} MiB), "
            f"{sizes['files']} kept files ({sizes['file_bytes'] / 1048576:.1f} MiB)"
        )
    damaged = report.get("database_problem")
    if damaged:
        lines.append(f"Database: DAMAGED ({damaged}); run `inflow repair` (the damaged file is kept)")
    elif report["paths"]["database_bytes"] is not None:
        lines.append("Database: passes its check (PRAGMA quick_check)")
    lines.append(f"Running:  {'yes' if report['running'] else 'no'}")
    lines.append(f"Hotkey:   {report['hotkey']}")
    if report.get("context"):
        lines.append(f"Context:  {report['context']}")
    problems = report["config_problems"]
    lines.append("Config:   " + ("no problems" if not problems else f"{len(problems)} problem(s)"))
    lines += [f"  - {p}" for p in problems]
    lines += describe(report)
    return "\n".join(lines)
