"""Confluence storage format (XHTML) for our moments, our invisible marker, and errors decided in one place.

The marker is an `anchor` macro named `inflow-<moment id>` (invisible on the page, kept in the storage
format); a block appended to a team page ends with a second one, `inflow-end-<moment id>`.
"""

from __future__ import annotations

import html
import re

from sync.connector import OutgoingMoment
from sync.formatting import heading, markdown_to_html

MAX_TITLE = 200
"""Confluence titles may have 255 characters; leave room for the duplicate-title suffix."""
MAX_BODY = 200_000
TRUNCATED = "<p><em>… (truncated; the full text is in the sender's Inflow library)</em></p>"


def anchor(name: str) -> str:
    parameter = f'<ac:parameter ac:name="">{html.escape(name)}</ac:parameter>'
    return f'<ac:structured-macro ac:name="anchor">{parameter}</ac:structured-macro>'


def marker(moment_id: str) -> str:
    return f"inflow-{moment_id}"


def end_marker(moment_id: str) -> str:
    return f"inflow-end-{moment_id}"


def page_title(moment: OutgoingMoment) -> str:
    title = " ".join(heading(moment).split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def suffixed_title(moment: OutgoingMoment) -> str:
    """The title with a short, stable suffix for when the plain one is taken in the space."""
    return f"{page_title(moment)} ({moment.created_at[:10]}, {moment.moment_id[:8]})"


def _xhtml(fragment: str) -> str:
    """nh3's HTML as XHTML (the storage format is XML: void elements must close)."""
    return re.sub(r"<(br|hr)\s*/?>", r"<\1 />", fragment)


def storage_body(moment: OutgoingMoment, *, with_heading: bool = False) -> str:
    """The moment in storage format: marker, (heading), body, link, tags."""
    body = _xhtml(markdown_to_html(moment.body)) if moment.body.strip() != moment.title.strip() else ""
    if len(body) > MAX_BODY:
        body = _xhtml(markdown_to_html(moment.body[: MAX_BODY // 2])) + TRUNCATED
    parts = [anchor(marker(moment.moment_id))]
    if with_heading:
        parts.append(f"<h2>{html.escape(heading(moment))}</h2>")
    if body:
        parts.append(body)
    if moment.url:
        url = html.escape(moment.url, quote=True)
        parts.append(f'<p><a href="{url}">{url}</a></p>')
    if moment.tags:
        parts.append("<p>" + html.escape(" ".join(f"#{tag}" for tag in moment.tags)) + "</p>")
    return "".join(parts)


def block(moment: OutgoingMoment) -> str:
    """What is appended to a team page: the moment with its heading, between our two markers."""
    return storage_body(moment, with_heading=True) + anchor(end_marker(moment.moment_id))


def replace_block(page_body: str, moment_id: str, new: str) -> str | None:
    """`page_body` with our block (start marker .. end marker) replaced by `new`; None when it is not there."""
    start, end = anchor(marker(moment_id)), anchor(end_marker(moment_id))
    at = page_body.find(start)
    stop = page_body.find(end, at)
    if at < 0 or stop < 0:
        return None
    return page_body[:at] + new + page_body[stop + len(end) :]


def storage_to_text(value: str) -> str:
    """Storage format as plain text (macros dropped, block ends as line breaks)."""
    value = re.sub(r"<ac:structured-macro.*?</ac:structured-macro>", "", value, flags=re.DOTALL)
    value = re.sub(r"<br\s*/?>|</(p|h\d|li|div|tr|blockquote|pre)>", "\n", value, flags=re.IGNORECASE)
    value = html.unescape(re.sub(r"<[^>]+>", "", value))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in value.splitlines())).strip()


def marker_id(value: str) -> str | None:
    """The moment id in an Inflow marker anywhere in a storage body."""
    match = re.search(r'<ac:parameter ac:name="">inflow-(?!end-)([^<]+)</ac:parameter>', value)
    return html.unescape(match.group(1)) if match else None


# ---------------------------------------------------------------------- errors
