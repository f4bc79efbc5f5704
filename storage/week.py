"""The weekly look back: one ISO week's figures (captured by kind and tag, shared, answers, open
questions) and moments per kind for the last 12 weeks.

Weeks are ISO weeks (YYYY-Www, Monday to Sunday) in the person's local time zone, passed in
explicitly: a week is the span from its local Monday 00:00 to the next, turned into UTC bounds
and compared with the stored UTC stamps (which sort as text). Only the person's own moments count
(`origin != 'team'`: colleagues' feed items are not what they captured).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlite_utils import Database

from storage.models import Kind

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
CHART_WEEKS = 12


def parse_week(text: str) -> tuple[int, int]:
    """`2026-W53` -> (2026, 53); ValueError (worded for the person) when it is no ISO week."""
    match = _WEEK.match(text.strip())
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            pass
        else:
            return year, week
    raise ValueError(f"not an ISO week: {text!r} (write it as YYYY-Www, e.g. 2026-W49)")


def week_label(year: int, week: int) -> str:
    return f"{year:04d}-W{week:02d}"


def week_of(moment: datetime, zone: tzinfo) -> tuple[int, int]:
    """The ISO week (year, week) an aware instant falls in, in `zone`."""
    iso = moment.astimezone(zone).isocalendar()
    return iso.year, iso.week


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def week_bounds(year: int, week: int, zone: tzinfo) -> tuple[str, str]:
    """UTC stamps [start, end) of the ISO week in `zone` (local midnights; DST changes included)."""
    monday = date.fromisocalendar(year, week, 1)
    start = datetime.combine(monday, time(), zone)
    end = datetime.combine(monday + timedelta(days=7), time(), zone)
    return _stamp(start), _stamp(end)


def previous_weeks(year: int, week: int, count: int) -> list[tuple[int, int]]:
    """The `count` ISO weeks ending with (year, week), oldest first."""
    monday = date.fromisocalendar(year, week, 1)
    weeks = []
    for back in range(count - 1, -1, -1):
        iso = (monday - timedelta(weeks=back)).isocalendar()
        weeks.append((iso.year, iso.week))
    return weeks


@dataclass(frozen=True, slots=True)
class SharedItem:
    """One moment shared that week: where, how the delivery stands, the link to the post."""

    moment_id: str
    title: str
    kind: Kind
    target: str
    state: str
    link: str | None
    answers: int


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    moment_id: str
    title: str
    created_at: str


@dataclass(frozen=True, slots=True)
class WeekBar:
    """Moments per kind in one week of the chart."""

    week: str
    counts: dict[Kind, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class WeekSummary:
    week: str
    start: str
    end: str
    by_kind: dict[Kind, int]
    by_tag: list[tuple[str, int]]
    shared: list[SharedItem]
    answers: int
    open_questions: list[OpenQuestion]
    chart: list[WeekBar] = field(default_factory=list)

    @property
    def captured(self) -> int:
        return sum(self.by_kind.values())


_OWN = "deleted_at IS NULL AND origin != 'team'"


def _title(title: str, body: str, url: str | None) -> str:
    return title.strip() or body.lstrip()[:500].partition("\n")[0].strip()[:120] or (url or "(untitled)")


def week_summary(db: Database, year: int, week: int, zone: tzinfo, *, chart_weeks: int = CHART_WEEKS) -> WeekSummary:
    """Everything the "This week" view and `inflow digest` show, in six queries."""
    start, end = week_bounds(year, week, zone)
    span = [start, end]
    by_kind = dict.fromkeys(Kind, 0)
    for kind, count in db.execute(
        f"SELECT kind, count(*) FROM moments WHERE {_OWN} AND created_at >= ? AND created_at < ? GROUP BY kind", span
    ):
        by_kind[Kind(kind)] = int(count)
    by_tag = [
        (str(tag), int(count))
        for tag, count in db.execute(
            "SELECT t.tag, count(*) AS n FROM moments m JOIN moment_tags t ON t.moment_rowid = m.rowid "
            f"WHERE m.{_OWN.replace(' origin', ' m.origin')} AND m.created_at >= ? AND m.created_at < ? "
            "GROUP BY t.tag ORDER BY n DESC, t.tag",
            span,
        )
    ]
    shared = [
        SharedItem(
            moment_id=row[0],
            title=_title(row[1], row[2], row[3]),
            kind=Kind(row[4]),
            target=row[5],
            state=row[6],
            link=row[7],
            answers=int(row[8]),
        )
        for row in db.execute(
            "SELECT m.id, m.title, m.body, m.url, m.kind, o.target, o.state, o.remote_link, "
            "(SELECT count(*) FROM replies r WHERE r.moment_rowid = m.rowid AND r.target = o.target) "
            "FROM moments m JOIN outbox o ON o.moment_rowid = m.rowid AND o.action = 'post' "
            "AND o.state != 'cancelled' "
            "WHERE m.deleted_at IS NULL AND m.origin = 'local' AND m.visibility = 'team' "
            "AND m.created_at >= ? AND m.created_at < ? ORDER BY m.created_at, o.id",
            span,
        )
    ]
    answers = int(
        db.execute(
            "SELECT count(*) FROM replies r JOIN moments m ON m.rowid = r.moment_rowid "
            "WHERE m.deleted_at IS NULL AND r.created_at >= ? AND r.created_at < ?",
            span,
        ).fetchone()[0]
    )
    open_questions = [
        OpenQuestion(row[0], _title(row[1], row[2], row[3]), row[4])
        for row in db.execute(
            f"SELECT id, title, body, url, created_at FROM moments WHERE {_OWN} AND kind = 'question' "
            "AND answered_at IS NULL AND created_at < ? ORDER BY created_at DESC LIMIT 50",
            [end],
        )
    ]
    return WeekSummary(
        week=week_label(year, week),
        start=start,
        end=end,
        by_kind=by_kind,
        by_tag=by_tag,
        shared=shared,
        answers=answers,
        open_questions=open_questions,
        chart=chart(db, year, week, zone, chart_weeks),
    )


def chart(db: Database, year: int, week: int, zone: tzinfo, count: int = CHART_WEEKS) -> list[WeekBar]:
    """Moments per kind per ISO week, the `count` weeks ending with (year, week), oldest first: one
    query over the weeks' UTC bounds."""
    weeks = previous_weeks(year, week, count)
    bounds = [week_bounds(y, w, zone) for y, w in weeks]
    values = ", ".join("(?, ?, ?)" for _ in bounds)
    params: list[object] = [p for i, (s, e) in enumerate(bounds) for p in (i, s, e)]
    counts = [dict.fromkeys(Kind, 0) for _ in weeks]
    for index, kind, n in db.execute(
        f"WITH weeks(i, s, e) AS (VALUES {values}) "
        "SELECT w.i, m.kind, count(*) FROM weeks w JOIN moments m "
        "ON m.created_at >= w.s AND m.created_at < w.e "
        f"WHERE m.{_OWN.replace(' origin', ' m.origin')} GROUP BY w.i, m.kind",
        params,
    ):
        counts[int(index)][Kind(kind)] = int(n)
    return [WeekBar(week_label(y, w), c) for (y, w), c in zip(weeks, counts, strict=True)]


def summary_as_dict(summary: WeekSummary) -> dict[str, object]:
    """The JSON form (`inflow digest --format json`)."""
    return {
        "week": summary.week,
        "start": summary.start,
        "end": summary.end,
        "captured": {kind.value: n for kind, n in summary.by_kind.items()},
        "tags": dict(summary.by_tag),
        "shared": [
            {
                "id": s.moment_id,
                "title": s.title,
                "kind": s.kind.value,
                "target": s.target,
                "state": s.state,
                "link": s.link,
                "answers": s.answers,
            }
            for s in summary.shared
        ],
        "answers": summary.answers,
        "open_questions": [
            {"id": q.moment_id, "title": q.title, "created_at": q.created_at} for q in summary.open_questions
        ],
        "chart": [{"week": b.week, **{k.value: n for k, n in b.counts.items()}} for b in summary.chart],
    }


def dumps(summary: WeekSummary) -> str:
    return json.dumps(summary_as_dict(summary), ensure_ascii=False, indent=2)
