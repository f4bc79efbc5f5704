"""The .deb (scripts/package.sh deb) from the session's bundle: lintian-clean, laid out as docs/ADMIN.md
says, installed with apt as root, self-tested and used by an unprivileged user on the session's X server,
then purged without a trace. Needs root and apt (CI runs as root); skipped otherwise."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.version import __version__
from tests.e2e.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "installs a .deb with apt: needs root (CI runs as root)"
    missing = [tool for tool in ("apt-get", "dpkg-deb", "lintian", "runuser", "useradd") if shutil.which(tool) is None]
    if missing:
        return f"needs {', '.join(missing)} (the test command installs them on Debian)"
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "inflow"], capture_output=True, text=True, check=False)
    if status.stdout.split()[-1:] == ["installed"]:
        return "an inflow package is already installed on this machine; the test would remove it"
    return None


if _skip_reason():
    pytestmark.append(pytest.mark.skip(reason=_skip_reason() or ""))


def run(*command: str, timeout: float = 600, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def deb(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    result = subprocess.run(
        ["bash", "scripts/package.sh", "deb", str(out)],
        cwd=ROOT,
        # gzip -1: this package is installed and purged, never shipped (the release build uses xz)
        env={**os.environ, "INFLOW_BUNDLE": str(bundle), "INFLOW_DEB_COMPRESSION": "gzip-fast"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    package = out / f"inflow_{__version__}_amd64.deb"
    assert package.is_file(), list(out.iterdir())
    return package


def contents(deb: Path) -> dict[str, str]:
    """{path: mode string or '-> target'} of the package's files."""
    listing = run("dpkg-deb", "--contents", str(deb)).stdout.splitlines()
    found = {}
    for line in listing:
        mode, _owner, _size, _date, _time, name, *link = line.split(maxsplit=6)
        found[name.removeprefix(".")] = f"-> {link[0].removeprefix('-> ')}" if link else mode
    return found


def control(deb: Path) -> dict[str, str]:
    fields = {}
    for field in ("Depends", "Package", "Version", "Architecture"):
        fields[field] = run("dpkg-deb", "--field", str(deb), field).stdout.strip()
    return fields


def test_lintian_finds_nothing_that_is_not_justified(deb: Path) -> None:
    result = run("lintian", "--fail-on", "none", str(deb), timeout=900)
    findings = [line for line in result.stdout.splitlines() if line.startswith(("E:", "W:"))]
    assert findings == [], "\n".join(findings)


def test_the_layout_is_the_documented_one_and_nothing_goes_to_etc(deb: Path) -> None:
    files = contents(deb)
    assert files["/usr/bin/inflow"] == "-> /opt/inflow/inflow"
    assert files["/opt/inflow/inflow"].startswith("-rwxr-xr-x")
    for path in (
        "/opt/inflow/_internal/PySide6/Qt/plugins/platforms/libqxcb.so",
        "/usr/share/applications/inflow.desktop",
        "/usr/share/icons/hicolor/scalable/apps/inflow.svg",
        "/usr/share/metainfo/org.inflow.Inflow.metainfo.xml",
        "/usr/share/man/man1/inflow.1.gz",
        "/usr/share/doc/inflow/policy.example.toml",
        "/usr/share/doc/inflow/copyright",
        "/usr/share/inflow/autostart/inflow.desktop",
        *(f"/usr/share/icons/hicolor/{size}x{size}/apps/inflow.png" for size in PNG_SIZES),
    ):
        assert path in files, path
    assert not [path for path in files if path.startswith("/etc")]
    scripts = run("sh", "-c", f"dpkg-deb --ctrl-tarfile '{deb}' | tar -t").stdout.split()
    assert sorted(scripts) == ["./", "./control", "./md5sums"]  # no maintainer scripts, no conffiles


def test_depends_lists_the_system_libraries_the_bundle_links(deb: Path) -> None:
    fields = control(deb)
    assert (fields["Package"], fields["Version"], fields["Architecture"]) == ("inflow", __version__, "amd64")
    depends = [part.strip() for part in fields["Depends"].split(",")]
    assert any(part.startswith("libc6 (>= ") for part in depends), depends
    assert "libxcb1" in depends  # the bundle's xcb plugin links the system's libxcb.so.1
    for alternative in depends:
        name = alternative.split("|")[0].split()[0]
        status = run("dpkg-query", "-W", "-f=${Status}", name).stdout
        assert status == "install ok installed", f"{name} is not a Debian package installed here"


def test_the_man_page_is_the_clis_own_help(deb: Path, tmp_path: Path) -> None:
    run("dpkg-deb", "-x", str(deb), str(tmp_path))
    page = run("sh", "-c", f"zcat '{tmp_path}/usr/share/man/man1/inflow.1.gz'").stdout
    for command in ("inflow capture", "inflow target add", "inflow sync now", "--self-test"):
        assert command in page, command
    if shutil.which("man"):
        rendered = run("man", "--warnings", "-l", "-Tutf8", str(tmp_path / "usr/share/man/man1/inflow.1.gz"))
        assert rendered.returncode == 0, rendered.stderr
        assert "inflow capture" in rendered.stdout


@pytest.fixture
def user() -> Iterator[tuple[str, Path]]:
    """An unprivileged user with a home outside /root (removed afterwards)."""
    name = f"inflowdeb{os.getpid() % 100000}"
    home = Path(tempfile.mkdtemp(prefix="inflow-deb-home-", dir="/tmp"))
    created = run("useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/sh", name)
    assert created.returncode == 0, created.stderr
    entry = pwd.getpwnam(name)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    (home / "run").mkdir(mode=0o700)
    os.chown(home / "run", entry.pw_uid, entry.pw_gid)
    try:
        yield name, home
    finally:
        run("userdel", name)
        shutil.rmtree(home, ignore_errors=True)


def as_user(user: tuple[str, Path], *command: str) -> subprocess.CompletedProcess[str]:
    name, home = user
    env = [f"HOME={home}", f"XDG_RUNTIME_DIR={home / 'run'}", "PATH=/usr/bin:/bin", "LANG=C.UTF-8"]
    if os.environ.get("DISPLAY"):
        env.append(f"DISPLAY={os.environ['DISPLAY']}")
    return run("runuser", "-u", name, "--", "env", "-i", *env, "dbus-run-session", "--", *command, cwd="/")


@pytest.mark.x11
def test_installed_with_apt_self_tested_used_and_purged(deb: Path, user: tuple[str, Path]) -> None:
    etc_before = Path("/etc/inflow").exists()
    files = [path for path in contents(deb) if not path.endswith("/")]
    installed = run(*APT, "install", "--no-install-recommends", str(deb.resolve()))
    try:
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr
        assert run("dpkg-query", "-W", "-f=${Status}", "inflow").stdout == "install ok installed"

        selftest = as_user(user, "/usr/bin/inflow", "--self-test")
        assert selftest.returncode == 0, selftest.stdout + selftest.stderr
        assert "platform plugin 'xcb' loaded" in selftest.stdout
        assert "self-test: passed" in selftest.stdout

        captured = as_user(user, "/usr/bin/inflow", "capture", "--title", "Debpackage", "stored by the .deb")
        assert captured.returncode == 0, captured.stderr
        found = as_user(user, "/usr/bin/inflow", "search", "Debpackage", "--json")
        assert found.returncode == 0, found.stderr
        hits = json.loads(found.stdout)
        assert [hit["id"] for hit in hits] == [captured.stdout.strip()]
        assert hits[0]["body"] == "stored by the .deb"
    finally:
        purged = run(*APT, "purge", "inflow")
    assert purged.returncode == 0, purged.stdout[-3000:] + purged.stderr
    assert not Path("/opt/inflow").exists()
    left = [path for path in files if os.path.lexists(path) and not Path(path).is_dir()]
    assert left == []
    assert Path("/etc/inflow").exists() == etc_before  # never created or removed by the package
    assert not Path("/etc/xdg/autostart/inflow.desktop").exists()
    library = list(user[1].rglob("inflow.db"))
    assert library, "the person's library stays: no maintainer script touches user data"
