"""What a policy forbids: target kinds and hosts, changing targets, writing locked settings.

Every refusal names the policy key and its source, so people know whom to ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sync.connector import Target

if TYPE_CHECKING:
    from app.config import Config


class PolicyRefusedError(ValueError):
    """A change the organisation's policy does not allow (the message says which policy)."""


def source_of(config: Config, key: str) -> str:
    """The policy source (file or registry key) that sets this key, enforced or recommended ("": none)."""
    found = config.policy.enforced.get(key) or config.policy.recommended.get(key)
    return found[1] if found else ""


def _where(config: Config, key: str) -> str:
    source = source_of(config, key)
    return f"{key} in {source}" if source else key


def share_fixed_by(config: Config) -> str:
    """The policy source when allow_share_override is false (each moment's sharing is the default)."""
    return source_of(config, "allow_share_override") if config.policy_value("allow_share_override") is False else ""


def targets_fixed_by(config: Config) -> str:
    """The policy source when user_targets is false (only the provisioned targets exist)."""
    return source_of(config, "user_targets") if config.policy_value("user_targets") is False else ""


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """`example.org` matches only itself; `*.example.org` matches any subdomain of example.org."""
    host = host.lower().rstrip(".")
    for pattern in (p.lower() for p in patterns):
        if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def target_refusal(config: Config, target: Target) -> str | None:
    """Why the policy does not allow this target (its kind, or a host it sends to), else None."""
    from sync.connector import secret_is_url
    from sync.registry import connector_for, target_urls

    kinds = config.policy_value("allowed_target_kinds")
    if isinstance(kinds, tuple) and kinds and target.kind not in kinds:
        return (
            f"target '{target.name}': the kind '{target.kind}' is not allowed by your organization's policy "
            f"({_where(config, 'allowed_target_kinds')}: {', '.join(kinds)})"
        )
    hosts = config.policy_value("allowed_target_hosts")
    if not isinstance(hosts, tuple) or not hosts:
        return None
    where = f"{_where(config, 'allowed_target_hosts')}: {', '.join(hosts)}"
    factory = connector_for(target.kind)
    if secret_is_url(factory):
        return (
            f"target '{target.name}': a {target.kind} target's address is its secret, so it cannot be checked "
            f"against your organization's allowed hosts ({where})"
        )
    urls = dict(target_urls(target))
    for key in factory.keys:
        if key.url and key.name not in urls:
            return f"target '{target.name}': set its '{key.name}' so that its host can be checked ({where})"
    for name, url in urls.items():
        host = urlsplit(url).hostname or ""
        if not host_allowed(host, hosts):
            return (
                f"target '{target.name}': the host '{host}' ({name}) is not allowed by your organization's policy "
                f"({where})"
            )
    return None


def user_targets_policy(config: Config) -> str | None:
    """Why people may not add, edit or remove targets (None: they may)."""
    if config.policy_value("user_targets") is False:
        return f"your organization allows only the targets it provides ({_where(config, 'user_targets')} is false)"
    return None


def change_refusal(config: Config, name: str, action: str) -> str | None:
    """Why the person may not add, replace or remove the target `name` (action: "added", "changed",
    "removed"), else None."""
    if name in config.managed_targets:
        return f"'{name}' is managed by your organization ({config.managed_targets[name]}); it cannot be {action} here"
    blocked = user_targets_policy(config)
    return f"targets cannot be {action}: {blocked}" if blocked else None


def add_refusal(config: Config, target: Target, *, replacing: bool) -> str | None:
    """Why the person may not add (or replace) this target, else None."""
    return change_refusal(config, target.name, "changed" if replacing else "added") or target_refusal(config, target)


def locked_refusal(config: Config, keys: Iterable[str]) -> str | None:
    """Why these settings cannot be written (some are enforced by policy), else None."""
    locked = [(key, config.locked_by(key)) for key in keys if config.locked_by(key)]
    if not locked:
        return None
    shown = ", ".join(f"'{key}' ({source})" for key, source in locked)
    return f"managed by your organization, so not changed: {shown}"
