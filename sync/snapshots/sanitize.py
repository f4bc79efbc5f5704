"""The last gate before a snapshot's HTML is stored: an nh3 (ammonia) allow-list.

What survives is inert structure: headings, paragraphs, lists, quotes, code, emphasis, tables,
figures, links (http, https, mailto; rel="noopener noreferrer") and images that point at an asset
kept with the snapshot (`inflow-asset:<name>`). No scripts, frames, objects, SVG, MathML, forms,
styles (no style attributes at all, so no CSS `url()`), event handlers, or javascript:/data:/vbscript:
URLs; an image whose source is anything else is removed, so the reader never touches the network.
"""

from __future__ import annotations

import re
from html import escape

import nh3

ASSET_SCHEME = "inflow-asset:"
ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "kbd", "samp", "var",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "abbr", "cite", "q", "time",
    "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})  # fmt: skip
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "noframes", "object", "embed", "applet", "svg", "math",
    "form", "noscript", "template", "textarea", "select", "button", "title", "head", "xmp", "plaintext",
    "noembed", "audio", "video", "canvas",
})  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": set(),  # no generic attributes (ammonia's default allows lang and title everywhere)
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_LINK_SCHEMES = ("http:", "https:", "mailto:")
_ASSET_NAME = re.compile(r"inflow-asset:[A-Za-z0-9._-]{1,64}")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "src":
        return value if element == "img" and _ASSET_NAME.fullmatch(value) else None
    if attribute == "href":
        compact = _INVISIBLE.sub("", value).lower()
        if not compact.startswith(_LINK_SCHEMES):
            return None
        # No raw whitespace or angle brackets in a URL: nothing in it can look like markup.
        return re.sub(r"[\s<>\"']", lambda m: f"%{ord(m.group()):02X}", value.strip())
    if attribute in ("colspan", "rowspan", "start"):
        return value if value.strip().isdigit() and len(value.strip()) < 5 else None
    # Text attributes (alt, title, scope): never anything that looks like a tag.
    return value.replace("<", "").replace(">", "")


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel="noopener noreferrer",
    url_schemes={"http", "https", "mailto", "inflow-asset"},
    url_relative="deny",
)


_PRE_NEWLINES = re.compile(r"(<pre(?:\s[^>]*)?>)(?:\r?\n)+")


def sanitize_html(html: str) -> str:
    """Inert HTML for the offline reader (see the module docstring for what is kept)."""
    clean = str(_CLEANER.clean(html))
    if "<img" in clean:
        # Parsed again only once it is clean markup (parsers disagree on hostile markup, not on this one).
        clean = str(_CLEANER.clean(_drop_foreign_images(clean)))
    # HTML parsers drop one newline right after <pre> on every parse: without those newlines the result
    # is a fixed point, so a stored copy never changes when it is cleaned again (the reader does).
    return _PRE_NEWLINES.sub(r"\1", clean)


def _drop_foreign_images(html: str) -> str:
    """Remove <img> elements whose source is not a kept asset (the cleaner could only strip the src)."""
    try:
        import lxml.html  # type: ignore[import-untyped]
        from lxml import etree

        container = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, TypeError, etree.ParserError):
        return html  # the cleaner still strips every src that is not an asset
    changed = False
    for img in list(container.iter("img")):
        if not _ASSET_NAME.fullmatch(img.get("src") or ""):
            img.drop_tree()
            changed = True
    if not changed:
        return html
    parts = [escape(container.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in container)
    return "".join(parts)
