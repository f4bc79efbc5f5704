"""Targets in config.toml: `[targets.NAME]` tables with a `kind` and that kind's keys.

Kinds and keys are the connectors' own (sync.registry), so Settings, config and CLI agree.
"""

from __future__ import annotations

import re
from typing import Any

from sync.connector import Target
from sync.registry import connector_for, kinds

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def validate_target(name: str, kind: str, settings: dict[str, str]) -> list[str]:
    """Problems with a target definition, written for a person (empty: fine)."""
    problems: list[str] = []
    if not NAME_PATTERN.match(name):
        problems.append(f"target name '{name}' must be letters, digits, '-' or '_' (at most 64)")
    if kind not in kinds():
        return [*problems, f"target '{name}': unknown kind '{kind}' (known: {', '.join(kinds())})"]
    keys = {key.name: key for key in connector_for(kind).keys}
    for key in keys.values():
        if key.required and not settings.get(key.name, "").strip():
            problems.append(f"target '{name}' ({kind}) needs '{key.name}' ({key.label})")
    for given in settings:
        if given not in keys:
            problems.append(f"target '{name}' ({kind}) has no setting '{given}' (known: {', '.join(keys)})")
    url = settings.get("url", "")
    if url and not re.match(r"^https?://[^\s/]+", url):
        problems.append(f"target '{name}': url must start with http:// or https://, not '{url}'")
    return problems


def parse_targets(table: Any) -> tuple[list[Target], list[str]]:
    """The valid targets from the `[targets]` table, and what was wrong with the others."""
    if not isinstance(table, dict):
        return [], ["'targets' must be a table of [targets.NAME] sections"]
    targets: list[Target] = []
    problems: list[str] = []
    for name, section in table.items():
        if not isinstance(section, dict):
            problems.append(f"target '{name}' must be a [targets.{name}] section")
            continue
        kind = str(section.get("kind", ""))
        settings = {str(k): str(v) for k, v in section.items() if k != "kind"}
        found = validate_target(str(name), kind, settings)
        if found:
            problems += [f"{p} (target ignored)" for p in found]
            continue
        targets.append(Target(str(name), kind, settings))
    return targets, problems
