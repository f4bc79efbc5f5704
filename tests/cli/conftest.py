from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def basedir(tmp_path: Path) -> Path:
    return tmp_path / "base"


@pytest.fixture
def inflow(basedir: Path, tmp_path: Path) -> Run:
    """Run `python -m app --basedir BASEDIR ARGS...` as a real process with no instance running."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)

    def run(
        *args: str,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        global_args: tuple[str, ...] | None = None,
        umask: int = -1,
    ) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), **(env or {})}
        environment.pop("INFLOW_BASEDIR", None) if env is None or "INFLOW_BASEDIR" not in env else None
        prefix = ("--basedir", str(basedir)) if global_args is None else global_args
        return subprocess.run(
            [sys.executable, "-m", "app", *prefix, *args],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=environment,
            timeout=60,
            check=False,
            umask=umask,
        )

    return run
