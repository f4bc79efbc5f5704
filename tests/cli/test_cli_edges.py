"""Arguments that cannot mean anything are usage errors (exit 2) that say what to type instead."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Run


@pytest.mark.parametrize("link", ["not a url", "notaurl", "http://not a url", "https://intranet"])
def test_capture_refuses_a_link_that_is_not_one(inflow: Run, link: str) -> None:
    result = inflow("capture", "--url", link, "--title", "junk link")
    assert result.returncode == 2 and result.stdout == ""
    assert "is not a web link" in result.stderr and "https://example.org/page" in result.stderr
    assert "Nothing was saved" in result.stderr
    assert json.loads(inflow("search", "junk", "--json").stdout) == []


def test_capture_with_a_link_and_no_kind_is_a_resource(inflow: Run) -> None:
    moment_id = inflow("capture", "--url", "https://example.org/guide", "--title", "A guide").stdout.strip()
    assert json.loads(inflow("show", moment_id, "--json").stdout)["kind"] == "resource"
    bare = inflow("capture", "--url", "example.org/page", "--title", "No scheme").stdout.strip()
    assert json.loads(inflow("show", bare, "--json").stdout)["kind"] == "resource"
    tip = inflow("capture", "--kind", "tip", "--url", "https://example.org/x", "--title", "Told").stdout.strip()
    assert json.loads(inflow("show", tip, "--json").stdout)["kind"] == "tip"
    plain = inflow("capture", "--title", "No link").stdout.strip()
    assert json.loads(inflow("show", plain, "--json").stdout)["kind"] == "tip"  # the default_kind setting


def test_show_says_a_prefix_needs_four_characters(inflow: Run) -> None:
    moment_id = inflow("capture", "--title", "Prefixed").stdout.strip()
    result = inflow("show", moment_id[:2])
    assert result.returncode == 2
    assert "at least 4 characters" in result.stderr
    assert inflow("show", moment_id[:4]).returncode == 0
    assert inflow("show", "zzzz").returncode == 1  # long enough, just unknown


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("search", "x", "--limit", "0"), "--limit must be 1 or more, not 0"),
        (("search", "x", "--limit", "-3"), "--limit must be 1 or more, not -3"),
        (("search", ""), "search needs a QUERY"),
        (("search", "   "), "search needs a QUERY"),
    ],
)
def test_search_usage_errors(inflow: Run, args: tuple[str, ...], says: str) -> None:
    result = inflow(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert says in result.stderr
