"""Docs are checked: every command and option of the CLI is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import build_parser

DOC = (Path(__file__).resolve().parent.parent / "docs" / "CLI.md").read_text()


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [
        option
        for action in parser._actions  # argparse offers no public accessor
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]


def test_every_global_option_is_documented() -> None:
    for option in _options(build_parser()):
        assert f"`{option}" in DOC, option


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_its_options_are_documented() -> None:
    commands = _subcommands(build_parser())
    assert commands
    for name, sub in commands.items():
        assert f"### `inflow {name}`" in DOC, name
        section = DOC.split(f"### `inflow {name}`", 1)[1].split("### ", 1)[0]
        for option in _options(sub):
            assert option in section, f"{name} {option}"
        for action, subsub in _subcommands(sub).items():
            assert f"inflow {name} {action}" in section, f"{name} {action}"
            for option in _options(subsub):
                assert option in section, f"{name} {action} {option}"


def test_every_target_kind_and_key_is_documented() -> None:
    from sync.registry import connector_for, kinds

    settings = (Path(__file__).resolve().parent.parent / "docs" / "SETTINGS.md").read_text()
    section = settings.split("## Targets", 1)[1]
    for kind in kinds():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{kind}` |")), None)
        assert row is not None, kind
        for key in connector_for(kind).keys:
            assert f"`{key.name}`" in row, f"{kind}.{key.name}"
