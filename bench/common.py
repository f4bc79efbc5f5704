"""Helpers shared by the benchmarks: percentiles, a synthetic library, a reproducible word list."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from storage.db import open_database

WORDS = [f"w{n}" for n in range(5000)]
COMMON = "alpha"  # in about a third of all moments
RARE = "beta"  # in about 5 %
SECOND = "gamma"  # in about 8 %: two-term queries pair it with RARE


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(samples: list[float]) -> str:
    median = statistics.median(samples)
    return f"median {median:.2f} ms, p95 {percentile(samples, 0.95):.2f} ms (n={len(samples)})"


def time_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def synthetic_library(path: Path, count: int, seed: int = 7) -> Database:
    """A library of `count` moments with realistic lengths and controlled term frequencies."""
    if path.exists():
        return open_database(path)
    db = open_database(path)
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        words = rng.choices(WORDS, k=rng.randint(20, 120))
        if rng.random() < 0.33:
            words.insert(rng.randrange(len(words)), COMMON)
        if rng.random() < 0.05:
            words.insert(rng.randrange(len(words)), RARE)
        if rng.random() < 0.08:
            words.insert(rng.randrange(len(words)), SECOND)
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 8)))
        stamp = f"2026-{1 + i * 12 // count:02d}-01T00:00:{i % 60:02d}.{i % 1000:03d}Z"
        rows.append(
            (
                f"id-{i:08d}",
                rng.choice(["resource", "tip", "question"]),
                title,
                " ".join(words),
                json.dumps(rng.sample(["git", "python", "k8s", "sql", "ux"], k=rng.randint(0, 2))),
                stamp,
                stamp,
            )
        )
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO moments (id, kind, title, body, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute(
            "INSERT INTO moment_tags (moment_rowid, tag) SELECT moments.rowid, value FROM moments, json_each(tags)"
        )
    return db


def library_arguments(description: str | None = None) -> argparse.ArgumentParser:
    """The options every storage benchmark shares: --count, --dir (reuse a library), --repeat."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="reuse the synthetic library in DIR")
    parser.add_argument("--repeat", type=int, default=200)
    return parser


def bench_library(args: argparse.Namespace) -> Path:
    """The synthetic library of `args.count` moments in `args.dir` (built once, then reused), timed."""
    folder = args.dir or Path(tempfile.mkdtemp(prefix="inflow-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"library-{args.count}.db"
    started = time.perf_counter()
    synthetic_library(path, args.count).close()
    print(f"library: {path} ({args.count} moments, built in {time.perf_counter() - started:.1f} s)")
    return path
