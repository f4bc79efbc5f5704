"""What every policy source yields and what the merge keeps: documents, readings, the valid policy.

Its own module so that the sources (`linux_files`, `windows_registry`, `macos_prefs`) and `merge` do not
import the package that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.settings import Value

ENFORCED = "enforced"
RECOMMENDED = "recommended"
ROOT_ENV = "INFLOW_POLICY_ROOT"
"""Tests only: read the Linux policy folder (or the macOS managed preferences) from here instead."""
PolicyValue = Value | tuple[str, ...]
"""A checked policy value: a setting's (text, true/false, a number) or a policy-only key's list of text."""


@dataclass(frozen=True, slots=True)
class Document:
    """One policy source as read: its name (file or registry key), level and raw snake_case values."""

    source: str
    level: str
    values: dict[str, object]
    """As TOML, the registry or the property list hold them: checked by `merge` before any is used."""


@dataclass(slots=True)
class Reading:
    """What the OS sources held: documents in rising precedence, what was read, what was wrong."""

    documents: list[Document] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, document: Document) -> None:
        self.documents.append(document)
        self.sources.append(document.source)


@dataclass(slots=True)
class Policy:
    """The valid policy values per level, each with the source that set it (the highest wins)."""

    enforced: dict[str, tuple[PolicyValue, str]] = field(default_factory=dict)
    recommended: dict[str, tuple[PolicyValue, str]] = field(default_factory=dict)
    targets: dict[str, tuple[dict[str, object], str]] = field(default_factory=dict)
    """Provisioned `[targets.NAME]` tables (enforced only)."""
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
