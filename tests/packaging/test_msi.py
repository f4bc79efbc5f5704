"""The MSI authoring check: scripts/packaging/msi.sh builds resources/windows/inflow.wxs with wixl, and the
tables msiinfo reads back are what a per-machine, upgradable, silently configurable install needs.

This proves the authoring, not an install: nothing here runs Windows Installer (the Windows workflow does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.version import __version__

ROOT = Path(__file__).resolve().parents[2]
WXS = ROOT / "resources" / "windows" / "inflow.wxs"
UPGRADE_CODE = "{9103EAC7-F1B1-4BB0-8C5D-6ABB5B15993E}"
"""Fixed forever: a new one would install side by side instead of upgrading."""
HKCU = "1"
HKLM = "2"
RUN_KEY = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Run"
COMPONENT_64BIT = 256
# CustomAction types: 51 sets a property, 50 runs the exe a property names; +1024 deferred, +2048 as the
# system account (no impersonation).
TYPE_EXE_IN_PROPERTY_DEFERRED_SYSTEM = 50 + 1024 + 2048


def _tools_or_skip() -> None:
    missing = [t for t in ("wixl", "wixl-heat", "msibuild", "msiinfo") if shutil.which(t) is None]
    if missing and os.environ.get("INFLOW_TEST_SESSION") == "1":
        pytest.fail(f"{', '.join(missing)} missing: scripts/test.sh installs the Debian packages wixl and msitools")
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (the Debian packages wixl and msitools)")


@pytest.fixture(scope="module")
def msi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _tools_or_skip()
    out = tmp_path_factory.mktemp("msi")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "packaging" / "msi.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", f"wixl warned about something new:\n{result.stderr}"
    built = out / f"inflow-{__version__}-x64-authoring-check.msi"
    assert result.stdout.strip() == str(built)
    return built


def table(msi: Path, name: str) -> list[dict[str, str]]:
    """A table as msiinfo exports it: column names, column types, the table's keys, then rows."""
    text = subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True).stdout
    lines = text.splitlines()
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=True)) for line in lines[3:]]


def properties(msi: Path) -> dict[str, str]:
    return {row["Property"]: row["Value"] for row in table(msi, "Property")}


def test_per_machine_with_the_fixed_upgrade_code(msi: Path) -> None:
    props = properties(msi)
    assert props["ALLUSERS"] == "1"
    assert props["UpgradeCode"] == UPGRADE_CODE
    assert props["ProductVersion"] == __version__
    install_folder = {row["Directory"]: row for row in table(msi, "Directory")}["INSTALLFOLDER"]
    assert install_folder["Directory_Parent"] == "ProgramFiles64Folder"
    assert install_folder["DefaultDir"] == "Inflow"
    assert all(int(row["Attributes"]) & COMPONENT_64BIT for row in table(msi, "Component"))


def test_upgrades_in_place_and_refuses_a_downgrade(msi: Path) -> None:
    rows = {row["ActionProperty"]: row for row in table(msi, "Upgrade")}
    assert {row["UpgradeCode"] for row in rows.values()} == {UPGRADE_CODE}
    older = rows["WIX_UPGRADE_DETECTED"]  # every older version is found and removed
    assert (older["VersionMin"], older["VersionMax"]) == ("", __version__)
    newer = rows["WIX_DOWNGRADE_DETECTED"]  # a newer one is only detected...
    assert (newer["VersionMin"], newer["VersionMax"], newer["Attributes"]) == (__version__, "", "2")
    conditions = {row["Condition"]: row["Description"] for row in table(msi, "LaunchCondition")}
    assert "A newer version of Inflow is already installed" in conditions["NOT WIX_DOWNGRADE_DETECTED"]
    sequence = {row["Action"]: int(row["Sequence"]) for row in table(msi, "InstallExecuteSequence")}
    assert sequence["InstallValidate"] < sequence["RemoveExistingProducts"] < sequence["InstallInitialize"]


def test_start_menu_shortcut_to_the_windowed_exe(msi: Path) -> None:
    """The shortcut starts inflow-gui.exe (no console window); inflow.exe, the console one, is the CLI."""
    (shortcut,) = table(msi, "Shortcut")
    assert (shortcut["Directory_"], shortcut["Name"], shortcut["Target"]) == (
        "ProgramMenuFolder",
        "Inflow",
        "[#InflowGuiExe]",
    )
    files = {row["File"]: row for row in table(msi, "File")}
    assert files["InflowGuiExe"]["FileName"] == "inflow-gui.exe"
    assert files["InflowExe"]["FileName"] == "inflow.exe"
    components = {row["Component"]: row for row in table(msi, "Component")}
    assert components[files["InflowGuiExe"]["Component_"]]["Directory_"] == "INSTALLFOLDER"
    # ICE38/ICE43 (light's validation on Windows): the Start-menu component's key path is under HKCU.
    key_path = {row["Component"]: row for row in table(msi, "Component")}["StartMenuShortcut"]["KeyPath"]
    assert {row["Registry"]: row for row in table(msi, "Registry")}[key_path]["Root"] == HKCU
    assert {row["Component"]: row for row in table(msi, "Component")}["MainExecutable"]["Directory_"] == "INSTALLFOLDER"


def test_policy_templates_under_the_install_folders_policies(msi: Path) -> None:
    directories = {row["Directory"]: row for row in table(msi, "Directory")}
    components = {row["Component"]: row for row in table(msi, "Component")}
    placed: dict[str, int] = {}  # path under the install folder -> size
    for row in table(msi, "File"):
        folder = components[row["Component_"]]["Directory_"]
        path = [row["FileName"]]
        while folder != "INSTALLFOLDER":
            path.insert(0, directories[folder]["DefaultDir"])
            folder = directories[folder]["Directory_Parent"]
        placed["\\".join(path)] = int(row["FileSize"])
    policy = ROOT / "resources" / "policy"
    assert placed[r"policies\inflow.admx"] == (policy / "inflow.admx").stat().st_size
    assert placed[r"policies\en-US\inflow.adml"] == (policy / "en-US" / "inflow.adml").stat().st_size
    assert "inflow.exe" in placed
    assert "inflow-gui.exe" in placed
    assert r"_internal\python311.dll" in placed  # the harvested bundle keeps its layout


def test_autostart_1_writes_the_machine_run_entry_and_is_remembered(msi: Path) -> None:
    registry = {(row["Key"], row["Name"]): row for row in table(msi, "Registry")}
    run = registry[(RUN_KEY, "Inflow")]  # the windowed exe: no console window at every login
    assert (run["Root"], run["Value"], run["Component_"]) == (HKLM, '"[#InflowGuiExe]"', "Autostart")
    components = {row["Component"]: row for row in table(msi, "Component")}
    assert components["Autostart"]["Condition"] == 'AUTOSTART = "1"'
    assert registry[(r"SOFTWARE\Inflow\Installer", "Autostart")]["Component_"] == "Autostart"
    # Not given on an upgrade: the previous choice, read back before the component conditions are evaluated.
    (search,) = table(msi, "RegLocator")
    assert (search["Root"], search["Key"], search["Name"]) == (HKLM, r"SOFTWARE\Inflow\Installer", "Autostart")
    actions = {row["Action"]: row for row in table(msi, "CustomAction")}
    assert (actions["KeepAutostart"]["Source"], actions["KeepAutostart"]["Target"]) == (
        "AUTOSTART",
        "[AUTOSTART_REMEMBERED]",
    )
    for name in ("InstallExecuteSequence", "InstallUISequence"):
        sequence = {row["Action"]: row for row in table(msi, name)}
        assert int(sequence["AppSearch"]["Sequence"]) < int(sequence["KeepAutostart"]["Sequence"])
        assert int(sequence["KeepAutostart"]["Sequence"]) < int(sequence["CostFinalize"]["Sequence"])
        assert sequence["KeepAutostart"]["Condition"] == "NOT AUTOSTART AND AUTOSTART_REMEMBERED"


def test_policyfile_is_imported_into_the_machine_policy_as_the_system_account(msi: Path) -> None:
    actions = {row["Action"]: row for row in table(msi, "CustomAction")}
    assert actions["FindRegExe"]["Target"] == "[System64Folder]reg.exe"
    imported = actions["ImportPolicyFile"]
    assert int(imported["Type"]) == TYPE_EXE_IN_PROPERTY_DEFERRED_SYSTEM
    assert (imported["Source"], imported["Target"]) == ("REGEXE", 'import "[POLICYFILE]" /reg:64')
    sequence = {row["Action"]: row for row in table(msi, "InstallExecuteSequence")}
    assert sequence["ImportPolicyFile"]["Condition"] == 'POLICYFILE AND NOT REMOVE~="ALL"'
    assert int(sequence["FindRegExe"]["Sequence"]) < int(sequence["InstallInitialize"]["Sequence"])
    assert (
        int(sequence["InstallInitialize"]["Sequence"])
        < int(sequence["ImportPolicyFile"]["Sequence"])
        < int(sequence["InstallFinalize"]["Sequence"])
    )


def test_public_properties_pass_to_the_elevated_install(msi: Path) -> None:
    secure = properties(msi)["SecureCustomProperties"].split(";")
    assert {"AUTOSTART", "POLICYFILE", "WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"} <= set(secure)
