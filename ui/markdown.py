"""Safe Markdown rendering for the library's detail pane, and a text browser that never loads anything.

Markdown is parsed by markdown-it-py in CommonMark mode with raw HTML disabled (so `<script>` shows as
text), links are kept only for http, https and mailto, images become links, and nh3 cleans the result
against an allow-list as a second line of defence.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from PySide6.QtCore import QByteArray, QUrl, Signal
from PySide6.QtGui import QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from ui.highlight import HIGHLIGHT_CLASS, mark_colors, split_highlights

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "span", "div", "small", "table", "tr", "td", "th", "tbody", "thead",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_CLASSES = {"span": {HIGHLIGHT_CLASS}}


def is_safe_url(url: str) -> bool:
    """True for http, https and mailto links: the only ones Inflow renders or opens."""
    scheme, sep, _ = url.strip().partition(":")
    return bool(sep) and scheme.lower() in SAFE_SCHEMES


def highlight_html(text: str, terms: Sequence[str]) -> str:
    """Escape text for HTML, wrapping word-prefix matches of the terms in highlight spans."""
    return "".join(
        f'<span class="{HIGHLIGHT_CLASS}">{html.escape(piece)}</span>' if hit else html.escape(piece)
        for piece, hit in split_highlights(text, terms)
    )


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = is_safe_url  # type: ignore[method-assign]

    def image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env) or src
        label = html.escape(f"[image: {alt}]")
        return f'<a href="{html.escape(src)}">{label}</a>' if is_safe_url(src) else label

    def text(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return highlight_html(tokens[idx].content, env.get("terms", ()))

    def code_inline(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<code>{highlight_html(tokens[idx].content, env.get('terms', ()))}</code>"

    def code_block(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f"<pre><code>{highlight_html(tokens[idx].content, env.get('terms', ()))}</code></pre>\n"

    md.add_render_rule("image", image)
    md.add_render_rule("text", text)
    md.add_render_rule("code_inline", code_inline)
    md.add_render_rule("code_block", code_block)
    md.add_render_rule("fence", code_block)
    return md


_MD = _make_parser()


def render_markdown(text: str, highlight: Sequence[str] = ()) -> str:
    """Safe HTML for a QTextBrowser: no raw HTML, no unsafe links, no images, terms highlighted."""
    rendered = _MD.render(text, {"terms": tuple(highlight)})
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
    )


class SafeTextBrowser(QTextBrowser):
    """A QTextBrowser that loads no resource (remote, file or data) and never follows a link itself.

    Signals:
        link_activated(QUrl): an http, https or mailto link was clicked; other links are ignored.
    """

    link_activated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_self_anchor_clicked)
        self._apply_mark_style()

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        """Nothing is ever loaded: no images, no style sheets, no files, no network.

        The answer is an empty resource, not None: on None QTextDocument reads local files and decodes
        data: URLs itself.
        """
        return QImage() if type == QTextDocument.ResourceType.ImageResource.value else QByteArray()

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_mark_style()

    def _apply_mark_style(self) -> None:
        background, foreground = mark_colors(self.palette())
        link = self.palette().color(QPalette.ColorRole.Link).name()
        self.document().setDefaultStyleSheet(
            f".{HIGHLIGHT_CLASS} {{ background-color: {background.name()}; color: {foreground.name()}; }}"
            f" a {{ color: {link}; }}"
        )

    def _on_self_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in SAFE_SCHEMES:
            self.link_activated.emit(url)
