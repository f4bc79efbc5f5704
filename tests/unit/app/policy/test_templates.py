"""The generated policy templates: no drift from the declarations, and ADMX/ADML that Group Policy
accepts (the checks that broke VS Code's templates: references, refIds, unique ids, namespaces)."""

from __future__ import annotations

import plistlib
import re
import tomllib
import uuid
from pathlib import Path

import pytest
from lxml import etree

from app.paths import resolve_paths
from app.policy import ENFORCED, Document, Reading
from app.policy.names import camel
from app.policy.templates import ROOT, outputs
from app.settings import POLICY_ONLY, SETTINGS

NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
POLICY_DIR = ROOT / "resources" / "policy"
KEYS = [s.key for s in SETTINGS if s.policy is not None] + [p.key for p in POLICY_ONLY] + ["targets"]


def test_the_committed_files_are_what_the_declarations_generate() -> None:
    for path, text in outputs().items():
        assert path.read_text("utf-8") == text, f"{path} is stale: run python -m app.policy.templates"


@pytest.fixture(scope="module")
def admx() -> etree._Element:
    return etree.parse(str(POLICY_DIR / "inflow.admx")).getroot()


@pytest.fixture(scope="module")
def adml() -> etree._Element:
    return etree.parse(str(POLICY_DIR / "en-US" / "inflow.adml")).getroot()


def test_namespaces_are_well_formed(admx: etree._Element, adml: etree._Element) -> None:
    assert admx.tag == f"{{{NS['p']}}}policyDefinitions" and adml.tag == f"{{{NS['p']}}}policyDefinitionResources"
    targets = admx.findall("p:policyNamespaces/p:target", NS)
    assert len(targets) == 1
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", targets[0].get("prefix"))
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+", targets[0].get("namespace"))
    prefixes = [e.get("prefix") for e in admx.findall("p:policyNamespaces/*", NS)]
    assert len(prefixes) == len(set(prefixes))
    assert admx.find("p:resources", NS).get("minRequiredRevision") == "1.0"


def test_every_reference_exists_and_ids_are_unique(admx: etree._Element, adml: etree._Element) -> None:
    strings = [s.get("id") for s in adml.findall("p:resources/p:stringTable/p:string", NS)]
    presentations = {p.get("id"): p for p in adml.findall("p:resources/p:presentationTable/p:presentation", NS)}
    assert len(strings) == len(set(strings))
    assert len(presentations) == len(adml.findall("p:resources/p:presentationTable/p:presentation", NS))
    text = etree.tostring(admx, encoding="unicode")
    for name in re.findall(r"\$\(string\.([^)]+)\)", text):
        assert name in strings, name
    for name in re.findall(r"\$\(presentation\.([^)]+)\)", text):
        assert name in presentations, name
    assert re.findall(r"\$\((?!string\.|presentation\.)", text) == []
    categories = [c.get("name") for c in admx.findall("p:categories/p:category", NS)]
    assert len(categories) == len(set(categories))
    supported = {d.get("name") for d in admx.findall("p:supportedOn/p:definitions/p:definition", NS)}
    policies = admx.findall("p:policies/p:policy", NS)
    names = [p.get("name") for p in policies]
    assert len(names) == len(set(names))
    for policy in policies:
        assert policy.get("class") in ("Machine", "User", "Both")
        assert policy.get("key") in (r"Software\Policies\Inflow", r"Software\Policies\Inflow\Recommended")
        assert policy.find("p:parentCategory", NS).get("ref") in categories
        assert policy.find("p:supportedOn", NS).get("ref") in supported
        elements = [e.get("id") for e in policy.findall("p:elements/*", NS)]
        assert len(elements) == len(set(elements)), policy.get("name")
        presentation = presentations[policy.get("presentation")[len("$(presentation.") : -1]]
        for control in presentation:
            assert control.get("refId") in elements, (policy.get("name"), control.get("refId"))


def test_every_policy_is_there_with_its_registry_value_and_recommended_variant(admx: etree._Element) -> None:
    policies = {p.get("name"): p for p in admx.findall("p:policies/p:policy", NS)}
    for key in KEYS:
        policy = policies[camel(key)]
        assert [e.get("valueName") for e in policy.findall("p:elements/*", NS)] == [camel(key)]
        recommended = policies.get(f"{camel(key)}_Recommended")
        assert (recommended is not None) is (key in {s.key for s in SETTINGS}), key
    kinds = {camel(s.key): s for s in SETTINGS}
    for name, setting in kinds.items():
        tag = etree.QName(policies[name].find("p:elements/*", NS)).localname
        wanted = "enum" if setting.choices else {bool: "boolean", int: "decimal", str: "text"}[setting.type]
        assert tag == wanted, name


def test_the_example_profile_has_every_key_and_unique_payload_uuids() -> None:
    profile = plistlib.loads((POLICY_DIR / "inflow.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    inner = profile["PayloadContent"][0]
    uuids = [profile["PayloadUUID"], inner["PayloadUUID"]]
    assert len(set(uuids)) == 2 and all(uuid.UUID(u) for u in uuids)
    settings = inner["PayloadContent"]["org.inflow.Inflow"]["Forced"][0]["mcx_preference_settings"]
    assert sorted(settings) == sorted(camel(k) for k in KEYS)


def test_the_example_profile_and_toml_are_valid_policies(tmp_path: Path) -> None:
    from app.config import load_config
    from app.policy.macos_prefs import BUNDLE_ID, read_managed_preferences

    profile = plistlib.loads((POLICY_DIR / "inflow.mobileconfig").read_bytes())
    settings = profile["PayloadContent"][0]["PayloadContent"][BUNDLE_ID]["Forced"][0]["mcx_preference_settings"]
    (tmp_path / f"{BUNDLE_ID}.plist").write_bytes(plistlib.dumps(settings))
    import os

    found = read_managed_preferences(tmp_path, user="nobody", owner_uid=os.getuid())
    config = load_config(resolve_paths(str(tmp_path / "base")), found)
    assert found.problems == [] and config.policy.problems == [], config.policy.problems
    assert [t.name for t in config.targets] == ["team"]

    lines = (POLICY_DIR / "policy.example.toml").read_text().splitlines()
    uncommented = [line[2:] for line in lines if re.match(r"# ([a-z_]+ = |\[targets\.)", line)]
    document = tomllib.loads("\n".join(uncommented))
    assert sorted(document) == sorted(KEYS)
    reading = Reading()
    reading.add(Document("policy.example.toml", ENFORCED, document))
    config = load_config(resolve_paths(str(tmp_path / "base2")), reading)
    assert config.policy.problems == [] and [t.name for t in config.targets] == ["team"]


def test_admin_md_documents_every_policy() -> None:
    admin = (ROOT / "docs" / "ADMIN.md").read_text()
    for key in KEYS:
        assert f"| `{key}` | `{camel(key)}` |" in admin, key
    assert "permit_insecure_http" in admin.split("## Every policy")[0]
