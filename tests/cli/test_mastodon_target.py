"""`inflow target add mastodon` takes the connector's keys; `inflow target main` refuses a public target."""

from __future__ import annotations

from tests.cli.conftest import Run


def test_add_mastodon_and_refuse_it_as_the_main_target(inflow: Run) -> None:
    added = inflow("target", "add", "mastodon", "--name", "fedi", "--set", "url=https://mastodon.example.org",
                   "--set", "visibility=public")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert (
        inflow("target", "add", "webhook", "--name", "hook", "--set", "url=https://hooks.example.org/in").returncode
        == 0
    )
    refused = inflow("target", "main", "fedi")
    assert refused.returncode == 1
    assert "'fedi' is public" in refused.stderr and "never the main target" in refused.stderr
    assert inflow("target", "main", "hook").returncode == 0
    listed = inflow("target", "list")
    assert "hook" in listed.stdout and "(main)" in next(line for line in listed.stdout.splitlines() if "hook" in line)
    assert inflow("target", "main", "nobody").returncode == 1
