"""Policy documents checked against the declarations in app.settings and applied to a Config.

Precedence per setting: enforced policy > the user's own (config.toml) > recommended policy > default.
Within a level, later documents win (drop-ins in name order; HKLM over HKCU). A bad value is reported
with its source and key and skipped, as if that source did not set it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.policy.documents import ENFORCED, Document, Policy, PolicyValue, Reading
from app.settings import POLICY_ONLY, POLICY_ONLY_BY_KEY, SETTINGS, SETTINGS_BY_KEY, Value, check_value

if TYPE_CHECKING:
    from app.config import Config

HOST_PATTERN = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def collect(reading: Reading) -> Policy:
    """The valid values of every document, per level, with the source that set each."""
    policy = Policy(sources=list(reading.sources), problems=list(reading.problems))
    for document in reading.documents:
        layer = policy.enforced if document.level == ENFORCED else policy.recommended
        for key, value in document.values.items():
            if key == "targets":
                _collect_targets(policy, document, value)
                continue
            problem = check_policy_value(key, value)
            if not problem and document.level != ENFORCED and key in POLICY_ONLY_BY_KEY:
                problem = f"'{key}' can only be set by the enforced policy"
            if problem:
                policy.problems.append(f"{document.source}: {problem}; ignored, as if the policy did not set it")
            else:
                layer[key] = (_checked(value), document.source)
    return policy


def _checked(value: object) -> PolicyValue:
    """A value check_policy_value accepted, as the Policy keeps it (a list as a tuple)."""
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)  # check_policy_value let only lists of text through
    if isinstance(value, str | int):  # bool is an int
        return value
    raise TypeError(f"not a checked policy value: {value!r}")


def check_policy_value(key: str, value: object) -> str | None:
    """What is wrong with a policy value (None: fine)."""
    setting = SETTINGS_BY_KEY.get(key)
    if setting is not None:
        return check_value(setting, value) if setting.policy is not None else f"'{key}' cannot be set by policy"
    only = POLICY_ONLY_BY_KEY.get(key)
    if only is None:
        return f"unknown policy '{key}'"
    if only.type is bool:
        return None if isinstance(value, bool) else f"'{key}' must be true or false, not {value!r}"
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        return f"'{key}' must be a list of text, not {value!r}"
    if key == "allowed_target_kinds":
        from sync.registry import kinds

        unknown = [item for item in value if item not in kinds()]
        if unknown:
            return f"'{key}' names unknown kinds {', '.join(unknown)} (known: {', '.join(kinds())})"
    if key == "allowed_target_hosts":
        bad = [item for item in value if not HOST_PATTERN.match(item.lower())]
        if bad:
            return f"'{key}' takes host names or *.domain, not {', '.join(repr(b) for b in bad)}"
    return None


def _collect_targets(policy: Policy, document: Document, table: object) -> None:
    if document.level != ENFORCED:
        policy.problems.append(f"{document.source}: targets can only be provisioned by the enforced policy; ignored")
        return
    if not isinstance(table, dict) or not all(isinstance(t, dict) for t in table.values()):
        policy.problems.append(f"{document.source}: 'targets' must be a table of [targets.NAME] sections; ignored")
        return
    for name, section in table.items():
        policy.targets[str(name)] = (dict(section), document.source)


def apply_policy(config: Config, reading: Reading, user_targets: object) -> None:
    """Fill the effective values, their sources and the targets (provisioned first, then the user's)."""
    policy = config.policy = collect(reading)
    for setting in SETTINGS:
        key = setting.key
        enforced, recommended = _setting_value(policy.enforced, key), _setting_value(policy.recommended, key)
        if enforced is not None:
            config.values[key], source = enforced, "policy"
        elif key in config.user_values:
            config.values[key], source = config.user_values[key], "user"
        elif recommended is not None:
            config.values[key], source = recommended, "recommended"
        else:
            config.values[key], source = setting.default, "default"
        config.sources[key] = source
    for only in POLICY_ONLY:  # only an enforced policy sets these
        config.sources[only.key] = "policy" if only.key in policy.enforced else "default"
    _apply_targets(config, user_targets)


def _setting_value(layer: dict[str, tuple[PolicyValue, str]], key: str) -> Value | None:
    """A setting's value in a policy level (check_value lets only text, true/false and numbers through)."""
    found = layer.get(key)
    return None if found is None or isinstance(found[0], tuple) else found[0]


def _apply_targets(config: Config, user_table: object) -> None:
    from app.policy.rules import target_refusal, user_targets_policy
    from app.targets import parse_targets

    permit = config.get_bool("permit_insecure_http")
    provisioned = []
    for name, (section, source) in config.policy.targets.items():
        settings = {k: v for k, v in section.items() if k != "token_file"}
        found, problems = parse_targets({name: settings}, permit_insecure_http=permit)
        config.policy.problems += [f"{source}: {p}" for p in problems]
        for target in found:
            refusal = target_refusal(config, target)
            if refusal:
                config.policy.problems.append(f"{source}: {refusal} (target ignored)")
                continue
            provisioned.append(target)
            config.managed_targets[name] = source
            if section.get("token_file"):
                config.token_files[name] = str(section["token_file"])
    own, problems = parse_targets(user_table, permit_insecure_http=permit)
    config.problems += [f"{config.path}: {p}" for p in problems]
    blocked = user_targets_policy(config)
    if own and blocked:
        names = ", ".join(t.name for t in own)
        config.problems.append(f"{config.path}: your own targets ({names}) are not used: {blocked}")
        own = []
    kept = []
    for target in own:
        refusal = (
            f"target '{target.name}' is defined by your organization ({config.managed_targets[target.name]})"
            if target.name in config.managed_targets
            else target_refusal(config, target)
        )
        if refusal:
            config.problems.append(f"{config.path}: {refusal} (target ignored)")
        else:
            kept.append(target)
    config.targets = provisioned + kept
