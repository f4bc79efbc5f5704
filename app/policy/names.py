"""Policy names outside TOML: the CamelCase of the keys (`Hotkey`, `ShareTips`, `AllowedTargetHosts`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache


def camel(key: str) -> str:
    """`snapshots_enabled` -> `SnapshotsEnabled`."""
    return "".join(part.capitalize() for part in key.split("_"))


@cache
def key_types() -> dict[str, type]:
    """Every key a policy may set, with its type (`targets`: a table of tables)."""
    from app.settings import POLICY_ONLY, SETTINGS

    types = {s.key: s.type for s in SETTINGS if s.policy is not None}
    types.update({p.key: p.type for p in POLICY_ONLY})
    types["targets"] = dict
    return types


def to_keys(
    values: Mapping[str, object], source: str, problems: list[str], convert: Callable[[type, object], object]
) -> dict[str, object]:
    """CamelCase names -> snake_case keys, each value converted for its type; unknown names and
    values that cannot be converted are reported and left out."""
    by_camel = {camel(key): key for key in key_types()}
    found: dict[str, object] = {}
    for name, raw in values.items():
        key = by_camel.get(name)
        if key is None:
            problems.append(f"{source}: unknown policy '{name}'; ignored")
            continue
        try:
            found[key] = convert(key_types()[key], raw)
        except ValueError as exc:
            problems.append(f"{source}: '{name}' {exc}; ignored, as if the policy did not set it")
    return found
