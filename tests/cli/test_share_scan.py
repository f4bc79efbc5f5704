"""`inflow capture --share` checks every field that would leave: title, note, link, tags, file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run

GITHUB = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def team(inflow: Run) -> Run:
    added = inflow("target", "add", "webhook", "--name", "team", "--set", "url=http://127.0.0.1:9/hook")
    assert added.returncode == 0, added.stderr
    return inflow


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (("--title", f"deploy {GITHUB}", "note"), "GitHub Token in the title"),
        (("--title", "deploy", f"line one\nkey {GITHUB}"), "GitHub Token in the note, line 2"),
        (("--url", "https://bob:s3cretpw@host.example/", "note"), "Basic Auth Credentials in the link"),
        (("--tag", GITHUB, "note"), "GitHub Token in the tags"),
        (("--tag", "AKIAIOSFODNN7EXAMPLE", "note"), "AWS Access Key in the tags"),
    ],
)
def test_a_secret_in_any_field_stops_the_share(team: Run, args: tuple[str, ...], found: str) -> None:
    result = team("capture", "--share", "team", *args)
    assert result.returncode == 1 and result.stdout == ""
    assert f"not shared: this looks like it contains a secret ({found})" in result.stderr
    assert team("search", "note", "--json").stdout.strip() in ("[]", "")


def test_a_secret_in_a_kept_files_name_stops_the_share(team: Run, tmp_path: Path) -> None:
    kept = tmp_path / f"{GITHUB}.txt"
    kept.write_text("harmless")
    result = team("capture", "--share", "team", "--file", str(kept))
    assert result.returncode == 1
    assert "GitHub Token in the" in result.stderr  # the title defaults to the name: both are named
    assert "GitHub Token in the file name" in result.stderr


def test_a_clean_share_goes_through(team: Run) -> None:
    result = team("capture", "--share", "team", "--tag", "git", "--title", "Rebase", "keep branches short")
    assert result.returncode == 0, result.stderr
