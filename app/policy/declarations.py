"""Every policy, as the templates and ADMIN.md describe it: read from the declarations in app.settings."""

from __future__ import annotations

from dataclasses import dataclass

from app.policy.documents import PolicyValue
from app.policy.names import camel

EXAMPLE_TARGETS: dict[str, dict[str, str]] = {
    "team": {
        "kind": "matrix",
        "url": "https://matrix.example.org",
        "room": "#learning:example.org",
        "token_file": "/etc/inflow/team.token",
    }
}
TARGETS_TEXT = (
    "Team targets provisioned for everyone ([targets.NAME] tables: kind and that kind's keys, as in "
    "config.toml, plus token_file: a one-time file with the secret, moved into the keyring on first start "
    "and then deleted). They cannot be removed or edited; people only sign in."
)


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    key: str
    type: str
    """bool, int, str, enum, list or targets."""
    default: PolicyValue | dict[str, dict[str, str]]
    """The setting's or policy-only key's default; for targets, no table."""
    text: str
    choices: tuple[str, ...] = ()
    recommended: bool = True
    """Also a recommended policy (a default people can change); policy-only keys are not."""

    @property
    def name(self) -> str:
        return camel(self.key)

    @property
    def title(self) -> str:
        return self.key.replace("_", " ").capitalize()


def entries() -> list[PolicyEntry]:
    from app.settings import POLICY_ONLY, SETTINGS

    found = [
        PolicyEntry(s.key, "enum" if s.choices else s.type.__name__, s.default, s.policy, s.choices)
        for s in SETTINGS
        if s.policy is not None
    ]
    found += [PolicyEntry(p.key, p.type.__name__, p.default, p.policy, recommended=False) for p in POLICY_ONLY]
    found.append(PolicyEntry("targets", "targets", {}, TARGETS_TEXT, recommended=False))
    return found
