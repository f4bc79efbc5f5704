"""`inflow capture` refuses what it cannot keep, saying plainly what happened to the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "data:text/html,x", "file:///etc/passwd"])
def test_capture_refuses_links_that_are_not_web_pages(inflow: Run, link: str) -> None:
    result = inflow("capture", "--url", link, "--title", "bookmarklet")
    assert result.returncode == 1 and result.stdout == ""
    assert f"not {link.split(':', maxsplit=1)[0]}: links" in result.stderr
    assert json.loads(inflow("search", "bookmarklet", "--json").stdout or "[]") == []


def test_an_import_skips_the_same_links(inflow: Run, tmp_path: Path) -> None:
    bookmarks = tmp_path / "bookmarks.html"
    links = ["https://example.org/keep", "javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"]
    rows = "".join(f'<DT><A HREF="{link}">Link {n}</A>\n' for n, link in enumerate(links))
    bookmarks.write_text(f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n{rows}</DL>\n")
    result = inflow("import", str(bookmarks), "--no-snapshots", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 1 and report["skipped"] == 3
    urls = [m["url"] for m in json.loads(inflow("search", "link", "--json").stdout)]
    assert urls == ["https://example.org/keep"]


def test_too_much_on_stdin_says_nothing_was_saved_and_how_to_keep_it(inflow: Run, basedir: Path) -> None:
    result = inflow("capture", stdin="x" * (3 * 1024 * 1024))
    assert result.returncode == 1
    assert "limit is 1 MiB" in result.stderr and "Nothing was saved" in result.stderr
    assert "inflow capture --file PATH" in result.stderr and "kept in the draft" not in result.stderr
    assert not list(basedir.rglob("draft*"))  # and it does not pretend otherwise
