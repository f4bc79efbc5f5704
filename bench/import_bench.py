"""Import of a big bookmarks file: wall time and peak RSS of `inflow import`, and the floor.

    .venv/bin/python -m bench.import_bench --mb 20 [--repo DIR]

Writes a Netscape bookmarks file of about MB megabytes (nested folders, every 50th link a duplicate)
into a temporary folder, then runs `/usr/bin/time -v python -m app --basedir TMP import FILE
--no-snapshots --max 10000000` from DIR (default: this checkout; point it at an unpacked older
commit to compare) and prints wall time and max RSS. The floor is plain sqlite3 inserting the same
rows (url, title, tags, dates) into a bare table in one transaction, in this process.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_bookmarks(path: Path, megabytes: float) -> int:
    """About `megabytes` of bookmarks; returns how many links."""
    target = int(megabytes * 1024 * 1024)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<DL><p>\n")
        while out.tell() < target:
            folder = count // 1000
            out.write(f'<DT><H3 ADD_DATE="1700000000">Folder {folder}</H3>\n<DL><p>\n')
            for _ in range(1000):
                n = count - 1 if count % 50 == 49 else count
                out.write(
                    f'<DT><A HREF="https://example.org/{folder}/page-{n}" ADD_DATE="{1700000000 + n}">'
                    f"Page {n} about learning things</A>\n<DD>A short description of page {n}\n"
                )
                count += 1
            out.write("</DL><p>\n")
        out.write("</DL><p>\n")
    return count


def run_import(repo: Path, basedir: Path, file: Path) -> tuple[float, int, str]:
    """(wall seconds, max RSS KiB, last stdout line) of one `inflow import`."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "app", "--basedir", str(basedir), "import", str(file),
               "--no-snapshots", "--max", "10000000"]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if "unrecognized arguments: --max" in result.stderr:  # an Inflow before the cap
        command = command[:-2]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    lines = result.stdout.strip().splitlines() or result.stderr.strip().splitlines()[-1:]
    return wall, int(rss.group(1)) if rss else -1, lines[-1] if lines else ""


def floor(file: Path, database: Path) -> tuple[float, int]:
    """Plain sqlite3: the same links (regex-scanned) into a bare table, one transaction."""
    pattern = re.compile(r'<A HREF="([^"]*)" ADD_DATE="(\d+)">([^<]*)</A>')
    started = time.perf_counter()
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE moments (url TEXT, title TEXT, tags TEXT, created_at TEXT)")
    with file.open(encoding="utf-8") as handle, conn:
        conn.executemany(
            "INSERT INTO moments VALUES (?, ?, '[]', ?)",
            (m.group(1, 3, 2) for line in handle for m in [pattern.search(line)] if m),
        )
    rows = conn.execute("SELECT count(*) FROM moments").fetchone()[0]
    conn.close()
    return time.perf_counter() - started, int(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--repo", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "bookmarks.html"
        links = write_bookmarks(file, args.mb)
        print(f"file: {file.stat().st_size / 1048576:.1f} MiB, {links:,} links")
        wall, rss, last = run_import(args.repo, Path(tmp) / "base", file)
        print(f"inflow import ({args.repo}): {wall:.1f} s, max RSS {rss / 1024:.0f} MiB; {last}")
        seconds, rows = floor(file, Path(tmp) / "floor.db")
        print(f"floor (sqlite3, bare table, one transaction): {seconds:.1f} s, {rows:,} rows")
        print(f"ratio to the floor: {wall / seconds:.0f}x")


if __name__ == "__main__":
    main()
