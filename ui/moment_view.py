"""How one moment reads in the library: its detail HTML (escaped fields, safe Markdown, answers) and the
one-line statuses of its offline copy and kept file. Pure functions, no widgets."""

from __future__ import annotations

import html
import time
import urllib.parse
from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.models import KeptFile, Kind, Moment, Reply, Snapshot, SnapshotState
from ui.library_model import parse_timestamp
from ui.markdown import highlight_html, is_safe_url, render_markdown
from ui.reader_html import format_date
from ui.widgets import human_size

SAVING_TEXT = "Saving a copy for offline reading…"
REFRESHING_TEXT = "Refreshing the offline copy…"
OFFLINE_WAITING_TEXT = "Offline: the copy is saved when the network is back."
TAG_SCHEME = "inflow-tag"  # links of the tags in the detail view; never opened outside Inflow


def _date(value: str) -> str:
    when = parse_timestamp(value)
    return when.astimezone().strftime("%d %b %Y, %H:%M").lstrip("0") if when else value


def is_team_item(moment: Moment) -> bool:
    """A moment pulled from the team feed: shown read-only (it can still be deleted here)."""
    return moment.origin == "team"


def answers_hint(targets: Sequence[str] | None) -> str:
    """How answers to a question arrive: from the targets it went to (None: a teammate's question)."""
    if targets is None:
        return "No answers yet."
    if not targets:
        return "Share it with a team target to get answers."
    names = ", ".join(targets[:-1]) + f" and {targets[-1]}" if len(targets) > 1 else targets[0]
    return f"No answers yet. Answers from {names} will show here and as a notification."


def replies_html(replies: Sequence[Reply], targets: Sequence[str] | None = None) -> str:
    """The "Answers (N)" section: author and date escaped, each body through the safe Markdown renderer;
    without answers, how they will arrive (`answers_hint`)."""
    parts = [f"<hr/><h3>Answers ({len(replies)})</h3>"]
    if not replies:
        parts.append(f"<p><small>{html.escape(answers_hint(targets))}</small></p>")
    for reply in replies:
        new = " · <b>new</b>" if not reply.seen else ""
        parts.append(
            f"<p><b>{html.escape(reply.author)}</b> <small>· {html.escape(_date(reply.created_at))}"
            f" · via {html.escape(reply.target)}{new}</small></p>"
        )
        parts.append(f"<blockquote>{render_markdown(reply.body)}</blockquote>")
    return "\n".join(parts)


def tag_url(tag: str) -> str:
    """The link a tag in the detail view carries: the pane filters the list by it (`tag_of_url`)."""
    return TAG_SCHEME + ":" + urllib.parse.quote(tag, safe="")


def tag_of_url(url: str) -> str | None:
    """The tag a `tag_url` names, or None for any other link."""
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() != TAG_SCHEME:
        return None
    return urllib.parse.unquote(rest) or None


def moment_html(
    moment: Moment,
    terms: tuple[str, ...] = (),
    replies: Sequence[Reply] | None = None,
    *,
    answered_color: str = "",
    targets: Sequence[str] | None = None,
) -> str:
    """The detail view of a moment: escaped header fields, its tags as filter links, the safely rendered
    Markdown body and, for a question, its answers (when `replies` is given; `targets` for `answers_hint`)."""
    meta = [html.escape(moment.kind.label), html.escape(_date(moment.created_at))]
    if moment.kind is Kind.QUESTION and moment.answered_at:
        style = f' style="color: {answered_color}"' if answered_color else ""
        meta.append(f"<b{style}>✓ answered</b>")
    if is_team_item(moment):
        meta.append(f"Shared by {html.escape(moment.author or 'a teammate')}")
    elif moment.visibility == "team":
        meta.append("shared")
    if moment.source_app or moment.source_window:
        source = " — ".join(p for p in (moment.source_app, moment.source_window) if p)
        meta.append("from " + html.escape(source))
    parts = [
        f"<h2>{highlight_html(moment.display_title, terms)}</h2>",
        f"<p><small>{' · '.join(meta)}</small></p>",
    ]
    if moment.url:
        url = html.escape(moment.url)
        parts.append(f'<p><a href="{url}">{url}</a></p>' if is_safe_url(moment.url) else f"<p>{url}</p>")
    if moment.tags:
        links = (
            f'<a href="{html.escape(tag_url(t))}" title="Show moments tagged #{html.escape(t)}">'
            f"{highlight_html('#' + t, terms)}</a>"
            for t in moment.tags
        )
        parts.append(f"<p>{'&nbsp; '.join(links)}</p>")
    if moment.body.strip():
        parts.append("<hr/>" + render_markdown(moment.body, terms))
    if replies is not None:
        parts.append(replies_html(replies, targets))
    return "\n".join(parts)


def retry_time_text(at: float, now: float | None = None) -> str:
    """When a retry is due, for a status line: "14:05", "tomorrow at 00:00", "on 3 May at 09:30"."""
    when = datetime.fromtimestamp(at).astimezone()
    today = datetime.fromtimestamp(time.time() if now is None else now).astimezone().date()
    clock = when.strftime("%H:%M")
    if when.date() <= today:
        return clock
    if when.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"on {when.day} {when.strftime('%b')} at {clock}"


def snapshot_status(
    snapshot: Snapshot | None, *, online: bool = True, now: float | None = None
) -> tuple[str, str, tuple[str, ...]]:
    """The snapshot line: its text, its tone ("", "error" or "warning") and the actions it offers
    ("read", "retry", "refresh"). A copy waiting for its next try says why and when (or that Inflow is
    offline), and offers Retry now."""
    if snapshot is None:
        return "", "", ()
    if snapshot.state in (SnapshotState.PENDING, SnapshotState.FETCHING):
        if snapshot.html or snapshot.text:  # a refresh of a copy that is still there
            return REFRESHING_TEXT, "", ("read",)
        waiting = snapshot.state is SnapshotState.PENDING
        if waiting and snapshot.error:
            due = snapshot.next_attempt_at > (time.time() if now is None else now)
            retry = f"at {retry_time_text(snapshot.next_attempt_at, now)}" if due else "soon"
            if not online:
                retry = retry if due else "when the network is back"
                return f"Offline: will retry {retry}. Last try: {_sentence(snapshot.error)}", "warning", ("retry",)
            return f"Not saved yet: {_sentence(snapshot.error)} Will retry {retry}.", "warning", ("retry",)
        if waiting and not online:
            return OFFLINE_WAITING_TEXT, "warning", ()
        return SAVING_TEXT, "", ()
    if snapshot.state is SnapshotState.FAILED:
        return f"Failed: {snapshot.error or 'unknown error'}", "error", ("retry",)
    if snapshot.error:
        when = format_date(snapshot.fetched_at) or "earlier"
        return f"Saved copy from {when} kept; refresh failed: {snapshot.error}", "warning", ("read", "refresh")
    return f"Offline copy saved · {human_size(snapshot.size)}", "", ("read", "refresh")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def file_status(kept: KeptFile | None) -> str:
    """ "File: name.pdf · 2.1 MB", or "" without a kept file."""
    return f"File: {kept.name} · {human_size(kept.size)}" if kept is not None else ""
