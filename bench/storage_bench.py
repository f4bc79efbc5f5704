"""Save and search at 100,000 moments, each beside its floor (the bare engine doing the same work).

    .venv/bin/python -m bench.storage_bench [--count 100000] [--dir DIR]

Save: storage.moments.add_moment (validation, uuid, moment + tags + FTS trigger in one transaction)
vs. a bare sqlite3 INSERT of the same row with the same pragmas and the same triggers.
Search: storage.search.search vs. raw FTS5 ranking every match (`ORDER BY rank`), same data.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from bench.common import (
    COMMON,
    RARE,
    SECOND,
    bench_library,
    library_arguments,
    percentile,
    summary,
    time_ms,
)
from storage.db import open_database
from storage.models import Draft, Kind, MomentQuery
from storage.moments import add_moment
from storage.search import search


def bench_save(path: Path, repeat: int) -> None:
    db = open_database(path)
    draft = Draft(kind=Kind.TIP, title="Benchmark save", body="A short tip about rebasing " * 10, tags=("git",))
    ours = time_ms(lambda: add_moment(db, draft), repeat)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("PRAGMA foreign_keys = ON")

    def bare_insert() -> None:
        raw.execute("BEGIN")
        cur = raw.execute(
            "INSERT INTO moments (id, kind, title, body, tags, created_at, updated_at) "
            "VALUES (?, 'tip', ?, ?, '[\"git\"]', '2026-11-28T00:00:00.000Z', '2026-11-28T00:00:00.000Z')",
            [str(uuid.uuid4()), draft.title, draft.body],
        )
        raw.execute("INSERT INTO moment_tags (moment_rowid, tag) VALUES (?, 'git')", [cur.lastrowid])
        raw.execute("COMMIT")

    floor = time_ms(bare_insert, repeat)
    print(f"save one moment incl. FTS   inflow: {summary(ours)}")
    print(f"                            bare sqlite3: {summary(floor)}")
    print(f"                            ratio (p95): {percentile(ours, 0.95) / percentile(floor, 0.95):.2f}")


def bench_search(path: Path, repeat: int) -> None:
    db = open_database(path, readonly=True)
    total = db.execute("SELECT count(*) FROM moments").fetchone()[0]
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for label, text in [
        (f"rare term ({RARE})", RARE),
        (f"two terms ({RARE} {SECOND})", f"{RARE} {SECOND}"),
        (f"common term ({COMMON})", COMMON),
        (f"common prefix while typing ({COMMON[:3]}*)", COMMON[:3]),
    ]:
        typing = label.startswith("common prefix")
        fts_text = f'"{text}"*' if typing else text
        matches = raw.execute("SELECT count(*) FROM moments_fts WHERE moments_fts MATCH ?", [fts_text]).fetchone()[0]
        # A trailing space means whole words, as after typing them; without it the last word is a prefix.
        query = MomentQuery(text=text if typing else text + " ")
        ours = time_ms(lambda q=query: search(db, q, limit=50), repeat)
        floor = time_ms(
            lambda t=fts_text: raw.execute(
                "SELECT rowid FROM moments_fts WHERE moments_fts MATCH ? ORDER BY rank LIMIT 50", [t]
            ).fetchall(),
            repeat,
        )
        ratio = percentile(ours, 0.95) / percentile(floor, 0.95)
        print(f"search {label}: {matches} of {total} match ({100 * matches / total:.0f} %)")
        print(f"    inflow:           {summary(ours)}")
        print(f"    raw FTS5 ranking: {summary(floor)}   ratio (p95) {ratio:.2f}")


def main() -> None:
    args = library_arguments().parse_args()
    path = bench_library(args)
    bench_search(path, args.repeat)
    bench_save(path, args.repeat)


if __name__ == "__main__":
    main()
