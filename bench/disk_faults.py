"""Disk faults (issue 14 part 5): the real CLI against a full disk, a read-only folder, a library locked
by another process, a corrupt and a truncated library, one from a newer Inflow, and a backup that does
not verify. Each must end with one clear line (no traceback), nothing overwritten: the moments already
kept are still there (or, for a damaged file, it is moved aside under a timestamped name, never deleted).

The full disk and the read-only folder are small tmpfs mounts (they need root; skipped otherwise).

    python -m bench.disk_faults --runs 1
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.db import open_database
from storage.models import Draft
from storage.moments import add_moment

ROOT = Path(__file__).resolve().parents[1]
STAMPED = re.compile(r"inflow\.db\.corrupt-\d{8}T\d{6}Z(-\d+)?$")


@dataclass
class Outcome:
    case: str
    returncode: int
    said: str  # what the person read (stderr, or stdout when stderr is empty)
    problems: list[str]


class Library:
    """A base folder with two kept moments, and the real CLI run on it as a separate process."""

    def __init__(self, basedir: Path) -> None:
        self.basedir = basedir
        self.db = basedir / "data" / "inflow.db"
        runtime = basedir.parent / f"{basedir.name}-run"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
        self.env.pop("INFLOW_BASEDIR", None)

    def run(self, *args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "--basedir", str(self.basedir), *args], input=stdin, capture_output=True,
            text=True, cwd=ROOT, env=self.env, timeout=timeout, check=False,
        )  # fmt: skip

    def seed(self) -> None:
        """Two moments, written in this process (as the CLI writes them, without its start-up cost)."""
        self.db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = open_database(self.db)
        for n in range(2):
            add_moment(db, Draft(title=f"kept {n}", body=f"a moment kept before the fault {n}"))
        db.close()

    def titles(self, path: Path | None = None) -> list[str]:
        conn = sqlite3.connect(f"file:{path or self.db}?mode=ro", uri=True)
        try:
            return sorted(row[0] for row in conn.execute("SELECT title FROM moments"))
        finally:
            conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def told(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stderr or result.stdout).strip()


def one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> list[str]:
    """Problems with what the person read: a traceback, several lines, success, or a missing word."""
    text = told(result)
    problems = []
    if "Traceback" in text:
        problems.append("a traceback reached the person")
    if result.returncode == 0:
        problems.append("it claimed success")
    if len(text.splitlines()) != 1:
        problems.append(f"{len(text.splitlines())} lines instead of one")
    problems += [f"does not say {word!r}" for word in words if word.lower() not in text.lower()]
    return problems


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def can_mount() -> bool:
    """True when this process may mount a tmpfs (root on Linux)."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def full_disk(work: Path) -> Outcome:
    with tmpfs(work / "m", "3m") as mount:
        lib = Library(mount / "base")
        lib.seed()
        filler = mount / "filler"
        with filler.open("wb") as out:  # fill the disk to its last block
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        result = lib.run("capture", "--title", "on a full disk", stdin="x" * 600_000)
        problems = one_clear_line(result, "full")
        backup = lib.run("backup")
        problems += [f"backup: {p}" for p in one_clear_line(backup, "full")]
        leftovers = (
            list((lib.basedir / "data" / "backups").glob("*.db")) if (lib.basedir / "data" / "backups").exists() else []
        )
        problems += [f"a partial backup was left: {p.name}" for p in leftovers]
        filler.unlink()
        if lib.titles() != ["kept 0", "kept 1"]:
            problems.append(f"the kept moments changed: {lib.titles()}")
        if lib.run("capture", "--title", "after", "space again").returncode != 0:
            problems.append("no capture once space was back")
        return Outcome("full disk", result.returncode, told(result) + " | backup: " + told(backup), problems)


def read_only(work: Path) -> Outcome:
    with tmpfs(work / "m", "8m") as mount:
        lib = Library(mount / "base")
        lib.seed()
        before = digest(lib.db)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        result = lib.run("capture", "--title", "read-only", "on a read-only folder")
        problems = one_clear_line(result, "read-only")
        if digest(lib.db) != before:
            problems.append("the library changed")
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        return Outcome("read-only folder", result.returncode, told(result), problems)


def locked(work: Path) -> Outcome:
    lib = Library(work / "lib")
    lib.seed()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
         "c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(30)", str(lib.db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        if holder.stdout is None or holder.stdout.readline().strip() != "held":
            raise RuntimeError("the process meant to hold the library did not take its lock")
        start = time.monotonic()
        result = lib.run("capture", "--title", "locked", "while another process holds the library")
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    problems = one_clear_line(result, "locked")
    if waited > 20:
        problems.append(f"waited {waited:.0f} s")
    if lib.titles() != ["kept 0", "kept 1"]:
        problems.append(f"the kept moments changed: {lib.titles()}")
    return Outcome("locked by another process", result.returncode, told(result), problems)


def damaged(work: Path, name: str, damage: Callable[[Path], None]) -> Outcome:
    lib = Library(work / "lib")
    lib.seed()
    lib.run("search", "kept")  # a clean close checkpoints the WAL into the file
    before = lib.db.read_bytes()
    damage(lib.db)
    damaged_bytes = lib.db.read_bytes()
    result = lib.run("capture", "--title", "after damage", "written after the damage")
    problems = one_clear_line(result, "damaged") if result.returncode != 0 else []
    moved = [p for p in lib.db.parent.iterdir() if STAMPED.search(p.name)]
    if not moved:
        problems.append("the damaged file was not moved aside under a timestamped name")
    elif moved[0].read_bytes() != damaged_bytes:
        problems.append("the file moved aside is not the damaged file as it was")
    if before == damaged_bytes:
        problems.append("the damage did nothing")
    return Outcome(name, result.returncode, told(result), problems)


def garbage(db: Path) -> None:
    with db.open("r+b") as f:
        f.write(b"this is not a database" * 10)


def truncate(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def newer(work: Path) -> Outcome:
    lib = Library(work / "lib")
    lib.seed()
    conn = sqlite3.connect(lib.db)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('inflow', '9999_from_the_future', '')"
        )
    conn.close()
    lib.run("search", "kept")
    before = digest(lib.db)
    result = lib.run("capture", "--title", "newer", "into a library from a newer Inflow")
    problems = one_clear_line(result, "newer")
    if digest(lib.db) != before:
        problems.append("the library changed")
    return Outcome("from a newer Inflow", result.returncode, told(result), problems)


def bad_backup(work: Path) -> Outcome:
    lib = Library(work / "lib")
    lib.seed()
    backups = lib.basedir / "data" / "backups"
    backups.mkdir(exist_ok=True)
    bad = backups / "inflow-20260101-000000.db"
    bad.write_bytes(b"SQLite format 3\0" + os.urandom(8000))
    lib.run("search", "kept")
    before = digest(lib.db)
    result = lib.run("restore", "--yes", str(bad))
    problems = one_clear_line(result)
    if digest(lib.db) != before or lib.titles() != ["kept 0", "kept 1"]:
        problems.append("the library changed")
    if not bad.exists():
        problems.append("the bad backup was deleted")
    return Outcome("backup that does not verify", result.returncode, told(result), problems)


def cases(mount: bool) -> list[tuple[str, Callable[[Path], Outcome]]]:
    found: list[tuple[str, Callable[[Path], Outcome]]] = [
        ("locked", locked),
        ("corrupt", lambda w: damaged(w, "corrupt library", garbage)),
        ("truncated", lambda w: damaged(w, "truncated library", truncate)),
        ("newer", newer),
        ("bad backup", bad_backup),
    ]
    if mount:
        found[:0] = [("full", full_disk), ("read-only", read_only)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="how many times to run every case")
    args = parser.parse_args(argv)
    bad = 0
    print(f"{'case':<28} {'rc':>3} {'ok':<3} what the person read")
    with tempfile.TemporaryDirectory(prefix="inflow-disk-") as tmp:
        for run in range(args.runs):
            for n, (_key, case) in enumerate(cases(can_mount())):
                outcome = case(Path(tmp) / f"r{run}c{n}")  # neutral names: a path never says "full" for it
                bad += len(outcome.problems)
                ok = "yes" if not outcome.problems else "NO"
                print(f"{outcome.case:<28} {outcome.returncode:>3} {ok:<3} {outcome.said.replace(tmp, '…')}")
                for problem in outcome.problems:
                    print(f"{'':<33}- {problem}")
    if not can_mount():
        print("full disk and read-only folder skipped: mounting a tmpfs needs root on Linux")
    print(f"total problems: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
