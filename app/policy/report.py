"""What `inflow doctor` says about settings and policy: every setting with its value, source and lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, NotRequired, TypedDict

if TYPE_CHECKING:
    from app.config import Config

JsonValue = str | bool | int | list[str]
"""A setting's or policy key's value as `inflow doctor --json` writes it (a tuple becomes a list)."""


class SettingEntry(TypedDict):
    """One setting or policy-only key in the report."""

    value: JsonValue
    source: str
    locked: bool
    user_value: NotRequired[JsonValue]
    """Where a policy overrides a different value of the person's own (it stays in config.toml)."""


class PolicyPart(TypedDict):
    """The policy sources that were read and the problems found in them."""

    sources: list[str]
    problems: list[str]


class SettingsAndPolicy(TypedDict):
    """The parts of the doctor's report that `describe` puts into words."""

    settings: dict[str, SettingEntry]
    policy: PolicyPart


SOURCE_WORDS = {
    "policy": "set by your organization",
    "user": "your setting",
    "recommended": "recommended by your organization",
    "default": "default",
}


def settings_report(config: Config) -> dict[str, SettingEntry]:
    """Every setting and policy-only key: {"value", "source", "locked"} (JSON-ready), plus "user_value"
    where a policy overrides a different value of the person's own (it stays in config.toml)."""
    from app.settings import POLICY_ONLY, SETTINGS

    report: dict[str, SettingEntry] = {}
    for key in [s.key for s in SETTINGS] + [p.key for p in POLICY_ONLY]:
        value = config.get(key) if any(s.key == key for s in SETTINGS) else config.policy_value(key)
        entry: SettingEntry = {
            "value": list(value) if isinstance(value, tuple) else value,
            "source": config.source(key),
            "locked": config.locked_by(key) is not None,
        }
        own = config.user_values.get(key)
        if entry["locked"] and own is not None and own != value:
            entry["user_value"] = own
        report[key] = entry
    return report


def policy_report(config: Config) -> PolicyPart:
    """The policy sources that were read (files or registry keys) and every problem found in them."""
    return {"sources": list(config.policy.sources), "problems": list(config.policy.problems)}


def describe(report: SettingsAndPolicy) -> list[str]:
    """The settings and policy parts of `inflow doctor`, in words."""
    lines = ["Settings:"]
    for key, entry in report["settings"].items():
        words = SOURCE_WORDS.get(entry["source"], entry["source"])
        if "user_value" in entry:
            words += f"; your own {_shown(entry['user_value'])} is kept in config.toml"
        lines.append(f"  {key}: {_shown(entry['value'])} ({words})")
    policy = report["policy"]
    lines.append("Policy:   " + ("; ".join(policy["sources"]) if policy["sources"] else "none (not managed)"))
    if policy["problems"]:
        lines.append(f"  {len(policy['problems'])} problem(s) (each ignored, as if the policy did not set it):")
        lines += [f"  - {p}" for p in policy["problems"]]
    return lines


def _shown(value: JsonValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(value) if value else "(none)"
    return str(value) if value != "" else "(empty)"
