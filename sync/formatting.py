"""Turning a moment into what backends show: a plain-text and an HTML rendering of its Markdown."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from sync.connector import OutgoingMoment

#: How a moment's kind is named in a post's heading (target kinds carry their own label: Connector.label).
MOMENT_KIND_LABELS = {"resource": "Resource", "tip": "Tip", "question": "Question"}
_ALLOWED_TAGS = {
    "a", "b", "strong", "i", "em", "code", "pre", "p", "br", "ul", "ol", "li", "blockquote", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "del", "s",
}  # fmt: skip


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")


def markdown_to_html(text: str) -> str:
    """Safe HTML (an allow-list: no scripts, images, iframes or styles) for backends that take HTML."""
    return nh3.clean(
        _markdown().render(text),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
    ).strip()


def heading(moment: OutgoingMoment) -> str:
    """`Tip: Rebase often` (the kind, then the title or the first line)."""
    title = moment.title.strip() or moment.body.strip().partition("\n")[0][:120] or (moment.url or "")
    return f"{MOMENT_KIND_LABELS.get(moment.kind, moment.kind.capitalize())}: {title}"


def as_plain_text(moment: OutgoingMoment) -> str:
    """Heading, body, link and tags as plain text (Markdown left as written)."""
    parts = [heading(moment)]
    if moment.body.strip() and moment.body.strip() != moment.title.strip():
        parts.append(moment.body.strip())
    if moment.url:
        parts.append(moment.url)
    if moment.tags:
        parts.append(" ".join(f"#{tag}" for tag in moment.tags))
    return "\n\n".join(parts)


def as_html(moment: OutgoingMoment) -> str:
    """Heading in bold, the body rendered from Markdown, the link and the tags."""
    import html

    parts = [f"<p><strong>{html.escape(heading(moment))}</strong></p>"]
    if moment.body.strip():
        parts.append(markdown_to_html(moment.body))
    if moment.url:
        url = html.escape(moment.url, quote=True)
        parts.append(f'<p><a href="{url}">{url}</a></p>')
    if moment.tags:
        parts.append("<p>" + html.escape(" ".join(f"#{tag}" for tag in moment.tags)) + "</p>")
    return "\n".join(parts)


def cut_at_word(text: str, length: int, pointer: str) -> str:
    """`text` cut to `length` characters, at a word boundary when one is near, then `pointer` (a
    paragraph saying where the rest is)."""
    head = text[:length]
    space = head.rfind(" ")
    if space > length - 200:
        head = head[:space]
    return f"{head.rstrip()}\n\n{pointer}"


def strip_rendering(
    parts: list[str],
    url: str | None,
    tags: tuple[str, ...],
    heading_line: re.Pattern[str],
    *,
    markdown_link: bool = False,
) -> str:
    """The body of an Inflow post read back: its paragraphs without the heading we wrote (`heading_line`
    matches it), the tags line and the link (also as `[url](url)` with `markdown_link`)."""
    if parts and heading_line.match(parts[0].strip()):
        parts = parts[1:]
    if parts and tags and parts[-1].strip() == " ".join(f"#{tag}" for tag in tags):
        parts = parts[:-1]
    links = (url, f"[{url}]({url})") if markdown_link else (url,)
    if parts and url and parts[-1].strip() in links:
        parts = parts[:-1]
    return "\n\n".join(parts).strip()
