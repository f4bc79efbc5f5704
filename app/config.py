"""Typed settings, declared once (key, type, default, doc), read from and written to a TOML file.

A bad value never stops Inflow: it is reported with the key and the file, and the default is used
for that key. Secrets never go here (they live in the OS keyring).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from app.paths import Paths
from app.policy import Policy, Reading
from sync.connector import Target

Value = str | bool | int


@dataclass(frozen=True, slots=True)
class Setting:
    """One user setting: how it is named, typed, defaulted and explained."""

    key: str
    type: type
    default: Value
    doc: str
    choices: tuple[str, ...] = ()
    policy: str | None = None
    """For administrators: what the policy of this name does (None: not a policy)."""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "hotkey", str, "Ctrl+Alt+J", "Global shortcut that opens the capture window (e.g. Ctrl+Alt+J).",
        policy="The global shortcut that opens the capture window, in Qt's notation (e.g. Ctrl+Alt+J).",
    ),
    Setting(
        "autostart", bool, False, "Start Inflow when you log in (XDG autostart on Linux).",
        policy="Start Inflow when people log in.",
    ),
    Setting(
        "default_kind", str, "tip", "Kind preselected in a new capture window.",
        choices=("resource", "tip", "question"),
        policy="The kind preselected in a new capture window.",
    ),
    Setting(
        "log_level", str, "info", "How much goes into the log file.", choices=("debug", "info", "warning"),
        policy="How much Inflow writes to its log file (debug for support cases).",
    ),
    Setting(
        "main_target", str, "", "The target tips and questions are shared with by default (empty: the first).",
        policy="The team target (by name, usually a provisioned one) that tips and questions go to by default.",
    ),
    Setting(
        "share_tips", bool, True, "Share new tips with the main target by default.",
        policy="New tips are shared with the main target unless the person picks Only me.",
    ),
    Setting(
        "share_questions", bool, True, "Share new questions with the main target by default.",
        policy="New questions are shared with the main target unless the person picks Only me.",
    ),
    Setting(
        "share_resources", bool, False, "Share new resources with the main target by default.",
        policy="New resources are shared with the main target unless the person picks Only me.",
    ),
    Setting(
        "question_poll_days", int, 14, "For how many days Inflow looks for answers to a question.",
        policy="For how many days Inflow polls the targets for answers to a question.",
    ),
    Setting(
        "snapshots_enabled", bool, True, "Save an offline, readable copy of the pages of captured resources.",
        policy="Inflow downloads the pages of captured resources for offline reading (false: never).",
    ),
    Setting(
        "snapshot_max_mb", int, 10, "The largest page (or PDF) Inflow downloads for an offline copy, in MB.",
        policy="The largest page or PDF downloaded for an offline copy, in MB.",
    ),
    Setting(
        "snapshot_keep_days", int, 0, "How long offline copies are kept, in days (0: forever).",
        policy="How long offline copies are kept, in days (0: forever).",
    ),
    Setting(
        "feed_snapshot_daily_budget", int, 50, "How many links from the team feed get offline copies per day.",
        policy="How many links shared by colleagues get offline copies per day (0: none).",
    ),
    Setting(
        "snapshot_allow_domains", str, "",
        "Only these domains (and their subdomains) get offline copies; comma-separated; empty: all.",
        policy="Only pages on these domains (and subdomains) are downloaded; comma-separated; empty: all.",
    ),
    Setting(
        "snapshot_deny_domains", str, "", "These domains never get offline copies; comma-separated.",
        policy="Pages on these domains (and subdomains) are never downloaded; comma-separated.",
    ),
    Setting(
        "backup_keep", int, 7, "How many daily backups of the library are kept.",
        policy="How many daily backups of the library are kept on the computer.",
    ),
    Setting(
        "permit_insecure_http",
        bool,
        True,
        "Let a target's allow_insecure_http = true send over plain http:// (test labs); false voids it. "
        "Lockable by policy.",
        policy="false: no target may send over plain http://, whatever its allow_insecure_http says.",
    ),
)  # fmt: skip
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class PolicyOnly:
    """A key only an administrator sets (never in config.toml): true/false, or a list of text."""

    key: str
    type: type
    default: bool | tuple[str, ...]
    policy: str


POLICY_ONLY: tuple[PolicyOnly, ...] = (
    PolicyOnly(
        "user_targets", bool, True,
        "false: people cannot add, edit or remove team targets; only the provisioned ones exist.",
    ),
    PolicyOnly(
        "allowed_target_kinds", list, (),
        "Only targets of these kinds can be added or provisioned (e.g. matrix, xapi); empty: every kind.",
    ),
    PolicyOnly(
        "allowed_target_hosts", list, (),
        "Only targets whose addresses are on these hosts are used: host names, or *.example.org for any "
        "subdomain of example.org; empty: every host.",
    ),
    PolicyOnly(
        "allow_share_override", bool, True,
        "false: the capture window's share / only me choice is fixed to the sharing defaults.",
    ),
)  # fmt: skip
POLICY_ONLY_BY_KEY = {p.key: p for p in POLICY_ONLY}


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
        if found is None:
            return POLICY_ONLY_BY_KEY[key].default
        value: bool | tuple[str, ...] = found[0]
        return value

    def target(self, name: str) -> Target | None:
        return next((t for t in self.targets if t.name == name), None)

    def main_target(self) -> Target | None:
        """The chosen main target, else the first one added."""
        return self.target(self.get_str("main_target")) or (self.targets[0] if self.targets else None)

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


def _read_user_file(paths: Paths, config: Config) -> Any:
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
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
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


def check_value(setting: Setting, value: Any) -> str | None:
    """What is wrong with a value for this setting, for a person (None: fine)."""
    key = setting.key
    if setting.type is bool and not isinstance(value, bool):
        return f"'{key}' must be true or false, not {value!r}"
    if setting.type is str and not isinstance(value, str):
        return f"'{key}' must be text, not {value!r}"
    if setting.type is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        return f"'{key}' must be a whole number, not {value!r}"
    if setting.choices and value not in setting.choices:
        return f"'{key}' must be one of {', '.join(setting.choices)}, not {value!r}"
    return None


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


def _read_document(paths: Paths) -> dict[str, Any]:
    try:
        return tomllib.loads(paths.config_file.read_text("utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError, UnicodeDecodeError):
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


def write_document(paths: Paths, current: dict[str, Any]) -> None:
    """Write the whole TOML document atomically."""
    from storage.export import write_atomically

    write_atomically(paths.config_file, tomli_w.dumps(current))
