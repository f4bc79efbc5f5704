"""Extraction quality on the local corpus, fetched from the loopback server, and hostile pages end to end."""

from __future__ import annotations

import re

import pytest

from storage.snapshots import SnapshotContent
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession
from sync.snapshots.extract import ImageBudget, extract
from sync.snapshots.fetch import IMAGE_ACCEPT, Fetched, fetch_page

from .conftest import PAGES, PageServer


def snapshot(session: InflowSession, url: str, images: ImageBudget | None = None) -> SnapshotContent:
    def fetch_image(image_url: str, max_bytes: int) -> Fetched:
        return fetch_page(session, image_url, max_bytes=max_bytes, deadline=5, accept=IMAGE_ACCEPT)

    return extract(fetch_page(session, url), fetch_image=fetch_image, images=images)


def assert_inert(html: str) -> None:
    lowered = html.lower()
    for marker in ("<script", "<iframe", "<svg", "<math", "<object", "<embed", "<style", "<form", "style=",
                   "javascript:", "vbscript:", "data:", "evil.example", "alert("):  # fmt: skip
        assert marker not in lowered, marker
    assert not re.search(r"\son\w+\s*=", lowered)
    assert all(src.startswith("inflow-asset:") for src in re.findall(r'src="([^"]*)"', html))


# ---------------------------------------------------------------------------------------------- quality
def test_an_article_keeps_its_text_and_leaves_navigation_ads_and_footer(
    server: PageServer, session: InflowSession
) -> None:
    page = snapshot(session, f"{server.base}/article.html")
    for sentence in (
        "SQLite is the most widely deployed database engine in the world",
        "changes are appended to a separate WAL file",
        "Checkpoints decide how big the log grows",
        "Use a short busy timeout so that a second process waits instead of failing immediately.",
        "Readers do not block writers and a writer does not block readers.",
    ):
        assert sentence in page.text
        assert sentence in page.html
    for boilerplate in (
        "Jobs Board", "Subscribe for 1 EUR", "Cheap cloud servers", "Buy cheap servers", "MegaDB Cloud",
        "CodeCamp Academy", "Most popular this week", "Celebrity chef", "All rights reserved", "Careers at the Journal",
        "We use cookies", "Accept all cookies", "Newsletter", "Great write-up", "dataLayer", "Search the journal",
    ):  # fmt: skip
        assert boilerplate not in page.text, boilerplate
        assert boilerplate not in page.html, boilerplate
    assert (page.title, page.byline, page.site, page.published) == (
        "How the write-ahead log keeps SQLite fast", "Maria Okafor", "The Database Journal", "2024-03-18",
    )  # fmt: skip
    assert page.final_url == f"{server.base}/article.html"
    assert page.content_type == "text/html"
    assert_inert(page.html)


def test_the_article_image_is_kept_as_an_asset_and_links_stay_links(server: PageServer, session: InflowSession) -> None:
    page = snapshot(session, f"{server.base}/article.html")
    assert [(a.name, a.media_type, a.data) for a in page.assets] == [
        ("1", "image/png", (PAGES / "images" / "wal-diagram.png").read_bytes())
    ]
    assert (
        '<img src="inflow-asset:1" alt="Diagram of the WAL file between the application and the database">' in page.html
    )
    assert '<a href="https://www.sqlite.org/wal.html" rel="noopener noreferrer">' in page.html
    assert f'<a href="{server.base}/tutorials/fts5" rel="noopener noreferrer">' in page.html  # made absolute
    assert "ads.example-adnetwork.com" not in page.html


@pytest.mark.parametrize(
    "path", ["windows-1252.html", "windows-1252-undeclared.html", "windows-1252-undeclared.html?charset=windows-1252"]
)
def test_a_windows_1252_page_comes_out_right(server: PageServer, session: InflowSession, path: str) -> None:
    page = snapshot(session, f"{server.base}/{path}")
    assert page.title == "Les cafés de Zürich et le prix du café crème"
    assert page.byline == "Valérie Müller"
    for phrase in ("un café crème coûte désormais près de 5,50 €", "la Großmünster", "« merci vielmals »", "3,80 €"):
        assert phrase in page.text
        assert phrase in page.html
    assert "Archives du journal" not in page.text
    assert "\ufffd" not in page.text


def test_a_pdf_gives_its_text(server: PageServer, session: InflowSession) -> None:
    page = snapshot(session, f"{server.base}/report.pdf")
    assert page.content_type == "application/pdf"
    assert (page.title, page.byline) == ("Learning at work, Q3", "Inflow Research")
    assert "Teams that write down what they learn share it twice as often." in page.text
    assert "Snapshots make saved links readable offline." in page.text  # the second page too
    assert page.html.startswith("<p>Quarterly report on learning at work<br>")
    assert not page.assets


def test_a_pdf_served_as_octet_stream_is_still_a_pdf(server: PageServer, session: InflowSession) -> None:
    page = snapshot(session, f"{server.base}/report.pdf?type=application/octet-stream")
    assert "The median note is captured in under ten seconds." in page.text


def test_a_broken_pdf_fails_with_a_reason() -> None:
    with pytest.raises(SyncError) as caught:
        extract(Fetched("http://x.example/a.pdf", "application/pdf", None, b"%PDF-1.4\nnot really a pdf"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "PDF" in caught.value.message


def test_lazy_images_are_downloaded_and_referenced_as_assets(server: PageServer, session: InflowSession) -> None:
    page = snapshot(session, f"{server.base}/lazy-images.html")
    images = PAGES / "images"
    assert [(a.name, a.media_type, a.data) for a in page.assets] == [
        ("1", "image/png", (images / "starter-jar.png").read_bytes()),  # from data-src
        ("2", "image/png", (images / "crumb.png").read_bytes()),  # from data-srcset
    ]
    assert re.findall(r'<img src="([^"]+)"', page.html) == ["inflow-asset:1", "inflow-asset:2"]
    assert 'alt="A glass jar of bubbly starter on the kitchen counter"' in page.html
    requested = server.paths()
    assert "/images/placeholder.gif" not in requested  # the lazy loader's placeholder is not the image
    assert "tracker.example.net" not in page.html  # the 1x1 tracking pixel is neither fetched nor kept
    assert (page.title, page.byline, page.site) == (
        "Keeping a sourdough starter alive on holiday", "Jonas Lindqvist", "Crumb & Crust",
    )  # fmt: skip
    assert "Shop our flour" not in page.text


def test_images_beyond_the_budget_are_dropped(server: PageServer, session: InflowSession) -> None:
    one = snapshot(session, f"{server.base}/lazy-images.html", ImageBudget(max_images=1))
    assert [a.name for a in one.assets] == ["1"]
    assert re.findall(r"<img [^>]*>", one.html) == [
        '<img src="inflow-asset:1" alt="A glass jar of bubbly starter on the kitchen counter">'
    ]
    small = snapshot(session, f"{server.base}/lazy-images.html", ImageBudget(max_image_bytes=110))
    assert [(a.name, len(a.data)) for a in small.assets] == [("1", 100)]  # the 123-byte jar was too big
    assert "The open crumb of a finished loaf" in small.html
    none = snapshot(session, f"{server.base}/lazy-images.html", ImageBudget(max_total_bytes=0))
    assert none.assets == []
    assert "<img" not in none.html
    assert "A sourdough starter is a living culture" in none.text


def test_an_image_that_is_not_an_image_is_not_kept() -> None:
    html = (
        b"<html><body><article><p>"
        + b"Some article text that is long enough to be kept. " * 8
        + (b'</p><img src="http://x.example/evil.png" alt="fake"><p>More text.</p></article></body></html>')
    )

    def fetch_image(url: str, max_bytes: int) -> Fetched:
        return Fetched(url, "image/png", None, b'<svg onload="alert(1)"></svg>')  # lies about its type

    page = extract(Fetched("http://x.example/a", "text/html", "utf-8", html), fetch_image=fetch_image)
    assert page.assets == []
    assert "<img" not in page.html


def test_a_login_wall_is_a_permanent_sign_in_error(server: PageServer, session: InflowSession) -> None:
    with pytest.raises(SyncError) as caught:
        snapshot(session, f"{server.base}/login.html")
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.message == "The page needs a sign-in: it shows a login form instead of the article."


def test_plain_text_is_kept_as_it_is(server: PageServer, session: InflowSession) -> None:
    page = snapshot(session, f"{server.base}/notes.txt")
    original = (PAGES / "notes.txt").read_text()
    assert page.text == original
    assert page.html.startswith("<pre>Release checklist")
    assert "&lt;in the team channel&gt;" in page.html
    assert "(Windows: signtool; macOS: notarize) &amp; upload" in page.html
    assert page.title == "notes.txt"


def test_an_image_url_is_kept_as_an_image(server: PageServer, session: InflowSession) -> None:
    page = snapshot(session, f"{server.base}/images/wal-diagram.png")
    assert page.content_type == "image/png"
    assert [(a.name, a.media_type) for a in page.assets] == [("1", "image/png")]
    assert page.html == '<img src="inflow-asset:1" alt="wal-diagram.png">'


def test_svg_and_unknown_binaries_are_refused() -> None:
    for content_type, body in (("image/svg+xml", b"<svg><script>alert(1)</script></svg>"), ("application/zip", b"PK")):
        with pytest.raises(SyncError) as caught:
            extract(Fetched("http://x.example/f", content_type, None, body))
        assert caught.value.kind is ErrorKind.PERMANENT
        assert "cannot keep" in caught.value.message


def test_a_page_without_text_fails_with_a_reason() -> None:
    with pytest.raises(SyncError, match="no readable text"):
        extract(
            Fetched(
                "http://x.example/",
                "text/html",
                "utf-8",
                b"<html><body><nav></nav><script>var x = 1;</script></body></html>",
            )
        )


def test_a_short_page_falls_back_to_its_paragraphs() -> None:
    page = extract(
        Fetched("http://x.example/s", "text/html", "utf-8", b"<html><body><p>Just one line.</p></body></html>")
    )
    assert "Just one line." in page.text


# ---------------------------------------------------------------------------------------------- hostile pages
@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("script", "Paragraph with a script inside it."),
        ("event-handlers", "Hover here: handlers are attributes too."),
        ("urls", "this link"),
        ("iframe", "An iframe can load anything from anywhere."),
        ("css", "A styled paragraph that phones home when it is rendered."),
        ("svg", "An inline SVG drawing can carry script."),
    ],
)
def test_a_hostile_page_is_stored_inert(server: PageServer, session: InflowSession, name: str, kept: str) -> None:
    page = snapshot(session, f"{server.base}/hostile/{name}.html")
    assert kept in page.html
    assert "The safest offline reader keeps only the structure of an article" in page.text
    assert_inert(page.html)
    assert all(not p.startswith("/steal") for p in server.paths())
