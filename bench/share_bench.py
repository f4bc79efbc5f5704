"""Sharing a big capture: `inflow capture --share` (the secret check) beside the same capture without it.

    .venv/bin/python -m bench.share_bench [--kb 800] [--repeat 5] [--repo DIR]

Writes a note of about KB kilobytes (prose from a small vocabulary, 12 words a line), adds a webhook
target (on a loopback port nobody listens on: capturing only queues) in a temporary --basedir, then
times `python -m app capture --share team < NOTE` and the floor, `python -m app capture < NOTE`,
alternately, from DIR (default: this checkout; point it at an unpacked older commit to compare).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOCABULARY = [
    "the",
    "of",
    "learning",
    "rebase",
    "commit",
    "branch",
    "merge",
    "conflict",
    "token",
    "flow",
    "docs",
    "page",
    "example",
    "tip",
    "question",
]


def write_note(path: Path, kilobytes: int) -> None:
    rng = random.Random(1)
    lines: list[str] = []
    size = 0
    while size < kilobytes * 1024:
        line = " ".join(rng.choices(VOCABULARY, k=12))
        lines.append(line)
        size += len(line) + 1
    path.write_text("\n".join(lines), encoding="utf-8")


def run_capture(repo: Path, basedir: Path, note: Path, *share: str) -> float:
    command = [sys.executable, "-m", "app", "--basedir", str(basedir), "capture", *share]
    with note.open("rb") as stdin:
        start = time.perf_counter()
        subprocess.run(command, cwd=repo, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repo", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        basedir, note = Path(folder) / "base", Path(folder) / "note.txt"
        write_note(note, args.kb)
        subprocess.run(
            [sys.executable, "-m", "app", "--basedir", str(basedir), "target", "add", "webhook", "--name", "team",
             "--set", "url=http://127.0.0.1:9/hook"],
            cwd=args.repo, stdin=subprocess.DEVNULL, check=True, capture_output=True,
        )  # fmt: skip
        shared, floor = [], []
        for _ in range(args.repeat):
            shared.append(run_capture(args.repo, basedir, note, "--share", "team"))
            floor.append(run_capture(args.repo, basedir, note))
    share_ms, floor_ms = statistics.median(shared) * 1000, statistics.median(floor) * 1000
    print(f"{args.repo}: {args.kb} KB note, median of {args.repeat}")
    print(f"  capture --share team: {share_ms:.0f} ms")
    print(f"  capture (floor):      {floor_ms:.0f} ms")
    print(f"  ratio: {share_ms / floor_ms:.2f}")


if __name__ == "__main__":
    main()
