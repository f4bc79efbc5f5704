"""Size and start-up of the frozen bundle (build.spec), each beside its floor.

    .venv/bin/python -m bench.bundle_size [--reuse] [--dist DIR] [--work DIR] [--repeat 5]

Builds `DIST/inflow` with the venv's PyInstaller (or, with --reuse, measures the one already there),
then prints: the size on disk and as tar.gz (Python's tarfile, gzip level 6), the 15 largest files and
folders inside, and the median wall time of fresh processes for `inflow --version` and
`inflow --self-test` (against a temporary --basedir), beside `python -m app` doing the same from the
venv. The page cache is warm except for the first run after a build, which is reported on its own.
Run it inside scripts/with-desktop.sh to self-test on xcb; without DISPLAY Qt uses offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MB = 1e6


def build(dist: Path, work: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "pyinstaller"),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            "build.spec",
        ],
        cwd=ROOT,
        check=True,
        timeout=900,
    )
    return time.perf_counter() - start


def file_bytes(path: Path) -> int:
    return 0 if path.is_symlink() or not path.is_file() else path.stat().st_size


def disk_bytes(folder: Path) -> int:
    return sum(file_bytes(p) for p in folder.rglob("*"))


def tar_gz_bytes(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "inflow.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return archive.stat().st_size


def largest(folder: Path, count: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(files, folders), the `count` largest of each; a folder's size includes everything below it."""
    files: list[tuple[int, str]] = []
    folders: dict[Path, int] = {}
    for path in folder.rglob("*"):
        size = file_bytes(path)
        if not size:
            continue
        files.append((size, str(path.relative_to(folder))))
        for parent in path.relative_to(folder).parents:
            if parent != Path("."):
                folders[parent] = folders.get(parent, 0) + size
    files.sort(reverse=True)
    ranked = sorted(((size, f"{p}/") for p, size in folders.items()), reverse=True)
    return files[:count], ranked[:count]


def wall_ms(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return elapsed


def timings(command: list[str], repeat: int, env: dict[str, str], cwd: Path) -> list[float]:
    return [wall_ms(command, env, cwd) for _ in range(repeat)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="PyInstaller --distpath")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller --workpath")
    parser.add_argument("--reuse", action="store_true", help="measure DIST/inflow as it is, if present")
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per timing (median)")
    args = parser.parse_args()

    folder = args.dist / "inflow"
    binary = folder / "inflow"
    if args.reuse and binary.is_file():
        print(f"reusing {folder}")
        built = False
    else:
        seconds = build(args.dist, args.work)
        print(f"build: {seconds:.1f} s (pyinstaller --noconfirm build.spec)")
        built = True

    files, folders = largest(folder, 15)
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"on disk: {disk_bytes(folder) / MB:.1f} MB in {count} files")
    print(f"tar.gz:  {tar_gz_bytes(folder) / MB:.1f} MB (tarfile, gzip level 6)")
    print("largest files:")
    for size, name in files:
        print(f"  {size / MB:7.1f} MB  {name}")
    print("largest folders:")
    for size, name in folders:
        print(f"  {size / MB:7.1f} MB  {name}")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INFLOW_"))}
    platform = "xcb" if env.get("DISPLAY") and env.get("QT_QPA_PLATFORM", "xcb") == "xcb" else "offscreen"
    venv_app = [sys.executable, "-m", "app"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if built:
            first = wall_ms([str(binary), "--version"], env, base)
            print(f"first run after the build, --version: {first:.0f} ms")
        rows = [
            ("--version", [str(binary), "--version"], [*venv_app, "--version"]),
            (
                f"--self-test ({platform})",
                [str(binary), "--basedir", str(base / "frozen"), "--self-test"],
                [*venv_app, "--basedir", str(base / "venv"), "--self-test"],
            ),
        ]
        for label, frozen, floor in rows:
            frozen_ms = timings(frozen, args.repeat, env, base)
            floor_ms = timings(floor, args.repeat, {**env, "PYTHONPATH": str(ROOT)}, base)
            print(
                f"{label}: frozen median {statistics.median(frozen_ms):.0f} ms "
                f"(min {min(frozen_ms):.0f}), "
                f"venv `python -m app` median {statistics.median(floor_ms):.0f} ms "
                f"(min {min(floor_ms):.0f}), n={args.repeat}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
