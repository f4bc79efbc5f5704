"""The weekly look back's figures: ISO weeks in the local zone (across a year boundary), counts, shares."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment, delete_moments
from storage.week import chart, parse_week, previous_weeks, week_bounds, week_of, week_summary

BERLIN = ZoneInfo("Europe/Berlin")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def test_iso_weeks_across_the_year_boundary() -> None:
    assert parse_week("2026-W53") == (2026, 53)  # 2026 has 53 ISO weeks (it starts on a Thursday)
    with pytest.raises(ValueError, match="YYYY-Www"):
        parse_week("2027-W53")
    assert previous_weeks(2027, 2, 4) == [(2026, 52), (2026, 53), (2027, 1), (2027, 2)]
    # 2027-W01 begins Monday 4 January 2027, 00:00 in Berlin = 3 January 23:00 UTC.
    assert week_bounds(2027, 1, BERLIN) == ("2027-01-03T23:00:00.000Z", "2027-01-10T23:00:00.000Z")
    assert week_bounds(2026, 53, BERLIN)[1] == "2027-01-03T23:00:00.000Z"
    # Sunday 3 January 23:30 UTC is already Monday in Berlin, still Sunday in UTC.
    instant = datetime(2027, 1, 3, 23, 30, tzinfo=UTC)
    assert week_of(instant, UTC) == (2026, 53)
    assert week_of(instant, BERLIN) == (2027, 1)
    assert week_of(datetime(2027, 1, 3, 10, 30, tzinfo=UTC), AUCKLAND) == (2026, 53)  # 23:30 local (UTC+13)
    assert week_of(datetime(2027, 1, 3, 11, 30, tzinfo=UTC), AUCKLAND) == (2027, 1)


def test_a_week_spanning_a_dst_change_is_167_hours() -> None:
    start, end = week_bounds(2026, 13, BERLIN)  # summer time begins Sunday 29 March 2026
    span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    assert span.total_seconds() == 167 * 3600


def _add(db: Database, kind: Kind, title: str, when: str, *, tags: tuple[str, ...] = (), share: bool = False) -> str:
    draft = Draft(kind=kind, title=title, body="b", tags=tags, share_to=("team",) if share else ())
    return add_moment(db, draft, now=when).id


def test_week_summary_counts_what_was_captured_shared_and_answered(db: Database) -> None:
    _add(db, Kind.TIP, "late sunday utc, monday in berlin", "2027-01-03T23:30:00.000Z", tags=("git",))
    _add(db, Kind.RESOURCE, "a doc", "2027-01-05T09:00:00.000Z", tags=("git", "docs"))
    shared = _add(db, Kind.QUESTION, "how to rebase?", "2027-01-06T09:00:00.000Z", share=True)
    _add(db, Kind.TIP, "the week before", "2027-01-03T22:30:00.000Z")
    gone = _add(db, Kind.TIP, "deleted", "2027-01-05T10:00:00.000Z")
    delete_moments(db, [gone])
    old_question = _add(db, Kind.QUESTION, "still open", "2026-12-01T09:00:00.000Z")
    rowid = db.execute("SELECT rowid FROM moments WHERE id = ?", [shared]).fetchone()[0]
    db.execute(
        "UPDATE outbox SET state = 'sent', remote_link = 'https://chat.example/p/1' WHERE moment_rowid = ?", [rowid]
    )
    db.execute(
        "INSERT INTO replies (moment_rowid, target, remote_id, author, body, created_at, fetched_at) "
        "VALUES (?, 'team', 'r1', 'ana', 'use -i', '2027-01-06T10:00:00.000Z', '2027-01-06T10:01:00.000Z')",
        [rowid],
    )
    db.conn.commit()

    summary = week_summary(db, 2027, 1, BERLIN)
    assert summary.week == "2027-W01"
    assert summary.by_kind == {Kind.RESOURCE: 1, Kind.TIP: 1, Kind.QUESTION: 1}
    assert summary.by_tag == [("git", 2), ("docs", 1)]
    assert [(s.title, s.target, s.state, s.link, s.answers) for s in summary.shared] == [
        ("how to rebase?", "team", "sent", "https://chat.example/p/1", 1)
    ]
    assert summary.answers == 1
    assert [q.moment_id for q in summary.open_questions] == [shared, old_question]
    assert [b.week for b in summary.chart][-2:] == ["2026-W53", "2027-W01"]
    assert summary.chart[-2].counts[Kind.TIP] == 1  # "the week before" (Sunday 23:30 in Berlin)
    assert summary.chart[-1].total == 3
    assert len(summary.chart) == 12


def test_chart_leaves_out_colleagues_feed_items(db: Database) -> None:
    _add(db, Kind.TIP, "mine", "2027-01-05T09:00:00.000Z")
    db.execute(
        "INSERT INTO moments (id, kind, title, origin, created_at, updated_at) "
        "VALUES ('feed-1', 'tip', 'theirs', 'team', '2027-01-05T09:00:00.000Z', '2027-01-05T09:00:00.000Z')"
    )
    db.conn.commit()
    assert [b.total for b in chart(db, 2027, 1, BERLIN, 2)] == [0, 1]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Kind)), st.booleans(), st.sampled_from(["sent", "pending", "cancelled"])),
        min_size=1,
        max_size=8,
    )
)
def test_only_moments_shared_with_a_target_are_listed_as_shared(moments: list[tuple[Kind, bool, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "inflow.db")
        expected = set()
        for i, (kind, shared, state) in enumerate(moments):
            moment_id = _add(db, kind, f"m{i}", "2027-01-05T09:00:00.000Z", share=shared)
            db.execute(
                "UPDATE outbox SET state = ? WHERE moment_rowid = (SELECT rowid FROM moments WHERE id = ?)",
                [state, moment_id],
            )
            if shared and state != "cancelled":
                expected.add(moment_id)
        db.conn.commit()
        listed = {s.moment_id for s in week_summary(db, 2027, 1, BERLIN).shared}
        db.close()
    assert listed == expected  # private moments and cancelled shares never appear
