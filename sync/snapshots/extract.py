"""Turn a downloaded body into a snapshot: readable article (HTML), text (PDF), plain text, or an image.

HTML goes through trafilatura (main text, title, author, site, date; navigation, ads and footers
are left behind); the article's images (lazy ones too: data-src, srcset) are downloaded within a
per-snapshot budget and referenced as `inflow-asset:<n>`; everything else is dropped. The result is
ALWAYS passed through `sanitize_html` last. Network access happens only through the `fetch_image`
callback, so this module can be tested (and benchmarked) without a server.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from storage.snapshots import Asset, SnapshotContent
from sync.errors import SyncError, permanent
from sync.snapshots.fetch import Fetched, image_type
from sync.snapshots.sanitize import sanitize_html

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 2_000_000
LOGIN_WALL_MAX_CHARS = 600  # a page with a password field and less article text than this is a login wall
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src")
_LAZY_SRCSETS = ("data-srcset", "data-lazy-srcset", "srcset")
_BLOCKS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "table", "figure", "figcaption",
    "ul", "ol", "dl", "dt", "dd", "br", "hr", "caption",
})  # fmt: skip

FetchImage = Callable[[str, int], Fetched]
"""fetch_image(url, max_bytes) -> Fetched; raises SyncError (the image is then left out)."""


@dataclass(frozen=True, slots=True)
class ImageBudget:
    """How much of an article's images a snapshot keeps."""

    max_images: int = 8
    max_total_bytes: int = 2 * 1024 * 1024
    max_image_bytes: int = 1024 * 1024


def extract(
    fetched: Fetched, *, fetch_image: FetchImage | None = None, images: ImageBudget | None = None
) -> SnapshotContent:
    """The snapshot of a downloaded body. Raises a permanent SyncError for what cannot be kept."""
    kind = fetched.content_type
    if kind in ("text/html", "application/xhtml+xml"):
        return extract_html(fetched, fetch_image=fetch_image, images=images or ImageBudget())
    if kind == "application/pdf":
        return extract_pdf(fetched)
    if kind.startswith("image/"):
        return extract_image(fetched)
    if kind.startswith("text/") or kind in ("application/json", "application/xml") or kind.endswith(("+xml", "+json")):
        return extract_text(fetched)
    raise permanent(f"Inflow cannot keep this kind of file ({kind or 'unknown type'}).")


# ---------------------------------------------------------------------------------------------- HTML
def extract_html(fetched: Fetched, *, fetch_image: FetchImage | None, images: ImageBudget) -> SnapshotContent:
    import trafilatura
    from trafilatura.htmlprocessing import convert_to_html

    tree = _parse_html(fetched.text)
    if tree is None:
        raise permanent("The page is empty.")
    has_password = bool(tree.xpath('//input[translate(@type, "PASSWORD", "password") = "password"]'))
    page_title = _clean(tree.findtext(".//title"))
    _normalize_images(tree, fetched.final_url)
    document: Any = trafilatura.bare_extraction(
        tree, url=fetched.final_url, include_images=True, include_links=True, include_formatting=True,
        include_tables=True, include_comments=False, with_metadata=True,
    )  # fmt: skip
    body = document.body if document is not None else None
    if body is None or not len(body):
        body = _baseline(tree)
    html_tree = convert_to_html(body) if body is not None else None
    if html_tree is not None:
        _absolute_links(html_tree, fetched.final_url)
    text = _tree_text(html_tree) if html_tree is not None else ""
    if has_password and len(text) < LOGIN_WALL_MAX_CHARS:
        raise permanent("The page needs a sign-in: it shows a login form instead of the article.")
    if not text.strip():
        raise permanent("The page has no readable text to save.")
    assets = _keep_images(html_tree, fetch_image, images)
    html = sanitize_html(_inner_html(html_tree))
    return SnapshotContent(
        final_url=fetched.final_url,
        content_type="text/html",
        title=_clean(getattr(document, "title", None)) or page_title or _title_from_url(fetched.final_url),
        byline=_clean(getattr(document, "author", None)),
        site=_clean(getattr(document, "sitename", None)) or urlsplit(fetched.final_url).hostname,
        published=_clean(getattr(document, "date", None)),
        text=text[:MAX_TEXT_CHARS],
        html=html,
        assets=assets,
    )


def _parse_html(text: str) -> Any:
    import lxml.html  # type: ignore[import-untyped]
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _normalize_images(tree: Any, base: str) -> None:
    """Give every image its real source (lazy loaders keep it in data-src or srcset); drop tracking pixels."""
    for img in list(tree.iter("img")):
        if _is_pixel(img):
            _remove(img)
            continue
        source = next((img.get(a) for a in _LAZY_SOURCES if _usable(img.get(a))), None)
        if source is None:
            source = next((_best_of_srcset(img.get(a)) for a in _LAZY_SRCSETS if img.get(a)), None)
        if source is None and _usable(img.get("src")):
            source = img.get("src")
        for attribute in (*_LAZY_SOURCES, *_LAZY_SRCSETS, "src"):
            img.attrib.pop(attribute, None)
        if source:
            img.set("src", urljoin(base, source.strip()))
        else:
            _remove(img)


def _remove(element: Any) -> None:
    """Remove an element (lxml.etree or lxml.html), keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _is_pixel(img: Any) -> bool:
    sizes = [img.get("width", ""), img.get("height", "")]
    return any(s.strip().isdigit() and int(s.strip()) <= 2 for s in sizes)


def _usable(source: str | None) -> bool:
    if not source or not source.strip():
        return False
    return not source.strip().lower().startswith(("data:", "about:", "javascript:"))


def _best_of_srcset(srcset: str | None) -> str | None:
    """The largest candidate of a srcset ("a.png 1x, b.png 2x" or "a.png 480w, b.png 960w")."""
    best: tuple[float, str] | None = None
    for candidate in (srcset or "").split(","):
        parts = candidate.split()
        if not parts or not _usable(parts[0]):
            continue
        weight = 1.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            weight = float(parts[1][:-1])
        if best is None or weight > best[0]:
            best = (weight, parts[0])
    return best[1] if best else None


def _baseline(tree: Any) -> Any:
    """The page's paragraphs when the extractor found no article (short pages)."""
    from trafilatura import baseline

    body, text, _length = baseline(tree)
    return body if text.strip() else None


def _absolute_links(html_tree: Any, base: str) -> None:
    for link in html_tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith("#"):
            link.set("href", urljoin(base, href))


def _keep_images(html_tree: Any, fetch_image: FetchImage | None, budget: ImageBudget) -> list[Asset]:
    """Download the article's images within the budget; the ones not kept are removed."""
    if html_tree is None:
        return []
    assets: list[Asset] = []
    by_url: dict[str, str] = {}
    spent = 0
    for img in list(html_tree.iter("img")):
        url = img.get("src") or ""
        name = by_url.get(url)
        if name is None and fetch_image is not None and len(assets) < budget.max_images and url:
            room = min(budget.max_image_bytes, budget.max_total_bytes - spent)
            asset = _download_image(fetch_image, url, room, str(len(assets) + 1)) if room > 0 else None
            if asset is not None:
                assets.append(asset)
                spent += len(asset.data)
                name = by_url[url] = asset.name
        if name is None:
            _remove(img)
            continue
        alt = img.get("alt") or ""
        img.attrib.clear()
        img.set("src", f"inflow-asset:{name}")
        img.set("alt", alt)
    return assets


def _download_image(fetch_image: FetchImage, url: str, max_bytes: int, name: str) -> Asset | None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    try:
        fetched = fetch_image(url, max_bytes)
    except SyncError as exc:
        log.info("image %s left out: %s", url, exc.message)
        return None
    media_type = image_type(fetched.body)  # by its bytes: never trust the header for what the reader renders
    return Asset(name, media_type, fetched.body) if media_type else None


def _inner_html(html_tree: Any) -> str:
    from lxml import etree

    if html_tree is None:
        return ""
    body = html_tree.find("body")
    root = body if body is not None else html_tree
    parts = [escape(root.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return "".join(parts)


def _tree_text(html_tree: Any) -> str:
    """Searchable plain text: blocks on their own lines, whitespace collapsed."""
    chunks: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        block = tag in _BLOCKS
        if block:
            chunks.append("\n")
        if element.text and tag not in ("script", "style"):
            chunks.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                chunks.append(child.tail)
        if block:
            chunks.append("\n")

    walk(html_tree)
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in "".join(chunks).split("\n"))
    return "\n".join(line for line in lines if line)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _title_from_url(url: str) -> str:
    parts = urlsplit(url)
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    return name or parts.hostname or url


# ---------------------------------------------------------------------------------------------- PDF
def extract_pdf(fetched: Fetched) -> SnapshotContent:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(fetched.body))
        if reader.is_encrypted and not reader.decrypt(""):
            raise permanent("The PDF is password-protected; its text cannot be saved.")
        pages: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            pages.append(text)
            size += len(text)
            if size >= MAX_TEXT_CHARS:
                break
        meta = reader.metadata
        title = _clean(meta.title) if meta else None
        author = _clean(meta.author) if meta else None
    except SyncError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise permanent(f"The PDF could not be read ({type(exc).__name__}).") from exc
    paragraphs = [p for page in pages for p in _paragraphs(page)]
    if not paragraphs:
        raise permanent("The PDF has no text to save (it may be a scan).")
    text = "\n\n".join(paragraphs)[:MAX_TEXT_CHARS]
    html = "".join("<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)
    return SnapshotContent(
        final_url=fetched.final_url, content_type="application/pdf",
        title=title or _title_from_url(fetched.final_url), byline=author, site=urlsplit(fetched.final_url).hostname,
        text=text, html=sanitize_html(html),
    )  # fmt: skip


def _paragraphs(text: str) -> Sequence[str]:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [b.strip() for b in blocks if b.strip()]


# ---------------------------------------------------------------------------------------------- others
def extract_text(fetched: Fetched) -> SnapshotContent:
    text = fetched.text[:MAX_TEXT_CHARS]
    return SnapshotContent(
        final_url=fetched.final_url, content_type=fetched.content_type, title=_title_from_url(fetched.final_url),
        site=urlsplit(fetched.final_url).hostname, text=text, html=sanitize_html(f"<pre>{escape(text)}</pre>"),
    )  # fmt: skip


def extract_image(fetched: Fetched) -> SnapshotContent:
    media_type = image_type(fetched.body)
    if media_type is None:
        raise permanent(f"Inflow cannot keep this kind of image ({fetched.content_type}).")
    title = _title_from_url(fetched.final_url)
    return SnapshotContent(
        final_url=fetched.final_url, content_type=media_type, title=title, site=urlsplit(fetched.final_url).hostname,
        text="", html=sanitize_html(f'<img src="inflow-asset:1" alt="{escape(title)}">'),
        assets=[Asset("1", media_type, fetched.body)],
    )  # fmt: skip
