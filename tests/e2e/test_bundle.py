"""The frozen bundle (build.spec): built once per session, then run like a user would run it.

Proves that the lazily imported commands, SQLite with FTS5, the Qt platform plugins (xcb and offscreen),
the SVG plugins and the resources all made it into `dist/inflow`, and that trimming left no dangling
symbolic links. Sizes are recorded (record_property and the terminal), never timings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.instance_client import send_command
from app.version import __version__
from tests.e2e.conftest import BUILD_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[2]
MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # regression guard; the trimmed bundle is ~155 MB

pytestmark = [pytest.mark.slow, pytest.mark.timeout(BUILD_TIMEOUT_S + 120)]
# `bundle`: the session's build, shared with the package tests (tests/e2e/conftest.py).


@dataclass
class Frozen:
    """The frozen `inflow` with its own --basedir, runtime folder and a clean environment."""

    binary: Path
    basedir: Path
    cwd: Path
    env: dict[str, str]

    def command(self, *args: str) -> list[str]:
        return [str(self.binary), "--basedir", str(self.basedir), *args]

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            input="",
            capture_output=True,
            text=True,
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            timeout=60,
            check=False,
        )


@pytest.fixture
def inflow(bundle: Path, tmp_path: Path) -> Frozen:
    """Runs `inflow --basedir BASEDIR ARGS...` from the bundle, in a folder outside the checkout."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INFLOW_", "QT_"))}
    return Frozen(bundle / "inflow", tmp_path / "base", tmp_path, {**env, "XDG_RUNTIME_DIR": str(runtime)})


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
        "platforms/libqwayland.so",
        "wayland-shell-integration/libxdg-shell.so",
        "wayland-decoration-client/libbradient.so",
        "platforms/libqoffscreen.so",
        "iconengines/libqsvgicon.so",
        "imageformats/libqsvg.so",
    ):
        assert (qt / "plugins" / needed).is_file(), needed
    assert list((qt / "lib").glob("libicudata.so*")), "ICU is needed by QtCore"
    assert (bundle / "_internal" / "cryptography").is_dir(), "secretstorage needs cryptography"
    assert (bundle / "_internal" / "resources" / "inflow.desktop").is_file()
    for dropped in ("platformthemes", "wayland-graphics-integration-server", "tls", "sqldrivers"):
        assert not (qt / "plugins" / dropped).exists(), dropped
    assert not (qt / "plugins" / "wayland-shell-integration" / "libivi-shell.so").exists()
    assert not list((qt / "lib").glob("libQt6WaylandCompositor*")), "only the client side of Wayland is used"
    assert not (qt / "translations").exists()
    dangling = [str(p) for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
    # PyInstaller's PySide6 runtime hook (imports QtCore at every start) is replaced by ours.
    package_toc = (bundle.parent.parent / "work" / "build" / "PKG-00.toc").read_text(encoding="utf-8")
    assert "rth_qt_env" in package_toc
    assert "pyi_rth_pyside6" not in package_toc


@pytest.mark.x11
def test_self_test_passes_on_the_desktop(inflow: Frozen) -> None:
    result = inflow("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test: passed" in result.stdout
    assert "platform plugin 'xcb' loaded" in result.stdout


@pytest.mark.skipif(shutil.which("weston") is None, reason="weston is not installed (scripts/test.sh installs it)")
def test_self_test_runs_natively_under_a_wayland_compositor(inflow: Frozen) -> None:
    """No DISPLAY, only a (headless) weston: the bundle's own wayland plugin, not XWayland."""
    from tests.desktop.portal_bus import weston_command
    from tests.e2e.conftest import wait_for

    runtime = Path(inflow.env["XDG_RUNTIME_DIR"])
    socket = runtime / "wayland-frozen"
    weston = subprocess.Popen(
        weston_command(socket.name, inflow.cwd / "weston.log"),
        env=inflow.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: socket.exists() or weston.poll() is not None, 10, "weston's socket")
        assert weston.poll() is None, (inflow.cwd / "weston.log").read_text()
        env = {k: v for k, v in inflow.env.items() if k != "DISPLAY"}
        result = subprocess.run(
            inflow.command("--self-test"),
            input="",
            capture_output=True,
            text=True,
            cwd=inflow.cwd,
            env={**env, "WAYLAND_DISPLAY": socket.name},
            timeout=60,
            check=False,
        )
    finally:
        weston.terminate()
        weston.wait(timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "platform plugin 'wayland' loaded (WAYLAND_DISPLAY)" in result.stdout
    assert "self-test: passed" in result.stdout


def test_self_test_passes_offscreen(inflow: Frozen) -> None:
    result = inflow("--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test: passed" in result.stdout
    assert "platform plugin 'offscreen' loaded" in result.stdout


def test_capture_then_search_through_the_frozen_binary(inflow: Frozen) -> None:
    captured = inflow("capture", "--title", "Frozenbundle", "--tag", "packaging", "stored by the bundle")
    assert captured.returncode == 0, captured.stderr
    found = inflow("search", "Frozenbundle", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert [hit["id"] for hit in hits] == [captured.stdout.strip()]
    assert hits[0]["title"] == "Frozenbundle"
    assert hits[0]["body"] == "stored by the bundle"


def test_the_frozen_binary_saves_a_searchable_offline_copy(inflow: Frozen) -> None:
    """trafilatura, lxml, nh3 and their data files work inside the bundle (a page from a local server)."""
    from tests.unit.snapshots.conftest import serving

    with serving() as pages:
        url = f"{pages.base}/article.html"
        captured = inflow("capture", "--kind", "resource", "--url", url, "--title", "Frozen page")
        assert captured.returncode == 0, captured.stderr
        synced = inflow("sync", "now")
        assert synced.returncode == 0, synced.stderr
    snapshot = json.loads(inflow("show", captured.stdout.strip(), "--json").stdout)["snapshot"]
    assert snapshot["state"] == "saved", snapshot
    assert len(snapshot["text"]) > 200


def test_the_secret_check_works_in_the_frozen_binary(inflow: Frozen) -> None:
    added = inflow("target", "add", "webhook", "--name", "hook", "--set", "url=http://127.0.0.1:9/h")
    assert added.returncode == 0, added.stderr
    refused = inflow("capture", "--share", "hook", "key AKIAIOSFODNN7EXAMPLE")
    assert refused.returncode == 1
    assert "AWS Access Key in the note" in refused.stderr


def test_version_is_the_one_in_app_version(inflow: Frozen) -> None:
    result = inflow("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"inflow {__version__}"


def test_doctor_knows_it_is_frozen_and_the_library_versions(inflow: Frozen) -> None:
    result = inflow("doctor", "--json")
    assert result.returncode == 0, result.stderr
    versions = json.loads(result.stdout)["versions"]
    assert versions["frozen"] is True
    assert versions["pyside6"] != "not installed"
    assert versions["sqlite-utils"] != "not installed"


@pytest.mark.x11
def test_the_tray_app_starts_takes_a_capture_request_and_quits(inflow: Frozen, tmp_path: Path) -> None:
    """The GUI path: widgets, tray, the X11 hotkey (python-xlib) and the instance server, all frozen."""
    stderr_path = tmp_path / "app-stderr.log"
    with stderr_path.open("wb") as stderr:
        app = subprocess.Popen(
            inflow.command(),
            cwd=inflow.cwd,
            env=inflow.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 30
        report: dict[str, Any] = {}
        while time.monotonic() < deadline and app.poll() is None:
            report = json.loads(inflow("doctor", "--json").stdout)
            if report["running"]:
                break
            time.sleep(0.2)
        assert report.get("running"), f"not running (exit {app.poll()}): {stderr_path.read_text()}"
        assert "grabbed" in report["hotkey"], report["hotkey"]
        handed_over = inflow("capture", "--window")
        assert handed_over.returncode == 0, handed_over.stderr
        send_command(Path(report["paths"]["socket"]), {"cmd": "quit"}, timeout=5.0)
        assert app.wait(timeout=15) == 0, stderr_path.read_text()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
