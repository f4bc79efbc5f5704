"""Today's resurfacing queue at 100k moments: p95 of app.resurface.queue beside the floor, the same two
SQL statements (today's review count, the due cards) run on a bare sqlite3 connection.

Run: python -m bench.resurface_bench [--count 100000] [--repeat 300]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.resurface import Answer, day_start, queue, review, stamp
from bench.common import percentile, summary, synthetic_library, time_ms

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # about half of the synthetic library's cards are due


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inflow.db"
        db = synthetic_library(path, args.count)
        cards = db.execute("SELECT count(*) FROM resurface_cards WHERE due <= ?", [stamp(NOW)]).fetchone()[0]
        for row in queue(db, 1, clock=lambda: NOW):  # one reviewed today: the count has something to find
            review(db, row.moment_id, Answer.STILL_USEFUL, clock=lambda: NOW)
        ours = time_ms(lambda: queue(db, 3, clock=lambda: NOW), args.repeat)
        raw = sqlite3.connect(path)
        now, start = stamp(NOW), stamp(day_start(NOW))

        def floor() -> object:
            raw.execute("SELECT count(*) FROM resurface_cards WHERE last_review >= ?", [start]).fetchone()
            return raw.execute(
                "SELECT m.id, m.title, m.kind, m.url, c.due, c.state, c.step, c.stability, c.difficulty, "
                "c.last_review, c.reps, c.lapses FROM resurface_cards c JOIN moments m ON m.rowid = c.moment_rowid "
                "WHERE c.never_resurface = 0 AND c.due <= ? AND m.deleted_at IS NULL "
                "AND m.kind IN ('tip', 'resource') ORDER BY c.due LIMIT ?",
                [now, 2],
            ).fetchall()

        bare = time_ms(floor, args.repeat)
        ratio = percentile(ours, 0.95) / percentile(bare, 0.95)
        print(f"{args.count} moments, {cards} cards due")
        print(f"today's queue: {summary(ours)}")
        print(f"floor (bare sqlite3, same SQL): {summary(bare)}")
        print(f"ratio p95: {ratio:.2f}x (goal: p95 <= 20 ms)")


if __name__ == "__main__":
    main()
