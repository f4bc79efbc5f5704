"""`inflow digest [--week YYYY-Www] [--format text|markdown|json]`: the weekly look back, printed."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from app.cli_support import UsageError, open_library
from app.digest import as_markdown, as_text, local_zone
from app.paths import Paths
from storage.week import dumps, parse_week, week_of, week_summary


def digest(args: argparse.Namespace, paths: Paths, *, now: datetime | None = None) -> int:
    """Print the week's figures (this week by default, in the local time zone)."""
    zone = local_zone()
    if args.week:
        try:
            year, week = parse_week(args.week)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    else:
        year, week = week_of(now or datetime.now(UTC), zone)
    db = open_library(paths)
    try:
        summary = week_summary(db, year, week, zone)
    finally:
        db.close()
    if args.format == "json":
        print(dumps(summary))
    elif args.format == "markdown":
        print(as_markdown(summary, zone), end="")
    else:
        print(as_text(summary, zone))
    return 0
