"""Wikitext for MediaWiki: our Markdown as wikitext, our section's markers, and reading replies back.

Every post is one section whose text is wrapped in two invisible markers:

    == Tip: Rebase often ==
    <!-- inflow:<moment id> -->
    ...the moment as wikitext...
    <!-- /inflow:<moment id> -->
    ...replies colleagues added below (signed talk-page comments)...

The opening marker lets us find the section again (duplicate prevention, edit, retract, replies); the
closing one separates our post from the replies. Everything from the wiki is read defensively: a
missing signature, odd markup or a localised date only costs precision, never an exception.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sync.connector import OutgoingMoment, RemoteReply
from sync.formatting import MOMENT_KIND_LABELS, heading

MAX_HEADING = 150
MAX_BODY = 20_000
"""Characters of wikitext one post may take (a team page holds many; MediaWiki's page limit is 2 MiB)."""
TRUNCATED = "''… (truncated; the full text is in the sender's Inflow library)''"
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "ftp://")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;",
             "|": "&#124;", "~": "&#126;"}  # fmt: skip
_SPECIAL = re.compile(r"[&<>\[\]{}|~]")
_QUOTE = re.compile(r"(?<=')'|'(?=')|^'|'$")
_LINE_START = "*#:;= -"


def start_marker(moment_id: str) -> str:
    return f"<!-- inflow:{moment_id} -->"


def end_marker(moment_id: str) -> str:
    return f"<!-- /inflow:{moment_id} -->"


# ---------------------------------------------------------------------- Markdown -> wikitext


def escape(text: str) -> str:
    """Plain text as wikitext that shows exactly that text (no links, templates, lists, bold, signatures)."""
    text = _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], text)
    text = _QUOTE.sub("&#39;", text)
    return text.replace("__", "_&#95;")


def _escape_line(text: str) -> str:
    """A paragraph line that must not start a list, an indent, a heading, a rule or preformatted text."""
    if text[:1] and text[0] in _LINE_START:
        return f"&#{ord(text[0])};{text[1:]}"
    return text


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")


def _link_target(href: str) -> str | None:
    if not href.lower().startswith(_SAFE_SCHEMES):
        return None
    return re.sub(r"[\s\[\]<>\"{}|]", lambda m: f"%{ord(m.group(0)):02X}", href)


def _inline(children: list[Token] | None) -> str:
    out: list[str] = []
    links: list[tuple[int, str | None]] = []
    for child in children or []:
        kind = child.type
        if kind == "text":
            out.append(escape(child.content))
        elif kind in ("strong_open", "strong_close"):
            out.append("'''")
        elif kind in ("em_open", "em_close"):
            out.append("''")
        elif kind in ("s_open", "s_close"):
            out.append("<s>" if kind == "s_open" else "</s>")
        elif kind == "code_inline":
            out.append(f"<code>{escape(child.content)}</code>")
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("<br />")
        elif kind == "link_open":
            target = _link_target(str(child.attrs.get("href") or ""))
            links.append((len(out), target))
            if target:
                out.append(f"[{target} ")
        elif kind == "link_close" and links:
            start, target = links.pop()
            if target:
                if len(out) == start + 1:  # no link text: show the address
                    out.append(escape(target))
                out.append("]")
        elif kind == "image":
            out.append(escape(child.content))
        else:
            out.append(escape(child.content))
    return "".join(out).strip()


def markdown_to_wikitext(text: str) -> str:
    """CommonMark (as the capture window writes it) as wikitext; headings start at level 3 (under ours)."""
    lines: list[str] = []
    lists: list[str] = []
    item_has_text: list[bool] = []
    heading_level = 0
    for token in _markdown().parse(text):
        kind = token.type
        if kind == "heading_open":
            heading_level = min(6, int(token.tag[1:]) + 2)
        elif kind == "inline":
            content = _inline(token.children)
            if heading_level:
                marks = "=" * heading_level
                lines += [f"{marks} {content.replace('=', '&#61;')} {marks}", ""]
                heading_level = 0
            elif lists and item_has_text and item_has_text[-1]:
                lines[-1] += f"<br />{content}"
            elif lists and item_has_text:
                lines.append(f"{''.join(lists)} {content}")
                item_has_text[-1] = True
            else:
                lines += [_escape_line(content), ""]
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("*" if kind == "bullet_list_open" else "#")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif kind == "list_item_open":
            item_has_text.append(False)
        elif kind == "list_item_close":
            item_has_text.pop()
        elif kind in ("fence", "code_block"):
            lines += [f"<pre>{html.escape(token.content.rstrip(chr(10)), quote=False)}</pre>", ""]
        elif kind == "hr":
            lines += ["----", ""]
        elif kind == "blockquote_open":
            lines.append("<blockquote>")
        elif kind == "blockquote_close":
            lines.append("</blockquote>")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def section_heading(moment: OutgoingMoment) -> str:
    """The section title: `Tip: Rebase often`, escaped, on one line, not too long."""
    title = " ".join(heading(moment).split())
    if len(title) > MAX_HEADING:
        title = title[: MAX_HEADING - 1].rstrip() + "…"
    return escape(title).replace("=", "&#61;")


def post_text(moment: OutgoingMoment, *, question: bool) -> str:
    """The section's text (without the heading line): markers, body, link, tags, and a signature on talk pages."""
    body = markdown_to_wikitext(moment.body) if moment.body.strip() != moment.title.strip() else ""
    if len(body) > MAX_BODY:
        cut = body[:MAX_BODY]
        cut = cut[: max(cut.rfind("\n"), cut.rfind(" "), MAX_BODY - 200)]
        body = f"{cut.rstrip()}\n\n{TRUNCATED}"
    parts = [start_marker(moment.moment_id)]
    if body:
        parts.append(body)
    if moment.url and (target := _link_target(moment.url)):
        parts.append(f"Link: [{target} {escape(moment.url)}]")
    if moment.tags:
        parts.append("Tags: " + ", ".join(escape(tag) for tag in moment.tags))
    if question:
        parts.append("— ~~~~")
    return "\n\n".join(parts) + "\n" + end_marker(moment.moment_id)


# ---------------------------------------------------------------------- wikitext -> plain text


def _external(match: re.Match[str]) -> str:
    url, label = match.group(1), (match.group(2) or "").strip()
    return f"{label} ({url})" if label and label != url else url


def wikitext_to_plain(text: str) -> str:
    """Wikitext as readable plain text (markup dropped, links as `label (url)`)."""
    text = re.sub(r"<!--.*?(-->|$)", "", text, flags=re.DOTALL)
    for _ in range(5):  # templates, innermost first
        text, count = re.subn(r"\{\{[^{}]*\}\}", "", text)
        if not count:
            break
    text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[((?:https?|ftp)://[^\s\]]+|mailto:[^\s\]]+)(?:\s+([^\]]*))?\]", _external, text)
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"^(=+)\s*(.*?)\s*\1\s*$", r"\2", text, flags=re.MULTILINE)
    text = re.sub(r"^[*#]+\s*", "- ", text, flags=re.MULTILINE)
    text = re.sub(r"^[:;]+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^-{4,}\s*$", "", text, flags=re.MULTILINE)
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()


def kind_and_title(section_title: str) -> tuple[str, str]:
    """`Question: Why?` -> ("question", "Why?"); a heading without our prefix is a tip."""
    for kind, label in MOMENT_KIND_LABELS.items():
        if section_title.startswith(f"{label}:"):
            return kind, section_title[len(label) + 1 :].strip() or section_title
    return "tip", section_title


# ---------------------------------------------------------------------- replies (signed talk comments)

_SIG_USER = re.compile(
    r"\[\[\s*(?:User(?:[ _]talk)?\s*:\s*|Special\s*:\s*Contributions/)([^\]|#/]+?)\s*(?:[|#/][^\]]*)?\]\]",
    re.IGNORECASE,
)
_SIG_TIME = re.compile(r"(\d{1,2}):(\d{2}), (\d{1,2}) ([A-Z][a-z]+) (\d{4}) \((UTC|GMT)\)")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"), start=1,
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Signature:
    author: str
    stamp: str  # as written, "" when none was found
    created_at: str | None
    start: int  # where the signature starts in the comment


def _iso(hour: str, minute: str, day: str, month: str, year: str) -> str | None:
    number = _MONTHS.get(month)
    if number is None:
        return None
    try:
        when = datetime(int(year), number, int(day), int(hour), int(minute), tzinfo=UTC)
    except ValueError:
        return None
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _signature(comment: str) -> _Signature | None:
    times = list(_SIG_TIME.finditer(comment))
    users = list(_SIG_USER.finditer(comment))
    if times:
        stamp = times[-1]
        before = [user for user in users if user.start() < stamp.start()]
        if before:
            line_start = comment.rfind("\n", 0, stamp.start()) + 1
            own_line = [user for user in before if user.start() >= line_start] or before[-1:]
            start = own_line[0].start()
            author = before[-1].group(1).strip().replace("_", " ")
        else:
            start, author = stamp.start(), ""
        return _Signature(author, stamp.group(0), _iso(*stamp.groups()[:5]), start)
    if users:  # a signature without a date (~~~)
        return _Signature(users[-1].group(1).strip().replace("_", " "), "", None, users[-1].start())
    return None


def _split_comments(text: str) -> list[str]:
    """The replies as separate comments: each ends at a line with a dated signature."""
    comments: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        current.append(line)
        if _SIG_TIME.search(line):
            comments.append("\n".join(current).strip())
            current = []
    rest = "\n".join(current).strip()
    if rest:
        comments.append(rest)
    return [comment for comment in comments if wikitext_to_plain(comment)]


def replies_from(tail: str, *, page_time: str) -> list[RemoteReply]:
    """The comments below our post. `page_time`: the latest revision's time, for unsigned comments.

    The remote id is stable: the author and signature time (plus an ordinal) when signed, the text when not.
    """
    replies: list[RemoteReply] = []
    seen: dict[str, int] = {}
    for comment in _split_comments(tail):
        sig = _signature(comment)
        text = comment[: sig.start] if sig else comment
        body = re.sub(r"[\s—–-]+$", "", wikitext_to_plain(text)) or wikitext_to_plain(comment)
        if sig and sig.stamp:
            basis = f"signed\n{sig.author}\n{sig.stamp}"
        else:
            basis = f"text\n{' '.join(wikitext_to_plain(comment).split())}"
        seen[basis] = seen.get(basis, 0) + 1
        digest = hashlib.sha256(f"{basis}\n{seen[basis]}".encode()).hexdigest()[:32]
        author = sig.author if sig and sig.author else "(unsigned)"
        created = sig.created_at if sig and sig.created_at else page_time
        replies.append(RemoteReply(remote_id=f"mw-{digest}", author=author, body=body, created_at=created))
    return replies
