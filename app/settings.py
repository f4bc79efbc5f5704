"""Every setting, declared once (key, type, default, doc, what its policy does), and the policy-only keys.

Pure declarations: reading and writing config.toml with the policy applied is `app.config`, checking
and applying a policy `app.policy`; both build on this module, which imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        "autostart", bool, False,
        "Start Inflow when you log in (XDG autostart on Linux, the Run key on Windows, a LaunchAgent on macOS).",
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
        "feed_snapshot_daily_budget",
        int,
        50,
        "How many links your colleagues shared get offline copies per day (Settings: colleagues' links).",
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
        "resurface", bool, True, "Bring tips and resources back now and then, spaced out (FSRS), at calm moments.",
        policy="false: saved tips and resources are never brought back (notifications, the Today view).",
    ),
    Setting(
        "resurface_per_day", int, 3, "At most this many moments are brought back a day.",
        policy="At most this many saved moments are brought back to a person a day.",
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


def check_value(setting: Setting, value: object) -> str | None:
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
