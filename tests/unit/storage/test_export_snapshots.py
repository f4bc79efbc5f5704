from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from sqlite_utils import Database

from storage.export import export_json, export_markdown
from storage.files import add_file_moment
from storage.models import Draft, Kind
from storage.moments import add_moment
from storage.snapshots import Asset, SnapshotContent, save_snapshot

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRtiny"


def _article(db: Database) -> str:
    moment = add_moment(
        db, Draft(kind=Kind.RESOURCE, title="WAL explained", url="https://example.org/wal#top"), snapshot=True
    )
    save_snapshot(
        db, moment.rowid,
        SnapshotContent(
            final_url="https://example.org/wal", content_type="text/html", title="Write-Ahead Logging",
            byline="D. R. Hipp", site="SQLite", text="The WAL file holds new pages",
            html='<h2>How it works</h2><p>The WAL file holds <a href="https://example.org/more">new pages</a>.</p>'
            '<figure><img src="inflow-asset:diagram" alt="diagram"></figure><img srcset="inflow-asset:diagram 2x">',
            assets=[Asset("diagram", "image/png", PNG)],
        ),
    )  # fmt: skip
    return moment.id


def test_json_export_carries_snapshots_and_files(db: Database, tmp_path: Path) -> None:
    article_id = _article(db)
    add_file_moment(db, Draft(kind=Kind.RESOURCE), "report.pdf", "application/pdf", b"%PDF-1.4 fake", "pdf text")
    add_moment(db, Draft(kind=Kind.TIP, title="no extras"))
    assert export_json(db, tmp_path / "all.json") == 3
    document = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert document["format"] == "inflow-export" and document["version"] == 2
    article, kept, tip = document["moments"]
    assert article["id"] == article_id
    snap = article["snapshot"]
    assert snap["state"] == "saved" and snap["title"] == "Write-Ahead Logging" and snap["byline"] == "D. R. Hipp"
    assert snap["text"] == "The WAL file holds new pages" and "inflow-asset:diagram" in snap["html"]
    assert snap["final_url"] == "https://example.org/wal" and snap["content_type"] == "text/html"
    assert [(a["name"], a["media_type"], base64.b64decode(a["data"])) for a in snap["assets"]] == [
        ("diagram", "image/png", PNG)
    ]
    assert article["file"] is None
    assert kept["file"]["name"] == "report.pdf" and kept["file"]["text"] == "pdf text"
    assert base64.b64decode(kept["file"]["data"]) == b"%PDF-1.4 fake"
    assert kept["snapshot"] is None
    assert tip["snapshot"] is None and tip["file"] is None


def test_markdown_export_writes_a_self_contained_page_per_snapshot(db: Database, tmp_path: Path) -> None:
    _article(db)
    add_moment(db, Draft(kind=Kind.RESOURCE, title="Not fetched yet", url="https://example.org/later"), snapshot=True)
    add_file_moment(db, Draft(kind=Kind.RESOURCE, title="Q3"), "q3 plan.txt", "text/plain", b"plan", "plan")
    folder = tmp_path / "md"
    assert export_markdown(db, folder) == 3
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == 1  # only the saved snapshot gets a page
    page = pages[0].read_text(encoding="utf-8")
    md = pages[0].with_suffix(".md")
    assert md.exists()
    assert f'snapshot: "{pages[0].name}"' in md.read_text(encoding="utf-8")
    assert "<title>Write-Ahead Logging</title>" in page
    assert "https://example.org/wal#top" in page  # the original URL
    assert "Captured 20" in page  # the capture date
    assert "The WAL file holds" in page
    assert "inflow-asset:" not in page
    encoded = base64.b64encode(PNG).decode()
    assert page.count(f"data:image/png;base64,{encoded}") == 2
    # Nothing loads from the network: every src/srcset is a data: URI, and a CSP forbids the rest.
    for reference in re.findall(r'(?:src|srcset)="([^"]*)"', page):
        assert reference.startswith("data:"), reference
    assert "url(" not in page
    assert "default-src 'none'" in page
    # The kept file is written next to its Markdown file.
    kept = [p for p in folder.iterdir() if p.name.endswith("--q3 plan.txt")]
    assert len(kept) == 1 and kept[0].read_bytes() == b"plan"
    kept_md = folder / (kept[0].name.split("--")[0] + ".md")
    assert f'file: "{kept[0].name}"' in kept_md.read_text(encoding="utf-8")
