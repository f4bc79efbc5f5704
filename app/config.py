"""The effective settings: config.toml (read and written) with the organisation's policy applied.

The settings are declared in `app.settings`. A bad value never stops Inflow: it is reported with the
key and the file, and the default is used for that key. Secrets never go here (they live in the OS keyring).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from app.paths import Paths
from app.policy import Policy, Reading
from app.settings import POLICY_ONLY_BY_KEY, SETTINGS, SETTINGS_BY_KEY, Value, check_value
from sync.connector import Target

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Config:
    """The effective settings plus what was wrong with the file, for `inflow doctor` and the UI.

    `values` are the effective ones (policy applied); `user_values` what config.toml holds, kept there
    also where an enforced policy overrides it (it comes back when the policy goes)."""

    path: Path
    values: dict[str, Value] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    user_values: dict[str, Value] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    """Per setting: "policy", "user", "recommended" or "default"."""
    policy: Policy = field(default_factory=Policy)
    managed_targets: dict[str, str] = field(default_factory=dict)
    """Provisioned targets (by name) and the policy source that defines each."""
    token_files: dict[str, str] = field(default_factory=dict)
    """Provisioned targets whose policy names a one-time token file."""

    def source(self, key: str) -> str:
        return self.sources.get(key, "default")

    def locked_by(self, key: str) -> str | None:
        """The policy source (file or registry key) that enforces this setting or policy key."""
        found = self.policy.enforced.get(key)
        return found[1] if found else None

    def policy_value(self, key: str) -> bool | tuple[str, ...]:
        """A policy-only key (user_targets, allowed_target_kinds, ...): the enforced policy's, else the default."""
        found = self.policy.enforced.get(key)
        value = None if found is None else found[0]
        if not isinstance(value, bool | tuple):  # not set (a set one is checked to be one of these)
            return POLICY_ONLY_BY_KEY[key].default
        return value

    def target(self, name: str) -> Target | None:
        return next((t for t in self.targets if t.name == name), None)

    def main_target(self) -> Target | None:
        """The chosen main target, else the first one added; never a public one (sync.registry.is_public)."""
        from sync.registry import is_public

        chosen = self.target(self.get_str("main_target"))
        if chosen is not None and not is_public(chosen.kind):
            return chosen
        return next((t for t in self.targets if not is_public(t.kind)), None)

    def sharing_defaults(self) -> dict[str, tuple[str, ...]]:
        """Per kind, the targets a new moment is shared with unless the person changes it."""
        main = self.main_target()
        return {
            kind: (main.name,) if main and self.get_bool(f"share_{kind}s") else ()
            for kind in ("resource", "tip", "question")
        }

    def tracking_targets(self, activity: str) -> tuple[str, ...]:
        """The xAPI targets that record this activity (captured, answered, read)."""
        from sync.connectors.xapi import tracked_activities

        return tuple(t.name for t in self.targets if t.kind == "xapi" and activity in tracked_activities(t))

    def get_int(self, key: str) -> int:
        return int(self.get(key))

    def get(self, key: str) -> Value:
        return self.values.get(key, SETTINGS_BY_KEY[key].default)

    def get_str(self, key: str) -> str:
        return str(self.get(key))

    def get_bool(self, key: str) -> bool:
        return bool(self.get(key))


def load_config(paths: Paths, policy: Reading | None = None) -> Config:
    """Read config.toml and the organisation's policy (from the OS unless given): enforced policy >
    the file > recommended policy > default. A missing file means the defaults."""
    from app.policy import read_policy
    from app.policy.merge import apply_policy

    config = Config(path=paths.config_file, values={s.key: s.default for s in SETTINGS})
    targets = _read_user_file(paths, config)
    apply_policy(config, read_policy() if policy is None else policy, targets)
    return config


def _read_user_file(paths: Paths, config: Config) -> object:
    """Fill config.user_values from config.toml (problems noted); return its [targets] table."""
    try:
        raw = paths.config_file.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        config.problems.append(f"{paths.config_file}: cannot read it ({exc.strerror}); using defaults")
        return {}
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deeply
        config.problems.append(f"{paths.config_file}: not valid TOML ({exc}); using defaults")
        return {}
    targets = document.pop("targets", {})
    for key, value in document.items():
        setting = SETTINGS_BY_KEY.get(key)
        problem = check_value(setting, value) if setting else f"unknown setting '{key}' (ignored)"
        if setting and problem:
            problem += f"; using the default ({_toml_literal(setting.default)})"
        if problem:
            config.problems.append(f"{paths.config_file}: {problem}")
        else:
            config.user_values[key] = value
    return targets


def _toml_literal(value: Value) -> str:
    return tomli_w.dumps({"v": value}).strip()[4:]


def save_settings(paths: Paths, changes: Mapping[str, Value]) -> None:
    """Write changed settings to config.toml (atomically), keeping the other keys in the file.
    Raises PolicyRefusedError (naming the policy) when the policy enforces one of them."""
    for key in changes:
        if key not in SETTINGS_BY_KEY:
            raise KeyError(key)
    from app.policy.rules import PolicyRefusedError, locked_refusal

    refusal = locked_refusal(load_config(paths), changes)
    if refusal:
        raise PolicyRefusedError(refusal)
    current = _read_document(paths)
    current.update(changes)
    write_document(paths, current)


def _read_document(paths: Paths) -> dict[str, Any]:  # Any: TOML as tomllib returns it, edited in place
    """config.toml to edit. One that is not valid TOML is first moved aside (`config.toml.invalid-<UTC
    stamp>`), so that saving a setting never overwrites what the person wrote there."""
    try:
        return tomllib.loads(paths.config_file.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        from storage.db import move_aside

        kept = move_aside(paths.config_file, "invalid")
        log.warning("%s is not valid TOML (%s); kept as %s, a new one is written", paths.config_file, exc, kept.name)
        return {}


def save_target(paths: Paths, target: Target) -> None:
    """Add or replace one `[targets.NAME]` table (settings only: secrets go to the keyring).
    Raises PolicyRefusedError (naming the policy) when the organisation's policy does not allow it."""
    from app.policy.rules import PolicyRefusedError, add_refusal

    document = _read_document(paths)
    refusal = add_refusal(load_config(paths), target, replacing=target.name in document.get("targets", {}))
    if refusal:
        raise PolicyRefusedError(refusal)
    document.setdefault("targets", {})[target.name] = {"kind": target.kind, **dict(target.settings)}
    write_document(paths, document)


def remove_target(paths: Paths, name: str) -> bool:
    """Remove one of the person's targets; PolicyRefusedError for a provisioned one or when user_targets is false."""
    from app.policy.rules import PolicyRefusedError, change_refusal

    refusal = change_refusal(load_config(paths), name, "removed")
    if refusal:
        raise PolicyRefusedError(refusal)
    document = _read_document(paths)
    removed = document.get("targets", {}).pop(name, None) is not None
    if document.get("main_target") == name:
        document.pop("main_target")
    if removed:
        write_document(paths, document)
    return removed


def write_document(paths: Paths, current: dict[str, object]) -> None:
    """Write the whole TOML document atomically."""
    from storage.export import write_atomically

    write_atomically(paths.config_file, tomli_w.dumps(current))
