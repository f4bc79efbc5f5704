"""Our Markdown in the chat tools' dialects: Slack mrkdwn and the Adaptive Card TextBlock subset.

`render_markdown(text, SLACK)` gives Slack mrkdwn (*bold*, _italic_, ~strike~, `code`, <url|text>, "• " lists,
> quotes, &amp;/&lt;/&gt; escaped); `render_markdown(text, CARD)` the subset an Adaptive Card TextBlock shows
(**bold**, _italic_, [text](url), "- " / "1. " lists). Both walk markdown-it's tokens (CommonMark), so
whatever a person types comes out as readable text, never as a rejected message. `cut` and `split` keep
a long text within a backend's limits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

TRUNCATED = "… (truncated; the full text is in the sender's Inflow library)"


@dataclass(frozen=True, slots=True)
class Style:
    bold: str
    italic: str
    strike: str
    code: str
    quote: str
    bullet: str
    escape: Callable[[str], str]
    link: Callable[[str, str], str]
    code_block: Callable[[str], str]


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_url(url: str) -> str:
    return url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def slack_link(url: str, label: str) -> str:
    label = label.replace("|", "¦").strip()
    return f"<{slack_url(url)}|{label}>" if label and label != url else f"<{slack_url(url)}>"


SLACK = Style(
    bold="*", italic="_", strike="~", code="`", quote="> ", bullet="• ", escape=slack_escape, link=slack_link,
    code_block=lambda code: f"```\n{slack_escape(code)}\n```",
)  # fmt: skip


CARD = Style(
    bold="**", italic="_", strike="", code="", quote="", bullet="- ", escape=lambda text: text,
    link=lambda url, label: f"[{label.replace(']', ')')}]({url.replace(')', '%29')})" if label else url,
    code_block=lambda code: code,
)  # fmt: skip


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")


def _inline(children: list[Token], style: Style) -> str:
    out: list[str] = []
    link: tuple[str, int] | None = None  # (href, where its label starts in `out`)
    marks = {"strong": style.bold, "em": style.italic, "s": style.strike}
    for token in children:
        kind = token.type
        if kind == "text":
            out.append(style.escape(token.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "code_inline":
            out.append(f"{style.code}{style.escape(token.content)}{style.code}")
        elif kind.endswith(("_open", "_close")) and kind.rsplit("_", 1)[0] in marks:
            out.append("" if link else marks[kind.rsplit("_", 1)[0]])  # no marks inside a link's label
        elif kind == "link_open":
            link = (str(token.attrGet("href") or ""), len(out))
        elif kind == "link_close" and link is not None:
            href, start = link
            label = "".join(out[start:])
            del out[start:]
            out.append(style.link(href, label.replace("\n", " ")) if href else label)
            link = None
        elif kind == "image":
            src = str(token.attrGet("src") or "")
            out.append(style.link(src, style.escape(token.content)) if src else style.escape(token.content))
        else:
            out.append(style.escape(token.content))
    return "".join(out)


def render_markdown(text: str, style: Style) -> str:
    """`text` (CommonMark) in the style's dialect: paragraphs separated by blank lines, lists line by line."""
    blocks: list[str] = []
    lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
    list_lines: list[str] = []
    marker = ""
    quote = 0
    in_heading = False

    def emit(block: str) -> None:
        prefix = style.quote * quote
        if prefix:
            block = "\n".join(prefix + line for line in block.split("\n"))
        if lists:
            list_lines.append(block)
        else:
            blocks.append(block)

    for token in _markdown().parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(kind == "ordered_list_open"), int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists and list_lines:
                blocks.append("\n".join(list_lines))
                list_lines = []
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            lists[-1][1] += 1
            marker = "    " * (len(lists) - 1) + (f"{number}. " if ordered else style.bullet)
        elif kind in ("heading_open", "heading_close"):
            in_heading = kind == "heading_open"
        elif kind in ("blockquote_open", "blockquote_close"):
            quote += 1 if kind == "blockquote_open" else -1
        elif kind == "inline":
            line = _inline(token.children or [], style)
            if in_heading and line:
                line = f"{style.bold}{line}{style.bold}"
            if lists:
                line = marker + line.replace("\n", "\n" + " " * len(marker))
                marker = " " * len(marker)  # a second paragraph in the same item: indented, no bullet
            emit(line)
        elif kind in ("fence", "code_block"):
            emit(style.code_block(token.content.rstrip("\n")))
        elif kind == "hr":
            emit("───")
    if list_lines:
        blocks.append("\n".join(list_lines))
    return "\n\n".join(block for block in blocks if block.strip())


def cut(text: str, length: int, pointer: str = TRUNCATED, *, force: bool = False) -> str:
    """`text` cut to at most `length` characters INCLUDING the pointer, at a line or word boundary when one is
    near, never inside a Slack `<...>` link (`force`: end with the pointer even when the text would fit)."""
    if len(text) <= length and not (force and len(text) + len(pointer) + 2 > length):
        return f"{text}\n\n{pointer}" if force else text
    room = max(0, length - len(pointer) - 2)
    head = text[:room]
    opened = head.rfind("<")
    if opened > head.rfind(">"):
        head = head[:opened]
    for boundary in ("\n", " "):
        where = head.rfind(boundary)
        if where > len(head) - 200:
            head = head[:where]
            break
    return f"{head.rstrip()}\n\n{pointer}"


def split(text: str, size: int) -> list[str]:
    """`text` in chunks of at most `size` characters, split at paragraphs, else lines, else words."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        head = rest[:size]
        opened = head.rfind("<")
        if opened > head.rfind(">") and opened > 0:
            head = head[:opened]
        for boundary in ("\n\n", "\n", " "):
            where = head.rfind(boundary)
            if where > size // 2:
                head = head[:where]
                break
        chunks.append(head.rstrip())
        rest = rest[len(head) :].strip()
    if rest:
        chunks.append(rest)
    return chunks
