"""The weekly look back as text and Markdown (`inflow digest`), and the person's local time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from storage.models import Kind
from storage.week import WeekSummary


def local_zone() -> tzinfo:
    """The system's time zone with its DST rules (TZ wins), so every week of the chart has its own offset."""
    import tzlocal

    return tzlocal.get_localzone()


def _days(summary: WeekSummary, zone: tzinfo) -> str:
    start = datetime.fromisoformat(summary.start).astimezone(zone)
    end = datetime.fromisoformat(summary.end).astimezone(zone) - timedelta(days=1)
    return f"{start:%a %d %b} to {end:%a %d %b %Y}"


def _kinds(counts: dict[Kind, int]) -> str:
    return ", ".join(f"{counts[kind]} {kind.value}{'' if counts[kind] == 1 else 's'}" for kind in Kind)


def _answers(n: int) -> str:
    return f"{n} answer{'' if n == 1 else 's'}"


def as_text(summary: WeekSummary, zone: tzinfo) -> str:
    lines = [
        f"Week {summary.week} ({_days(summary, zone)})",
        f"Captured: {summary.captured} ({_kinds(summary.by_kind)})",
    ]
    if summary.by_tag:
        lines.append("Tags: " + ", ".join(f"{tag} {n}" for tag, n in summary.by_tag[:20]))
    lines.append(f"Shared: {len(summary.shared)}")
    lines += [
        f"  - {s.title} ({s.kind.value}) to {s.target}: {s.state}{f' {s.link}' if s.link else ''}, "
        f"{_answers(s.answers)}"
        for s in summary.shared
    ]
    lines.append(f"Answers got: {summary.answers}")
    lines.append(f"Questions still open: {len(summary.open_questions)}")
    lines += [f"  - {q.title}" for q in summary.open_questions]
    if summary.chart:
        lines.append(f"Last {len(summary.chart)} weeks (resources, tips, questions):")
        lines += [f"  {b.week}  {'  '.join(f'{b.counts[k]:>3}' for k in Kind)}" for b in summary.chart]
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text safe inside a Markdown link label or list item."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in text.replace("\n", " "))


def as_markdown(summary: WeekSummary, zone: tzinfo) -> str:
    lines = [f"# Week {summary.week}", "", f"{_days(summary, zone)}", ""]
    lines += [f"**Captured:** {summary.captured} ({_kinds(summary.by_kind)})", ""]
    if summary.by_tag:
        lines += ["**Tags:** " + ", ".join(f"{_md(tag)} ({n})" for tag, n in summary.by_tag[:20]), ""]
    lines += [f"## Shared ({len(summary.shared)})", ""]
    for s in summary.shared:
        title = f"[{_md(s.title)}](<{s.link}>)" if s.link else _md(s.title)
        lines.append(f"- {title} ({s.kind.value}, {_md(s.target)}: {s.state}, {_answers(s.answers)})")
    lines += ["" if summary.shared else "Nothing shared.", f"**Answers got:** {summary.answers}", ""]
    lines += [f"## Questions still open ({len(summary.open_questions)})", ""]
    lines += [f"- {_md(q.title)}" for q in summary.open_questions]
    if summary.chart:
        lines += ["", f"## Last {len(summary.chart)} weeks", "", "| week | resources | tips | questions |"]
        lines.append("|---|---:|---:|---:|")
        lines += [f"| {b.week} | " + " | ".join(str(b.counts[k]) for k in Kind) + " |" for b in summary.chart]
    return "\n".join(lines).rstrip() + "\n"
