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


SETTINGS: tuple[Setting, ...] = (
    Setting("hotkey", str, "Ctrl+Alt+J", "Global shortcut that opens the capture window (e.g. Ctrl+Alt+J)."),
    Setting("autostart", bool, False, "Start Inflow when you log in (XDG autostart on Linux)."),
    Setting(
        "default_kind",
        str,
        "tip",
        "Kind preselected in a new capture window.",
        choices=("resource", "tip", "question"),
    ),
    Setting("log_level", str, "info", "How much goes into the log file.", choices=("debug", "info", "warning")),
    Setting("main_target", str, "", "The target tips and questions are shared with by default (empty: the first)."),
    Setting("share_tips", bool, True, "Share new tips with the main target by default."),
    Setting("share_questions", bool, True, "Share new questions with the main target by default."),
    Setting("share_resources", bool, False, "Share new resources with the main target by default."),
    Setting("question_poll_days", int, 14, "For how many days Inflow looks for answers to a question."),
    Setting("snapshots_enabled", bool, True, "Save an offline, readable copy of the pages of captured resources."),
    Setting("snapshot_max_mb", int, 10, "The largest page (or PDF) Inflow downloads for an offline copy, in MB."),
    Setting("snapshot_keep_days", int, 0, "How long offline copies are kept, in days (0: forever)."),
    Setting("feed_snapshot_daily_budget", int, 50, "How many links from the team feed get offline copies per day."),
    Setting(
        "snapshot_allow_domains",
        str,
        "",
        "Only these domains (and their subdomains) get offline copies; comma-separated; empty: all.",
    ),
    Setting("snapshot_deny_domains", str, "", "These domains never get offline copies; comma-separated."),
    Setting("backup_keep", int, 7, "How many daily backups of the library are kept."),
    Setting(
        "permit_insecure_http",
        bool,
        True,
        "Let a target's allow_insecure_http = true send over plain http:// (test labs); false voids it. "
        "Lockable by policy.",
    ),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(slots=True)
class Config:
    """The effective settings plus what was wrong with the file, for `inflow doctor` and the UI."""

    path: Path
    values: dict[str, Value] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

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


def load_config(paths: Paths) -> Config:
    """Read config.toml; a missing file means all defaults."""
    config = Config(path=paths.config_file, values={s.key: s.default for s in SETTINGS})
    try:
        raw = paths.config_file.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.problems.append(f"{paths.config_file}: cannot read it ({exc.strerror}); using defaults")
        return config
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        config.problems.append(f"{paths.config_file}: not valid TOML ({exc}); using defaults")
        return config
    targets = document.pop("targets", {})
    for key, value in document.items():
        problem = _apply(config, key, value)
        if problem:
            config.problems.append(f"{paths.config_file}: {problem}")
    from app.targets import parse_targets

    permit = config.get_bool("permit_insecure_http")
    config.targets, target_problems = parse_targets(targets, permit_insecure_http=permit)
    config.problems += [f"{paths.config_file}: {p}" for p in target_problems]
    return config


def _apply(config: Config, key: str, value: Any) -> str | None:
    setting = SETTINGS_BY_KEY.get(key)
    if setting is None:
        return f"unknown setting '{key}' (ignored)"
    default = _toml_literal(setting.default)
    if setting.type is bool and not isinstance(value, bool):
        return f"'{key}' must be true or false, not {value!r}; using the default ({default})"
    if setting.type is str and not isinstance(value, str):
        return f"'{key}' must be text, not {value!r}; using the default ({default})"
    if setting.type is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        return f"'{key}' must be a whole number, not {value!r}; using the default ({default})"
    if setting.choices and value not in setting.choices:
        allowed = ", ".join(setting.choices)
        return f"'{key}' must be one of {allowed}, not {value!r}; using the default ({default})"
    config.values[key] = value
    return None


def _toml_literal(value: Value) -> str:
    return tomli_w.dumps({"v": value}).strip()[4:]


def save_settings(paths: Paths, changes: Mapping[str, Value]) -> None:
    """Write changed settings to config.toml (atomically), keeping the other keys in the file."""
    for key in changes:
        if key not in SETTINGS_BY_KEY:
            raise KeyError(key)
    current = _read_document(paths)
    current.update(changes)
    write_document(paths, current)


def _read_document(paths: Paths) -> dict[str, Any]:
    try:
        return tomllib.loads(paths.config_file.read_text("utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def save_target(paths: Paths, target: Target) -> None:
    """Add or replace one `[targets.NAME]` table (settings only: secrets go to the keyring)."""
    document = _read_document(paths)
    document.setdefault("targets", {})[target.name] = {"kind": target.kind, **dict(target.settings)}
    write_document(paths, document)


def remove_target(paths: Paths, name: str) -> bool:
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
