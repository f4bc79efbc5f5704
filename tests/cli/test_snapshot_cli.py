"""Offline copies end to end from the command line: capture a resource, `sync now` fetches the page
(served on loopback from tests/fixtures/pages), the text is searchable and `show --json` has it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run
from tests.unit.snapshots.conftest import serving


def test_capture_then_sync_now_saves_a_searchable_offline_copy(inflow: Run) -> None:
    with serving() as pages:
        url = f"{pages.base}/article.html"
        moment_id = inflow("capture", "--kind", "resource", "--url", url, "--title", "Saved article").stdout.strip()
        assert json.loads(inflow("show", moment_id, "--json").stdout)["snapshot"]["state"] == "pending"
        synced = inflow("sync", "now")
        assert synced.returncode == 0, synced.stderr
        assert "1 offline copies saved" in synced.stdout
    shown = json.loads(inflow("show", moment_id, "--json").stdout)
    assert shown["snapshot"]["state"] == "saved"
    assert shown["snapshot"]["size"] > 0
    words = shown["snapshot"]["text"].split()[10:13]
    hits = json.loads(inflow("search", " ".join(words), "--json").stdout)
    assert [h["id"] for h in hits] == [moment_id]


def test_a_denied_domain_gets_no_copy_and_says_why(inflow: Run, basedir: Path) -> None:
    (basedir / "config").mkdir(parents=True)
    (basedir / "config" / "config.toml").write_text('snapshot_deny_domains = "127.0.0.1"\n')
    with serving() as pages:
        moment_id = inflow("capture", "--kind", "resource", "--url", f"{pages.base}/article.html", "x").stdout.strip()
        inflow("sync", "now")
        assert pages.paths() == []
    snapshot = json.loads(inflow("show", moment_id, "--json").stdout)["snapshot"]
    assert snapshot["state"] == "failed"
    assert "127.0.0.1" in snapshot["error"]
