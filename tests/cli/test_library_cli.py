"""import, snapshot refresh, backup, restore and capture --file as real processes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, Run

FIXTURES = ROOT / "tests" / "fixtures" / "import"


def _bookmarks(count: int, distinct: int) -> str:
    rows = "\n".join(
        f'<DT><A HREF="https://site{i % distinct}.example/p" ADD_DATE="{1700000000 + i}">Page {i}</A>'
        for i in range(count)
    )
    return f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p><DT><H3>Bulk</H3>\n<DL><p>\n{rows}\n</DL>\n</DL>\n"


def _count(basedir: Path, sql: str = "SELECT count(*) FROM moments WHERE deleted_at IS NULL") -> int:
    conn = sqlite3.connect(basedir / "data" / "inflow.db")
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# ---------------------------------------------------------------------------- import


def test_import_bookmarks_prints_progress_and_a_summary(inflow: Run, basedir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(_bookmarks(5000, 4990), encoding="utf-8")
    result = inflow("import", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(
        "Imported 4,990 (10 merged duplicates); snapshots will be fetched in the background"
    )
    lines = result.stderr.splitlines()
    assert lines[0].startswith("importing: 500 read (") and lines[-1] == "importing: 5,000 read (100 %)"  # not a tty
    assert _count(basedir) == 4990
    assert _count(basedir, "SELECT count(*) FROM snapshots WHERE state = 'pending'") == 4990
    hits = json.loads(inflow("search", "Page", "--tag", "bulk", "--limit", "3", "--json").stdout)
    assert len(hits) == 3 and hits[0]["kind"] == "resource"


def test_import_json_report_and_no_snapshots(inflow: Run, basedir: Path) -> None:
    result = inflow("import", str(FIXTURES / "firefox-bookmarks.html"), "--no-snapshots", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["merged"], report["skipped"], report["snapshots_queued"]) == (7, 2, 2, 0)
    assert report["format"] == "bookmarks" and report["cancelled"] is False
    assert any("javascript:" in p for p in report["problems"])
    assert _count(basedir, "SELECT count(*) FROM snapshots") == 0
    again = inflow("import", str(FIXTURES / "firefox-bookmarks.html"), "--no-snapshots")
    assert again.returncode == 0
    assert again.stdout.startswith("Imported 0 (9 merged duplicates); skipped 2")
    assert "javascript:" in again.stderr
    assert _count(basedir) == 7


def test_import_shows_a_bar_on_a_terminal(basedir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(_bookmarks(1200, 1200), encoding="utf-8")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    master, slave = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app", "--basedir", str(basedir), "import", str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, cwd=ROOT, timeout=60, check=False,
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        )  # fmt: skip
        os.close(slave)
        output = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(master)
    assert result.returncode == 0
    text = output.decode()
    assert "\rImporting [" in text and "100 %  1,200 read" in text
    assert "#" * 30 in text
    assert result.stdout.decode().startswith("Imported 1,200")


def test_ctrl_c_cancels_and_keeps_nothing(basedir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(_bookmarks(40000, 40000), encoding="utf-8")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--basedir", str(basedir), "import", str(path), "--no-snapshots"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
    )  # fmt: skip
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("importing: 500 read ("), first
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stdout.startswith("Cancelled after reading ") and stdout.rstrip().endswith("nothing was imported")
    assert _count(basedir) == 0  # one transaction: all or nothing


def test_import_above_the_cap_says_how_many_and_imports_nothing(inflow: Run, basedir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(_bookmarks(1500, 1500), encoding="utf-8")
    result = inflow("import", str(path), "--max", "1000")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "inflow: bookmarks.html: the file holds 1,500 moments, more than the 1,000 one import may add; "
        "nothing was imported (to import it all: inflow import FILE --max 1500)"
    )
    assert _count(basedir) == 0
    assert inflow("import", str(path), "--max", "1500").returncode == 0
    assert _count(basedir) == 1500


def test_import_of_an_inflow_json_export_restores_snapshots_and_files(
    inflow: Run, basedir: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nthe word is marmalade\n", encoding="utf-8")
    file_id = json.loads(inflow("capture", "--file", str(notes), "--json").stdout)["id"]
    tip_id = inflow("capture", "--kind", "tip", "--title", "Rebase", "keep it short").stdout.strip()
    export = tmp_path / "all.json"
    assert inflow("export", "--format", "json", str(export)).returncode == 0
    other = tmp_path / "other"
    result = inflow("import", str(export), global_args=("--basedir", str(other)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Imported 2")
    shown = json.loads(inflow("show", file_id, "--json", global_args=("--basedir", str(other))).stdout)
    assert shown["file"] == {"name": "notes.md", "media_type": "text/markdown", "size": notes.stat().st_size}
    assert json.loads(inflow("show", tip_id, "--json", global_args=("--basedir", str(other))).stdout)["body"] == (
        "keep it short"
    )
    hits = json.loads(inflow("search", "marmalade", "--json", global_args=("--basedir", str(other))).stdout)
    assert [h["id"] for h in hits] == [file_id]


def test_import_refuses_what_it_cannot_read(inflow: Run, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    result = inflow("import", str(junk))
    assert result.returncode == 1
    assert result.stderr == "inflow: junk.txt is not a bookmarks file or an Inflow export\n"
    missing = inflow("import", str(tmp_path / "nope.html"))
    assert missing.returncode == 1 and "no such file" in missing.stderr


# ---------------------------------------------------------------------------- show and snapshot refresh


def test_show_json_includes_the_snapshot_and_refresh_requeues_it(inflow: Run, basedir: Path) -> None:
    inflow("import", str(FIXTURES / "chrome-bookmarks.html"))
    moment = json.loads(inflow("search", "twelve", "--json").stdout)[0]
    shown = json.loads(inflow("show", moment["id"], "--json").stdout)
    assert shown["snapshot"]["state"] == "pending" and shown["snapshot"]["url"] == "https://12factor.net/"
    assert set(shown["snapshot"]) == {
        "state", "url", "final_url", "title", "byline", "site", "size", "error", "fetched_at", "text"
    }  # fmt: skip
    assert shown["file"] is None
    conn = sqlite3.connect(basedir / "data" / "inflow.db")
    conn.execute("UPDATE snapshots SET state = 'saved', html = '<p>x</p>', text = 'x'")
    conn.commit()
    conn.close()
    result = inflow("snapshot", "refresh", moment["id"][:8])
    assert result.returncode == 0, result.stderr
    assert "fetched again" in result.stdout
    assert _count(basedir, "SELECT count(*) FROM snapshots WHERE next_attempt_at = -1") == 1


def test_snapshot_refresh_without_a_url_fails(inflow: Run) -> None:
    tip = inflow("capture", "--kind", "tip", "--title", "no link").stdout.strip()
    result = inflow("snapshot", "refresh", tip)
    assert result.returncode == 1 and "has no URL" in result.stderr
    unknown = inflow("snapshot", "refresh", "ffffffff")
    assert unknown.returncode == 1 and "no moment" in unknown.stderr


# ---------------------------------------------------------------------------- backup and restore


def test_backup_then_restore_with_yes(inflow: Run, basedir: Path) -> None:
    inflow("capture", "--title", "before the backup")
    made = inflow("backup", "--json")
    assert made.returncode == 0, made.stderr
    info = json.loads(made.stdout)
    backup = Path(info["path"])
    assert backup.parent == basedir / "data" / "backups" and backup.name.startswith("inflow-")
    assert info["keep"] == 7 and info["backups"] == [str(backup)]
    inflow("capture", "--title", "after the backup")
    refused = inflow("restore", str(backup))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert _count(basedir) == 2
    restored = inflow("restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "previous library was moved to" in restored.stdout
    assert _count(basedir) == 1
    aside = [
        p for p in (basedir / "data").iterdir() if ".before-restore-" in p.name and p.name.endswith(tuple("0123456789"))
    ]
    assert len(aside) == 1
    conn = sqlite3.connect(aside[0])
    assert conn.execute("SELECT count(*) FROM moments").fetchone()[0] == 2
    conn.close()
    plain = inflow("backup")
    assert plain.returncode == 0 and Path(plain.stdout.strip()).exists()


def test_restore_refuses_a_non_library(inflow: Run, basedir: Path, tmp_path: Path) -> None:
    inflow("capture", "--title", "mine")
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    result = inflow("restore", str(junk), "--yes")
    assert result.returncode == 1 and "not an Inflow library" in result.stderr
    assert _count(basedir) == 1


@pytest.fixture
def short_runtime() -> Iterator[Path]:
    """A runtime dir short enough for a Unix socket path."""
    folder = Path(tempfile.mkdtemp(prefix="ifl", dir="/tmp"))
    folder.chmod(0o700)
    yield folder
    for entry in folder.iterdir():
        entry.unlink()
    folder.rmdir()


def _fake_instance(runtime: Path, basedir: Path) -> tuple[socket.socket, list[dict[str, object]]]:
    """Something answering on the instance socket, as a running Inflow would."""
    key = hashlib.sha256(str(basedir.resolve()).encode()).hexdigest()[:12]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(runtime / f"inflow-{key}.sock"))
    server.listen()
    received: list[dict[str, object]] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                data = io.BytesIO()
                while not data.getvalue().endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data.write(chunk)
                received.append(json.loads(data.getvalue()))
                conn.sendall(b'{"ok": true}\n')

    threading.Thread(target=serve, daemon=True).start()
    return server, received


def test_restore_refuses_while_inflow_runs_and_import_nudges_it(
    inflow: Run, basedir: Path, short_runtime: Path
) -> None:
    env = {"XDG_RUNTIME_DIR": str(short_runtime)}
    inflow("capture", "--title", "mine", env=env)
    backup = Path(inflow("backup", env=env).stdout.strip())
    server, received = _fake_instance(short_runtime, basedir)
    try:
        result = inflow("restore", str(backup), "--yes", env=env)
        assert result.returncode == 1 and "running" in result.stderr
        imported = inflow("import", str(FIXTURES / "chrome-bookmarks.html"), env=env)
        assert imported.returncode == 0
        assert imported.stdout.strip().endswith("snapshots will be fetched in the background")
        assert {"cmd": "library-changed"} in received
    finally:
        server.close()


# ---------------------------------------------------------------------------- capture --file


def test_capture_file_text_and_markdown_are_searchable(inflow: Run, tmp_path: Path) -> None:
    text = tmp_path / "meeting.txt"
    text.write_text("we agreed on the albatross plan", encoding="utf-8")
    result = inflow("capture", "--file", str(text), "--tag", "work", "--json")
    assert result.returncode == 0, result.stderr
    moment = json.loads(result.stdout)
    assert (moment["kind"], moment["title"], moment["tags"]) == ("resource", "meeting.txt", ["work"])
    assert moment["file"] == {"name": "meeting.txt", "media_type": "text/plain", "size": text.stat().st_size}
    md = tmp_path / "howto.md"
    md.write_text("# How to\n\nuse the **pelican** flag\n", encoding="utf-8")
    md_id = inflow("capture", "--file", str(md), "--title", "Pelican how-to").stdout.strip()
    assert len(md_id) == 36
    assert [h["id"] for h in json.loads(inflow("search", "albatross", "--json").stdout)] == [moment["id"]]
    hits = json.loads(inflow("search", "pelican", "--json").stdout)
    assert [(h["id"], h["title"]) for h in hits] == [(md_id, "Pelican how-to")]


def test_capture_file_pdf_text_is_searchable_and_other_files_are_kept(inflow: Run, tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
         NameObject("/BaseFont"): NameObject("/Helvetica")}
    )  # fmt: skip
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 72 720 Td (quarterly zeppelin report) Tj ET")
    page.replace_contents(content)
    pdf = tmp_path / "report.pdf"
    with pdf.open("wb") as handle:
        writer.write(handle)
    pdf_id = inflow("capture", "--file", str(pdf)).stdout.strip()
    assert [h["id"] for h in json.loads(inflow("search", "zeppelin", "--json").stdout)] == [pdf_id]
    shown = json.loads(inflow("show", pdf_id, "--json").stdout)
    assert shown["file"]["media_type"] == "application/pdf" and shown["snapshot"] is None
    blob = tmp_path / "photo.raw"
    blob.write_bytes(b"\x00\x01" * 100)
    kept = inflow("capture", "--file", str(blob), "--json")
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout)["file"]["size"] == 200


def test_capture_file_over_the_budget_is_refused(inflow: Run, basedir: Path, tmp_path: Path) -> None:
    big = tmp_path / "huge.bin"
    with big.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)
    result = inflow("capture", "--file", str(big))
    assert result.returncode == 1
    assert "too large" in result.stderr and "25 MB" in result.stderr
    assert result.stdout == ""
    missing = inflow("capture", "--file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
