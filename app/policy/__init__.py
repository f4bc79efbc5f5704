"""Central policy: what an organisation's IT enforces or recommends for every setting.

Each OS has one source (`linux_files`, `windows_registry`, `macos_prefs`); each yields `Document`s
(one file or registry key, enforced or recommended). `merge` checks them against the declarations in
`app.config` and applies the precedence enforced > the user's own > recommended > default. A bad
policy is reported with its source and key, never fatal: that key falls back as if it were not set.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENFORCED = "enforced"
RECOMMENDED = "recommended"
ROOT_ENV = "INFLOW_POLICY_ROOT"
"""Tests only: read the Linux policy folder (or the macOS managed preferences) from here instead."""


@dataclass(frozen=True, slots=True)
class Document:
    """One policy source as read: its name (file or registry key), level and raw snake_case values."""

    source: str
    level: str
    values: dict[str, Any]


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

    enforced: dict[str, tuple[Any, str]] = field(default_factory=dict)
    recommended: dict[str, tuple[Any, str]] = field(default_factory=dict)
    targets: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    """Provisioned `[targets.NAME]` tables (enforced only)."""
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_policy() -> Reading:
    """Read this OS's policy sources (nothing there: an empty reading, Inflow is unmanaged)."""
    root = os.environ.get(ROOT_ENV) or None
    if sys.platform == "win32":
        from app.policy.windows_registry import WindowsRegistry, read_registry

        return read_registry(WindowsRegistry())
    if sys.platform == "darwin":
        from app.policy.macos_prefs import MANAGED_PREFERENCES, read_managed_preferences

        return read_managed_preferences(Path(root or MANAGED_PREFERENCES))
    from app.policy.linux_files import POLICY_ROOT, read_policy_files

    return read_policy_files(Path(root or POLICY_ROOT))
