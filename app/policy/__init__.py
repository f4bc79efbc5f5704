"""Central policy: what an organisation's IT enforces or recommends for every setting.

Each OS has one source (`linux_files`, `windows_registry`, `macos_prefs`); each yields `Document`s
(one file or registry key, enforced or recommended). `merge` checks them against the declarations in
`app.settings` and applies the precedence enforced > the user's own > recommended > default. A bad
policy is reported with its source and key, never fatal: that key falls back as if it were not set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.policy.documents import ENFORCED, RECOMMENDED, ROOT_ENV, Document, Policy, Reading

__all__ = ["ENFORCED", "RECOMMENDED", "ROOT_ENV", "Document", "Policy", "Reading", "read_policy"]


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
