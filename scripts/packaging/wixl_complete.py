"""Complete an MSI built by wixl 0.101 (Debian 12) with what that wixl drops from a WiX v3 source.

    python3 wixl_complete.py SOURCE.wxs PACKAGE.msi

wixl 0.101 has no Component/Condition (inflow.wxs leaves it out for Builder=wixl) and ignores
Property/@Secure. Both are read here from the .wxs itself, so nothing is written twice, and put into the
MSI with msibuild: the Component table's Condition column, and SecureCustomProperties. Standard library
only: it runs with the system Python, before any virtualenv exists.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

WIX = "{http://schemas.microsoft.com/wix/2006/wi}"


def component_conditions(wxs: Path) -> dict[str, str]:
    """Component id -> its condition, for every Component with a Condition child."""
    root = ET.parse(wxs).getroot()
    found: dict[str, str] = {}
    for component in root.iter(f"{WIX}Component"):
        condition = component.find(f"{WIX}Condition")
        if condition is not None and (condition.text or "").strip():
            found[component.attrib["Id"]] = (condition.text or "").strip()
    return found


def secure_properties(wxs: Path) -> list[str]:
    """The ids of the properties marked Secure="yes", in source order."""
    root = ET.parse(wxs).getroot()
    return [p.attrib["Id"] for p in root.iter(f"{WIX}Property") if p.attrib.get("Secure") == "yes"]


def _literal(text: str) -> str:
    if "'" in text:
        raise SystemExit(f"wixl_complete: a single quote cannot go into an MSI SQL string: {text}")
    return f"'{text}'"


def _query(msi: Path, sql: str) -> None:
    subprocess.run(["msibuild", str(msi), "-q", sql], check=True)


def _current_secure(msi: Path) -> list[str]:
    table = subprocess.run(["msiinfo", "export", str(msi), "Property"], check=True, capture_output=True, text=True)
    for line in table.stdout.splitlines():
        name, _, value = line.partition("\t")
        if name == "SecureCustomProperties":
            return [p for p in value.split(";") if p]
    return []


def complete(wxs: Path, msi: Path) -> None:
    for component, condition in component_conditions(wxs).items():
        _query(
            msi,
            f"UPDATE `Component` SET `Condition` = {_literal(condition)} WHERE `Component` = {_literal(component)}",
        )
    secure = list(dict.fromkeys([*_current_secure(msi), *secure_properties(wxs)]))
    if secure:
        # wixl always writes this row (for MajorUpgrade's WIX_*_DETECTED properties).
        value = _literal(";".join(secure))
        _query(msi, f"UPDATE `Property` SET `Value` = {value} WHERE `Property` = 'SecureCustomProperties'")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    complete(Path(sys.argv[1]), Path(sys.argv[2]))
