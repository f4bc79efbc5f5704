"""The weekly look back at 100k moments: `storage.week.week_summary` (six queries, 12-week chart) vs the
bare SQL doing the same counting on a raw sqlite3 connection (the floor), p95 and the ratio.

    .venv/bin/python -m bench.week_bench [--count 100000] [--dir DIR] [--repeat 200]

The synthetic library (bench.common) stamps its moments on the first day of each month of 2026, so the
week measured (2026-W49, holding 1 December) has ~8,300 moments and its chart ~25,000.
"""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo

from bench.common import bench_library, library_arguments, percentile, summary, time_ms
from storage.db import open_database
from storage.week import previous_weeks, week_bounds, week_summary

ZONE = ZoneInfo("Europe/Berlin")
YEAR, WEEK = 2026, 49


def _floor(conn: sqlite3.Connection) -> None:
    """The same counts written by hand: by kind, by tag, open questions and the 12-week chart."""
    start, end = week_bounds(YEAR, WEEK, ZONE)
    live = "deleted_at IS NULL AND origin != 'team'"
    conn.execute(
        f"SELECT kind, count(*) FROM moments WHERE {live} AND created_at >= ? AND created_at < ? GROUP BY kind",
        [start, end],
    ).fetchall()
    conn.execute(
        "SELECT t.tag, count(*) FROM moments m JOIN moment_tags t ON t.moment_rowid = m.rowid "
        "WHERE m.deleted_at IS NULL AND m.origin != 'team' AND m.created_at >= ? AND m.created_at < ? GROUP BY t.tag",
        [start, end],
    ).fetchall()
    conn.execute(
        f"SELECT id, title FROM moments WHERE {live} AND kind = 'question' AND answered_at IS NULL "
        "AND created_at < ? ORDER BY created_at DESC LIMIT 50",
        [end],
    ).fetchall()
    for y, w in previous_weeks(YEAR, WEEK, 12):
        s, e = week_bounds(y, w, ZONE)
        conn.execute(
            f"SELECT kind, count(*) FROM moments WHERE {live} AND created_at >= ? AND created_at < ? GROUP BY kind",
            [s, e],
        ).fetchall()


def main() -> None:
    args = library_arguments().parse_args()
    path = bench_library(args)
    db = open_database(path)
    result = week_summary(db, YEAR, WEEK, ZONE)
    print(f"week {result.week}: {result.captured} captured, chart total {sum(b.total for b in result.chart)}")
    ours = time_ms(lambda: week_summary(db, YEAR, WEEK, ZONE), args.repeat)
    conn = sqlite3.connect(path)
    floor = time_ms(lambda: _floor(conn), args.repeat)
    print(f"week_summary (storage.week): {summary(ours)}")
    print(f"bare SQL (floor):            {summary(floor)}")
    print(f"ratio (p95): {percentile(ours, 0.95) / percentile(floor, 0.95):.2f}   goal: p95 <= 20 ms")


if __name__ == "__main__":
    main()
