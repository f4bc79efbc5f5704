"""`inflow digest`: this week's figures in the three formats, and a week that is no ISO week."""

from __future__ import annotations

import json

from tests.cli.conftest import Run

UTC_ENV = {"TZ": "UTC"}


def test_digest_prints_the_week_as_json_text_and_markdown(inflow: Run) -> None:
    assert inflow("capture", "--kind", "tip", "--tag", "git", "--title", "Rebase often", "body").returncode == 0
    assert inflow("capture", "--kind", "question", "--title", "Who owns CI?", "body").returncode == 0

    as_json = inflow("digest", "--format", "json", env=UTC_ENV)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["captured"] == {"resource": 0, "tip": 1, "question": 1}
    assert data["tags"] == {"git": 1}
    assert [q["title"] for q in data["open_questions"]] == ["Who owns CI?"]
    assert data["shared"] == []  # nothing is shared from the CLI without --share
    assert len(data["chart"]) == 12 and data["chart"][-1]["week"] == data["week"]
    assert data["chart"][-1]["tip"] == 1

    text = inflow("digest", "--week", data["week"], env=UTC_ENV)
    assert text.returncode == 0, text.stderr
    assert f"Week {data['week']}" in text.stdout
    assert "Captured: 2 (0 resources, 1 tip, 1 question)" in text.stdout
    assert "  - Who owns CI?" in text.stdout

    markdown = inflow("digest", "--format", "markdown", env=UTC_ENV)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith(f"# Week {data['week']}\n")
    assert "## Questions still open (1)" in markdown.stdout
    assert f"| {data['week']} | 0 | 1 | 1 |" in markdown.stdout


def test_a_week_that_does_not_exist_is_bad_usage(inflow: Run) -> None:
    result = inflow("digest", "--week", "2027-W53")
    assert result.returncode == 2
    assert result.stderr.strip() == "inflow: not an ISO week: '2027-W53' (write it as YYYY-Www, e.g. 2026-W49)"
