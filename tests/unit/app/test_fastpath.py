from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.fastpath import _bare_start, _window_request
from app.paths import resolve_paths


def test_the_fast_path_finds_the_same_socket_as_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("INFLOW_BASEDIR", raising=False)
    base = tmp_path / "base"
    assert _window_request(["--basedir", str(base), "capture", "--window"]) == str(resolve_paths(str(base)).socket_path)
    assert _window_request(["capture", "--window"]) == str(resolve_paths(None).socket_path)
    monkeypatch.setenv("INFLOW_BASEDIR", str(base))
    assert _window_request(["capture", "--window"]) == str(resolve_paths(None).socket_path)


def test_anything_else_goes_to_the_full_cli() -> None:
    assert _window_request(["capture", "text"]) is None
    assert _window_request(["capture", "--window", "--kind", "tip"]) is None
    assert _window_request([]) is None


def test_a_bare_start_is_recognised_and_everything_else_is_not() -> None:
    assert _bare_start([]) == (True, None)
    assert _bare_start(["--basedir", "/b"]) == (True, "/b")
    assert _bare_start(["--basedir=/b"]) == (True, "/b")
    for argv in (["--json-logging"], ["--basedir", "/b", "search", "x"], ["--version"], ["--open-capture"]):
        assert _bare_start(argv) == (False, None)


def test_a_bare_start_reaches_the_tray_app_without_loading_the_cli(tmp_path: Path) -> None:
    """The CLI (argparse and every command's module) is not on the path to the tray icon."""
    probe = (
        "import sys, app.gui\n"
        "def run_app(paths, **kw):\n"
        "    print(paths.basedir, sorted(m for m in ('argparse', 'app.cli', 'app.commands') if m in sys.modules))\n"
        "    return 0\n"
        "app.gui.run_app = run_app\n"
        f"sys.argv = ['inflow', '--basedir', {str(tmp_path / 'base')!r}]\n"
        "from app.fastpath import main\n"
        "sys.exit(main())\n"
    )
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "base"), "[]"]
