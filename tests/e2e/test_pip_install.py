"""A plain `python -m pip install .` into a fresh venv of the system's Python 3 with the pip it ships
(no constraints.txt, no upgrade of pip) gives a working Inflow: `inflow --self-test` passes, including the
offline copy of its built-in page (lxml_html_clean, which that pip does not install as lxml's extra)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or ""


def _checkout_copy(target: Path) -> Path:
    """The working tree's tracked and new files (no build/ or *.egg-info left in the checkout)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.skipif(not SYSTEM_PYTHON, reason="needs the system's python3")
def test_plain_pip_install_without_constraints_gives_a_working_inflow(tmp_path: Path) -> None:
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import ensurepip, venv"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the system's python3 has no venv/ensurepip (Debian: python3-venv)")
    source = _checkout_copy(tmp_path / "src")
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_CONSTRAINT", "PYTHON", "VIRTUAL_ENV"))}
    env["PIP_CACHE_DIR"] = str(ROOT / ".cache" / "pip-plain-install")  # downloads are kept between runs
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], check=True, env=env, timeout=300)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    # resources/ goes in under a name of ours: a top-level `resources` could be another distribution's.
    (site,) = (venv / "lib").glob("python3*/site-packages")
    assert (site / "inflow_resources" / "icons" / "inflow.svg").is_file()
    assert not (site / "resources").exists()

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    result = subprocess.run(
        [str(venv / "bin" / "inflow"), "--basedir", str(tmp_path / "base"), "--self-test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok       offline copies: the built-in sample page extracted and sanitized" in result.stdout
    assert "ok       resources: icons and desktop file present" in result.stdout
    assert "self-test: passed" in result.stdout
