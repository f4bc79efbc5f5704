"""Builds dist/inflow_<version>_amd64.deb from the PyInstaller one-folder bundle (scripts/packaging/deb.sh).

    python packaging/deb.py --bundle dist/inflow --out dist

Layout: the bundle in /opt/inflow/, /usr/bin/inflow (a symbolic link to it), the desktop entry, hicolor
icons (the SVG, and PNGs rendered from it here with Qt's SVG renderer), AppStream metainfo, a man page
generated from the CLI's own --help, the example policy and an autostart entry for admins under
/usr/share/. `Depends:` is computed: every library the bundle's ELF files need from outside the bundle
(`ldd`, with the bundle's folders first on the search path as at run time) mapped to the Debian package
that ships it (`dpkg -S`). Nothing goes to /etc (the policy folder is the admin's), and there are no
maintainer scripts: dpkg's triggers of desktop-file-utils, hicolor-icon-theme and man-db do the caches.
Needs only the standard library, PySide6 (icons) and dpkg-deb; runs on Debian and derivatives.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "deb"
APP_ID = "org.inflow.Inflow"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
MAINTAINER = "Inflow maintainers <inflow@example.org>"
# What the bundle needs at run time that no ELF file names: fontconfig's configuration (the bundled
# libfontconfig reads /etc/fonts) and at least one font, or Qt draws no text on a bare system.
RUNTIME_EXTRAS = ("fontconfig-config", "fonts-dejavu-core | fonts-liberation2 | fonts-freefont-ttf")
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(\S+|not found)")
_LDD_DIRECT = re.compile(r"^\s*(/\S+)\s+\(0x")


def read_version() -> str:
    text = (ROOT / "app" / "version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if match is None:
        raise SystemExit("packaging/deb.py: no __version__ in app/version.py")
    return match.group(1)


# ------------------------------------------------------------------------------------- Depends:
def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def library_search_path(bundle: Path) -> str:
    """The folders the bootloader and RPATHs make the bundle's libraries find first."""
    internal = bundle / "_internal"
    return ":".join(str(p) for p in (internal, internal / "PySide6" / "Qt" / "lib", internal / "PySide6"))


def outside_libraries(bundle: Path) -> tuple[set[str], set[str]]:
    """(paths of libraries outside the bundle that its ELF files load, names that `ldd` did not find)."""
    env = {**os.environ, "LD_LIBRARY_PATH": library_search_path(bundle), "LC_ALL": "C"}
    inside = str(bundle.resolve()) + os.sep
    paths: set[str] = set()
    missing: set[str] = set()
    for elf in elf_files(bundle):
        result = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env, check=False)
        for line in result.stdout.splitlines():
            linked = _LDD_LINE.match(line)
            target = linked.group(2) if linked else (_LDD_DIRECT.match(line) or [None, None])[1]
            if target == "not found" and linked:
                missing.add(f"{linked.group(1)} (needed by {elf.relative_to(bundle)})")
            elif target and not os.path.realpath(target).startswith(inside):
                paths.add(target)
    return paths, missing


def owning_package(path: str) -> str:
    """The Debian package shipping `path` (tried as given, resolved, and across the merged /usr)."""
    real = os.path.realpath(path)
    candidates = [path, real]
    for name in (path, real):
        candidates.append(name.removeprefix("/usr") if name.startswith("/usr/") else "/usr" + name)
    for candidate in dict.fromkeys(candidates):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            package = result.stdout.splitlines()[0].split(":", 1)[0].split(",")[0].strip()
            return package
    raise SystemExit(f"packaging/deb.py: no Debian package ships {path} (dpkg -S)")


def installed_version(package: str) -> str:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def depends(bundle: Path) -> list[str]:
    paths, missing = outside_libraries(bundle)
    if missing:
        raise SystemExit(
            "packaging/deb.py: the bundle needs libraries this machine lacks:\n  " + "\n  ".join(sorted(missing))
        )
    packages = sorted({owning_package(path) for path in paths})
    result = []
    for package in packages:
        if package == "libc6":  # the bundle needs a glibc at least as new as the build machine's
            upstream = installed_version("libc6").split("-")[0]
            result.append(f"libc6 (>= {upstream})")
        else:
            result.append(package)
    return [*result, *RUNTIME_EXTRAS]


# ------------------------------------------------------------------------------------- content
def render_pngs(svg: Path, icons: Path) -> None:
    """hicolor PNGs of every size in PNG_SIZES, drawn from the SVG with Qt (offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # kept alive while drawing
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"packaging/deb.py: cannot read {svg}")
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = icons / f"{size}x{size}" / "apps" / "inflow.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):  # PNG, from the suffix
            raise SystemExit(f"packaging/deb.py: cannot write {target}")


def _roff(text: str) -> str:
    lines = []
    for line in text.replace("\\", "\\e").splitlines():
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def _subcommands(help_text: str) -> list[str]:
    """The command names argparse lists under `{...}` or an indented COMMAND block."""
    names, in_block = [], False
    for line in help_text.splitlines():
        if re.match(r"^\s{2}([A-Z]+$|\{)", line):  # COMMAND, ACTION or {a,b}
            in_block = True
            continue
        if in_block:
            match = re.match(r"^\s{4}([a-z][\w-]*)(\s|$)", line)
            if match:
                names.append(match.group(1))
            elif line.strip() and not line.startswith(" " * 6):
                in_block = False
    return names


def man_page(binary: Path, version: str) -> str:
    """inflow(1) from the CLI's own --help (the top level and every command, nested ones too)."""
    env = {**os.environ, "COLUMNS": "78", "LC_ALL": "C.UTF-8"}

    def help_of(*command: str) -> str:
        result = subprocess.run([str(binary), *command, "--help"], capture_output=True, text=True, env=env, check=True)
        return result.stdout.strip()

    top = help_of()
    sections = []
    for name in _subcommands(top):
        text = help_of(name)
        sections.append((name, text))
        sections += [(f"{name} {sub}", help_of(name, sub)) for sub in _subcommands(text)]
    out = [
        f'.TH INFLOW 1 "{time.strftime("%Y-%m-%d", time.gmtime(_source_date()))}" "Inflow {version}" "User Commands"',
        ".SH NAME",
        "inflow \\- capture learning moments in the flow of work",
        ".SH SYNOPSIS",
        ".nf",
        _roff(top.split("\n\n", 1)[0].removeprefix("usage: ")),
        ".fi",
        ".SH DESCRIPTION",
        ".nf",
        _roff(top.split("\n\n", 1)[1]),
        ".fi",
        ".SH COMMANDS",
    ]
    for name, text in sections:
        out += [".SS " + _roff(f"inflow {name}"), ".nf", _roff(text.removeprefix("usage: ")), ".fi"]
    out += [
        ".SH FILES",
        ".TP",
        "/etc/inflow/policy.toml, /etc/inflow/policy.d/*.toml",
        "the organization's enforced policy (see /usr/share/doc/inflow/policy.example.toml)",
        ".SH SEE ALSO",
        "inflow doctor (where the data, configuration and logs are)",
    ]
    return "\n".join(out) + "\n"


def _source_date() -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time (reproducible dates in the man page)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=False)
    return int(result.stdout.strip() or time.time())


def gzip_file(text: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))


def _template(name: str, **values: str) -> str:
    text = (HERE / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def installed_size_kib(root: Path) -> int:
    return sum(-(-p.lstat().st_size // 1024) for p in root.rglob("*") if p.is_file() or p.is_symlink())


def md5sums(root: Path, skip: Iterable[str] = ("DEBIAN",)) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in skip or path.is_symlink() or not path.is_file():
            continue
        lines.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {relative}")
    return "\n".join(lines) + "\n"


def stage(bundle: Path, root: Path, version: str) -> None:
    """Lay out the package's files under `root` (DEBIAN/ included)."""
    shutil.copytree(bundle, root / "opt" / "inflow", symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "inflow").symlink_to("/opt/inflow/inflow")  # across top-level folders: absolute
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "inflow.desktop", share / "applications" / "inflow.desktop")
    icons = share / "icons" / "hicolor"
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "icons" / "inflow.svg", icons / "scalable" / "apps" / "inflow.svg")
    render_pngs(ROOT / "resources" / "icons" / "inflow.svg", icons)
    (share / "metainfo").mkdir(parents=True)
    release = time.strftime("%Y-%m-%d", time.gmtime(_source_date()))
    metainfo = _template("metainfo.xml", VERSION=version, DATE=release, APP_ID=APP_ID)
    (share / "metainfo" / f"{APP_ID}.metainfo.xml").write_text(metainfo, encoding="utf-8")
    gzip_file(man_page(bundle / "inflow", version), share / "man" / "man1" / "inflow.1.gz")
    doc = share / "doc" / "inflow"
    doc.mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "policy" / "policy.example.toml", doc / "policy.example.toml")
    shutil.copy(HERE / "copyright", doc / "copyright")
    gzip_file(
        _template(
            "changelog",
            VERSION=version,
            DATE=time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(_source_date())),
            MAINTAINER=MAINTAINER,
        ),
        doc / "changelog.gz",
    )
    (share / "inflow" / "autostart").mkdir(parents=True)
    shutil.copy(HERE / "autostart.desktop", share / "inflow" / "autostart" / "inflow.desktop")
    (share / "lintian" / "overrides").mkdir(parents=True)
    shutil.copy(HERE / "lintian-overrides", share / "lintian" / "overrides" / "inflow")
    launcher = root / "opt" / "inflow" / "inflow"
    for path in root.rglob("*"):  # dpkg-deb --root-owner-group sets root:root; modes are ours
        if not path.is_symlink():  # only the launcher is executable (shared libraries are not)
            path.chmod(0o755 if path.is_dir() or path == launcher else 0o644)
    control = _template(
        "control",
        VERSION=version,
        MAINTAINER=MAINTAINER,
        DEPENDS=", ".join(depends(root / "opt" / "inflow")),
        INSTALLED_SIZE=str(installed_size_kib(root)),
    )
    (root / "DEBIAN").mkdir(mode=0o755)
    (root / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    (root / "DEBIAN" / "md5sums").write_text(md5sums(root), encoding="utf-8")
    for name in ("control", "md5sums"):
        (root / "DEBIAN" / name).chmod(0o644)


COMPRESSION = {"xz": ["-Zxz"], "gzip-fast": ["-Zgzip", "-z1"]}
"""dpkg-deb's data compression: xz for the release; gzip -1 where the package is built only to be
installed and thrown away (the test suite: xz costs ~80 s of a 2-core machine for ~15 % smaller)."""


def build(bundle: Path, out: Path, compression: str = "xz") -> Path:
    version = read_version()
    if not (bundle / "inflow").is_file():
        raise SystemExit(f"packaging/deb.py: no bundle at {bundle} (build it with pyinstaller build.spec)")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"inflow_{version}_amd64.deb"
    with tempfile.TemporaryDirectory(prefix="inflow-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir(mode=0o755)
        stage(bundle, root, version)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", *COMPRESSION[compression], "--build", str(root), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "inflow", help="the one-folder bundle")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the .deb is written")
    parser.add_argument(
        "--compression", choices=sorted(COMPRESSION), default=os.environ.get("INFLOW_DEB_COMPRESSION", "xz")
    )
    args = parser.parse_args()
    print(build(args.bundle, args.out, args.compression))
    return 0


if __name__ == "__main__":
    sys.exit(main())
