"""Windows: `HKLM\\SOFTWARE\\Policies\\Inflow` (64-bit view) and the same under HKCU are enforced (the
machine wins), their `Recommended` subkeys recommended. Value names are the CamelCase of the keys;
true/false is a REG_DWORD 0/1, lists and the targets table are REG_SZ holding JSON (as Chrome does).
"""

from __future__ import annotations

import json
import sys
from typing import Protocol

from app.policy.documents import ENFORCED, RECOMMENDED, Document, Reading
from app.policy.names import to_keys

POLICY_KEY = r"SOFTWARE\Policies\Inflow"
RECOMMENDED_KEY = POLICY_KEY + r"\Recommended"
HIVES = ("HKCU", "HKLM")
"""In rising precedence: a machine policy wins over a user policy."""


class Registry(Protocol):
    """The little of the registry Inflow reads (a fake one in tests)."""

    def values(self, hive: str, key: str) -> dict[str, object] | None:
        """A key's values (name -> data as winreg returns it), or None when the key does not exist."""
        ...


class WindowsRegistry:
    """The real registry, through winreg, in the 64-bit view."""

    def values(self, hive: str, key: str) -> dict[str, object] | None:
        if sys.platform == "win32":
            return _read_key(hive, key)
        raise OSError("the Windows registry exists only on Windows")


if sys.platform == "win32":

    def _read_key(hive: str, key: str) -> dict[str, object] | None:
        import winreg

        root = winreg.HKEY_LOCAL_MACHINE if hive == "HKLM" else winreg.HKEY_CURRENT_USER
        try:
            handle = winreg.OpenKey(root, key, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
        except FileNotFoundError:
            return None
        found: dict[str, object] = {}
        with handle:
            index = 0
            while True:
                try:
                    name, data, _type = winreg.EnumValue(handle, index)
                except OSError:
                    return found
                found[name] = data
                index += 1


def read_registry(registry: Registry) -> Reading:
    reading = Reading()
    for level, key in ((ENFORCED, POLICY_KEY), (RECOMMENDED, RECOMMENDED_KEY)):
        for hive in HIVES:
            source = f"{hive}\\{key}"
            try:
                values = registry.values(hive, key)
            except OSError as exc:
                reading.problems.append(f"{source}: cannot read it ({exc}); ignored")
                continue
            if values is not None:
                reading.add(Document(source, level, to_keys(values, source, reading.problems, _from_registry)))
    return reading


def _from_registry(kind: type, data: object) -> object:
    if kind is bool and isinstance(data, int) and not isinstance(data, bool):
        if data not in (0, 1):
            raise ValueError(f"must be 0 or 1 (REG_DWORD), not {data}")
        return bool(data)
    if kind in (list, dict) and isinstance(data, str):
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"must be JSON text ({exc.msg} at character {exc.pos})") from exc
    return data
