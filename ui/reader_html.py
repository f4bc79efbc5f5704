"""What the offline reader shows, as HTML: the snapshot cleaned again with an allow-list, plain text as
paragraphs, the header (title, site, byline, dates, original link, size) and the palette's style sheet."""

from __future__ import annotations

import html
import re

import nh3
from PySide6.QtGui import QColor, QPalette

from storage.models import Snapshot
from ui.library_model import parse_timestamp
from ui.markdown import SAFE_SCHEMES, is_safe_url
from ui.widgets import human_size

ASSET_SCHEME = "inflow-asset"
"""Images of a snapshot are referred to as `inflow-asset:<name>`; the reader serves only those."""

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images may only come from the snapshot's own assets; links only go to http, https and mailto."""
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith(ASSET_SCHEME + ":") else None
    if tag == "a" and attribute == "href":
        return value if is_safe_url(value) or value.startswith("#") else None
    return value


_PRE = re.compile(r"<pre>(.*?)</pre>", re.DOTALL)


def clean_snapshot_html(fragment: str) -> str:
    """The snapshot's HTML reduced to inert article markup (a second line of defence after storage), with
    figures and code blocks rewritten into what Qt's rich text engine lays out well."""
    cleaned = nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={*SAFE_SCHEMES, ASSET_SCHEME},
        attribute_filter=_keep_attribute,
        link_rel=None,
    )
    for old, new in (
        ("<figure>", '<div class="figure">'),
        ("</figure>", "</div>"),
        ("<figcaption>", '<p class="caption">'),
        ("</figcaption>", "</p>"),
    ):
        cleaned = cleaned.replace(old, new)
    code = r'<table class="code" width="100%" cellspacing="0"><tr><td class="code"><pre>\1</pre></td></tr></table>'
    return _PRE.sub(code, cleaned)


def text_html(text: str) -> str:
    """Plain text (a PDF's or a text file's) as paragraphs."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return "\n".join(f"<p>{html.escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs if p)


def format_date(value: str | None, *, with_time: bool = False) -> str:
    """An ISO date or timestamp as '3 Mar 2024' (or '3 Mar 2024, 14:05'); other text as it is."""
    if not value:
        return ""
    when = parse_timestamp(value)
    if when is None:
        return value
    if len(value.strip()) <= 10:  # a bare date: no time zone shift
        return f"{when.day} {when.strftime('%b %Y')}"
    local = when.astimezone()
    return f"{local.day} {local.strftime('%b %Y')}" + (local.strftime(", %H:%M") if with_time else "")


def short_url(url: str, limit: int = 72) -> str:
    """The URL without its scheme, cut with … past `limit` characters."""
    shown = url.split("://", 1)[-1]
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def header_html(snapshot: Snapshot, *, captured_at: str | None = None, fallback_title: str | None = None) -> str:
    """Title, site and byline, published date, the original link, and when and how big the copy is."""
    title = snapshot.title or fallback_title or short_url(snapshot.url)
    top = [p for p in (snapshot.site, format_date(snapshot.published)) if p]
    parts = []
    if top:
        parts.append(f'<p class="kicker">{html.escape(" · ".join(top))}</p>')
    parts.append(f"<h1>{html.escape(title)}</h1>")
    if snapshot.byline:
        parts.append(f'<p class="byline">{html.escape(snapshot.byline)}</p>')
    original = html.escape(snapshot.url)
    shown = html.escape(short_url(snapshot.url))
    link = f'<a href="{original}">{shown}</a>' if is_safe_url(snapshot.url) else original
    saved = []
    if captured_at:
        saved.append("Captured " + html.escape(format_date(captured_at)))
    if snapshot.fetched_at:
        saved.append("copy saved " + html.escape(format_date(snapshot.fetched_at, with_time=True)))
    if snapshot.size:
        saved.append(html.escape(human_size(snapshot.size)))
    meta = link + ("<br/>" + " · ".join(saved) if saved else "")
    parts.append(f'<p class="meta">Original: {meta}</p>')
    parts.append("<hr/>")
    return "\n".join(parts)


def _blend(a: QColor, b: QColor, amount: float) -> QColor:
    """a moved towards b by amount (0..1)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def reader_style_sheet(palette: QPalette, font_px: float) -> str:
    """The document's style sheet, from the palette (so it follows dark and light mode); no remote fonts."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    dark = base.lightness() < 128
    body = _blend(text, base, 0.08)
    quiet = _blend(text, base, 0.38)
    link = palette.color(QPalette.ColorRole.Link)
    if dark and link.lightness() < 150:
        link = QColor("#8ab4f8")
    elif not dark and link.lightness() > 110:
        link = QColor("#1d4ed8")
    code_bg = _blend(base, text, 0.07)
    gap = round(font_px * 0.85)
    leading = f"line-height: {round(font_px * 0.5)}px; -qt-line-height-type: line-distance;"
    return f"""
body {{ color: {body.name()}; }}
p, li, dd, blockquote {{ {leading} }}
p {{ margin-top: 0px; margin-bottom: {gap}px; }}
h1 {{ color: {text.name()}; font-weight: 650; margin-top: 4px; margin-bottom: {gap // 2}px; }}
h2 {{ color: {text.name()}; margin-top: {round(gap * 1.6)}px; margin-bottom: {gap // 2}px; }}
h3, h4, h5, h6 {{ color: {text.name()}; margin-top: {round(gap * 1.3)}px; margin-bottom: {gap // 3}px; }}
a {{ color: {link.name()}; text-decoration: none; }}
.kicker {{ color: {quiet.name()}; font-size: small; margin-bottom: 2px; }}
.byline {{ color: {quiet.name()}; margin-bottom: 6px; }}
.meta {{ color: {quiet.name()}; font-size: small; line-height: 4px; -qt-line-height-type: line-distance;
         margin-bottom: {gap}px; }}
hr {{ background-color: {_blend(base, text, 0.2).name()}; margin-top: {gap}px; margin-bottom: {gap}px; }}
blockquote {{ color: {quiet.name()}; margin: {gap}px 0px {gap}px {gap}px; font-style: italic; }}
.figure {{ margin-top: {gap // 2}px; margin-bottom: {gap}px; }}
.caption {{ color: {quiet.name()}; font-size: small; margin-top: 4px; margin-bottom: {gap}px; }}
code, kbd, samp {{ font-family: monospace; background-color: {code_bg.name()}; }}
table.code {{ margin-top: {gap // 2}px; margin-bottom: {gap}px; }}
td.code {{ background-color: {code_bg.name()}; padding: {gap // 2 + 2}px; }}
pre {{ font-family: monospace; margin: 0px; }}
li {{ margin-bottom: {gap // 3}px; }}
td, th {{ padding: 4px; }}
"""
