"""Where Inflow keeps its data, config, logs and sockets (platform dirs, or all under --basedir)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from app.instance_address import instance_address, instance_key, runtime_dir

APP_NAME = "inflow"
BASEDIR_ENV = "INFLOW_BASEDIR"


@dataclass(frozen=True, slots=True)
class Paths:
    """Every location Inflow reads or writes. A non-default basedir is fully isolated."""

    basedir: Path | None
    data_dir: Path
    config_dir: Path
    state_dir: Path
    log_dir: Path
    runtime_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "inflow.db"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "inflow.log"

    @property
    def draft_file(self) -> Path:
        return self.state_dir / "draft.json"

    @property
    def instance_key(self) -> str:
        """Short hash naming this basedir's socket and keyring service ("default" without one)."""
        return instance_key(self.basedir)

    @property
    def socket_path(self) -> Path:
        """Where the running instance listens (app.instance_address): a socket file, or on Windows a
        pipe name."""
        return Path(instance_address(self.instance_key))

    @property
    def lock_path(self) -> Path:
        return self.runtime_dir / f"{APP_NAME}-{self.instance_key}.lock"

    @property
    def keyring_service(self) -> str:
        return APP_NAME if self.basedir is None else f"{APP_NAME}-{self.instance_key}"


def resolve_paths(basedir: str | None = None) -> Paths:
    """The flag wins over INFLOW_BASEDIR; without either, the platform's user directories."""
    chosen = basedir or os.environ.get(BASEDIR_ENV) or None
    runtime = Path(runtime_dir())
    if chosen:
        base = Path(chosen).expanduser().resolve()
        return Paths(
            basedir=base,
            data_dir=base / "data",
            config_dir=base / "config",
            state_dir=base / "state",
            log_dir=base / "logs",
            runtime_dir=runtime,
        )
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return Paths(
        basedir=None,
        data_dir=Path(dirs.user_data_dir),
        config_dir=Path(dirs.user_config_dir),
        state_dir=Path(dirs.user_state_dir),
        log_dir=Path(dirs.user_log_dir),
        runtime_dir=runtime,
    )


def ensure_private_dir(path: Path) -> None:
    """Create a folder only this user can enter (for sockets and locks); refuse one that another
    user owns (a shared temp folder where someone made it first)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and os.stat(path).st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user, so Inflow will not listen there")


PRIVATE_UMASK = 0o077
"""Folders Inflow creates are 0700 and files 0600, whatever the user's umask."""


def make_private(paths: Paths) -> None:
    """Keep the library to this user: set the process umask (SQLite's -wal/-shm, logs, backups,
    exports and drafts inherit it) and tighten the folders Inflow already has, and their files.

    A folder that is already private is not walked: nobody else can reach what is inside it, so a
    start costs one stat per folder; the walk happens once, for a library made before this rule.
    A no-op on Windows, where folder ACLs apply instead.
    """
    if os.name != "posix":
        return
    os.umask(PRIVATE_UMASK)
    for folder in dict.fromkeys((paths.data_dir, paths.config_dir, paths.state_dir, paths.log_dir)):
        if not _is_private(folder):
            _tighten(folder)


def _is_private(folder: Path) -> bool:
    """True when only the owner may enter the folder (or it does not exist yet)."""
    try:
        return not os.stat(folder, follow_symlinks=False).st_mode & 0o077
    except OSError:
        return True


def _tighten(folder: Path) -> None:
    """chmod go-rwx on folder and everything under it (symlinks are not followed)."""
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        _chmod_private(current)
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        _chmod_private(entry.path)
        except OSError:
            continue  # not there yet: nothing to tighten


def _chmod_private(path: str) -> None:
    """Drop the group and other bits (0644 -> 0600, 0755 -> 0700); the owner's stay."""
    try:
        mode = os.stat(path, follow_symlinks=False).st_mode & 0o7777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:
        pass  # not ours to change: left as it is


WINDOWED_EXE = "inflow-gui.exe"
"""The Windows bundle's second program (build.spec): inflow.exe without a console window."""


def launch_command(paths: Paths) -> list[str]:
    """How to start this Inflow again (frozen bundle or source), with its basedir.

    The frozen Windows bundle starts its windowed program, so that autostart and restarts open no
    console window (the console `inflow.exe` stays the CLI); a bundle without one starts itself."""
    if not getattr(sys, "frozen", False):
        command = [sys.executable, "-m", "app"]
    else:
        windowed = Path(sys.executable).with_name(WINDOWED_EXE)
        command = [str(windowed)] if sys.platform == "win32" and windowed.is_file() else [sys.executable]
    if paths.basedir is not None:
        command += ["--basedir", str(paths.basedir)]
    return command
