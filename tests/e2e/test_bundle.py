"""The frozen bundle (build.spec): built once per session, then run like a user would run it.

Proves that the lazily imported commands, SQLite with FTS5, the Qt platform plugins (xcb and offscreen),
the SVG plugins and the resources all made it into `dist/inflow`, and that trimming left no dangling
symbolic links. Sizes are recorded (record_property and the terminal), never timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.version import __version__

ROOT = Path(__file__).resolve().parents[2]
PYINSTALLER = Path(sys.executable).parent / "pyinstaller"
BUILD_TIMEOUT_S = 480
MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # regression guard; the trimmed bundle is ~135 MB

pytestmark = [pytest.mark.slow, pytest.mark.timeout(BUILD_TIMEOUT_S + 120)]

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/inflow, built from the working tree into a temporary folder (once per test session)."""
    base = tmp_path_factory.mktemp("bundle")
    command = [
        str(PYINSTALLER),
        "--noconfirm",
        "--distpath",
        str(base / "dist"),
        "--workpath",
        str(base / "work"),
        "build.spec",
    ]
    try:
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"PyInstaller did not finish within {BUILD_TIMEOUT_S} s: {' '.join(command)}")
    (base / "pyinstaller.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        pytest.fail(f"PyInstaller failed ({result.returncode}); last lines:\n{result.stderr[-4000:]}")
    folder = base / "dist" / "inflow"
    assert (folder / "inflow").is_file()
    return folder


@pytest.fixture
def inflow(bundle: Path, tmp_path: Path) -> Run:
    """Run the frozen `inflow --basedir BASEDIR ARGS...` from a folder outside the checkout."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    basedir = tmp_path / "base"

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INFLOW_", "QT_"))}
        environment.update({"XDG_RUNTIME_DIR": str(runtime), **(env or {})})
        return subprocess.run(
            [str(bundle / "inflow"), "--basedir", str(basedir), *args],
            input="",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            timeout=60,
            check=False,
        )

    return run


def _disk_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_bundle_size_is_recorded_and_capped(
    bundle: Path,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "inflow.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname="inflow")
    on_disk, packed = _disk_bytes(bundle), archive.stat().st_size
    record_property("bundle_bytes", on_disk)
    record_property("bundle_tar_gz_bytes", packed)
    (bundle.parent.parent / "bundle-size.json").write_text(
        json.dumps({"bundle_bytes": on_disk, "bundle_tar_gz_bytes": packed}), encoding="utf-8"
    )
    with capsys.disabled():
        print(f"\nfrozen bundle: {on_disk / 1e6:.1f} MB on disk, {packed / 1e6:.1f} MB tar.gz ({bundle})")
    assert on_disk < MAX_BUNDLE_BYTES


def test_trimming_kept_what_inflow_needs_and_left_no_dangling_links(bundle: Path) -> None:
    qt = bundle / "_internal" / "PySide6" / "Qt"
    for needed in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "iconengines/libqsvgicon.so",
        "imageformats/libqsvg.so",
    ):
        assert (qt / "plugins" / needed).is_file(), needed
    assert list((qt / "lib").glob("libicudata.so*")), "ICU is needed by QtCore"
    assert (bundle / "_internal" / "cryptography").is_dir(), "secretstorage needs cryptography"
    assert (bundle / "_internal" / "resources" / "inflow.desktop").is_file()
    for dropped in ("platformthemes", "wayland-shell-integration", "tls", "sqldrivers"):
        assert not (qt / "plugins" / dropped).exists(), dropped
    assert not (qt / "translations").exists()
    dangling = [str(p) for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []


@pytest.mark.x11
def test_self_test_passes_on_the_desktop(inflow: Run) -> None:
    result = inflow("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test: passed" in result.stdout
    assert "platform plugin 'xcb' loaded" in result.stdout


def test_self_test_passes_offscreen(inflow: Run) -> None:
    result = inflow("--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test: passed" in result.stdout
    assert "platform plugin 'offscreen' loaded" in result.stdout


def test_capture_then_search_through_the_frozen_binary(inflow: Run) -> None:
    captured = inflow("capture", "--title", "Frozenbundle", "--tag", "packaging", "stored by the bundle")
    assert captured.returncode == 0, captured.stderr
    found = inflow("search", "Frozenbundle", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert [hit["id"] for hit in hits] == [captured.stdout.strip()]
    assert hits[0]["title"] == "Frozenbundle"
    assert hits[0]["body"] == "stored by the bundle"


def test_version_is_the_one_in_app_version(inflow: Run) -> None:
    result = inflow("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"inflow {__version__}"
