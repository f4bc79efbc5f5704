"""Group Policy templates: inflow.admx (the policies) and en-US/inflow.adml (their words and forms).

Every policy writes to `Software\\Policies\\Inflow` (class Both: HKLM or HKCU), each setting also as a
Recommended variant under `...\\Inflow\\Recommended`. Value types are what app.policy.windows_registry
reads: REG_DWORD 0/1 and numbers, REG_SZ text (JSON for Targets), REG_MULTI_SZ lists.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from app.policy.declarations import EXAMPLE_TARGETS, PolicyEntry, entries
from app.policy.windows_registry import POLICY_KEY, RECOMMENDED_KEY

NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
NAMESPACE = "Inflow.Policies.Inflow"
CATEGORY = "Inflow"
RECOMMENDED_CATEGORY = "InflowRecommended"
SUPPORTED = "SUPPORTED_WIN10"
MAX_NUMBER = 2_000_000_000


def _key(key: str) -> str:
    return key.replace("SOFTWARE", "Software")


def _element(entry: PolicyEntry) -> ET.Element:
    attributes = {"id": entry.name, "valueName": entry.name}
    if entry.type == "bool":
        element = ET.Element("boolean", attributes)
        for tag, value in (("trueValue", "1"), ("falseValue", "0")):
            ET.SubElement(ET.SubElement(element, tag), "decimal", {"value": value})
        return element
    if entry.type == "int":
        return ET.Element("decimal", {**attributes, "minValue": "0", "maxValue": str(MAX_NUMBER)})
    if entry.type == "enum":
        element = ET.Element("enum", attributes)
        for choice in entry.choices:
            item = ET.SubElement(element, "item", {"displayName": f"$(string.{entry.name}_{choice})"})
            ET.SubElement(ET.SubElement(item, "value"), "string").text = choice
        return element
    if entry.type == "list":
        return ET.Element("multiText", attributes)
    return ET.Element("text", {**attributes, "maxLength": "32767"} if entry.type == "targets" else attributes)


def _presentation(entry: PolicyEntry) -> ET.Element:
    presentation = ET.Element("presentation", {"id": entry.name})
    label = f"{entry.title}:"
    if entry.type == "bool":
        check = ET.SubElement(presentation, "checkBox", {"refId": entry.name})
        check.set("defaultChecked", "true" if entry.default else "false")
        check.text = entry.title
    elif entry.type == "int":
        box = ET.SubElement(presentation, "decimalTextBox", {"refId": entry.name, "defaultValue": str(entry.default)})
        box.text = label
    elif entry.type == "enum":
        index = entry.choices.index(entry.default)
        drop = ET.SubElement(presentation, "dropdownList", {"refId": entry.name, "defaultItem": str(index)})
        drop.text = label
    elif entry.type == "list":
        ET.SubElement(presentation, "multiTextBox", {"refId": entry.name}).text = f"{entry.title} (one per line):"
    else:
        box = ET.SubElement(presentation, "textBox", {"refId": entry.name})
        ET.SubElement(box, "label").text = label if entry.type != "targets" else "Targets (JSON):"
        if entry.default:
            ET.SubElement(box, "defaultValue").text = str(entry.default)
    return presentation


def _help(entry: PolicyEntry) -> str:
    if entry.type == "targets":
        return f"{entry.text}\n\nThe value is JSON, for example: {json.dumps(EXAMPLE_TARGETS)}"
    default = ("enabled" if entry.default else "disabled") if entry.type == "bool" else entry.default
    shown = ", ".join(default) if isinstance(default, tuple) else str(default)
    return f"{entry.text}\n\nDefault: {shown or 'empty'}."


def _policy(entry: PolicyEntry, *, recommended: bool) -> ET.Element:
    name = f"{entry.name}_Recommended" if recommended else entry.name
    policy = ET.Element(
        "policy",
        {
            "name": name,
            "class": "Both",
            "displayName": f"$(string.{entry.name})",
            "explainText": f"$(string.{entry.name}_Help)",
            "presentation": f"$(presentation.{entry.name})",
            "key": _key(RECOMMENDED_KEY if recommended else POLICY_KEY),
        },
    )
    ET.SubElement(policy, "parentCategory", {"ref": RECOMMENDED_CATEGORY if recommended else CATEGORY})
    ET.SubElement(policy, "supportedOn", {"ref": SUPPORTED})
    ET.SubElement(policy, "elements").append(_element(entry))
    return policy


def admx() -> str:
    root = ET.Element("policyDefinitions", {"revision": "1.0", "schemaVersion": "1.0", "xmlns": NS})
    spaces = ET.SubElement(root, "policyNamespaces")
    ET.SubElement(spaces, "target", {"prefix": "inflow", "namespace": NAMESPACE})
    ET.SubElement(root, "resources", {"minRequiredRevision": "1.0"})
    definitions = ET.SubElement(ET.SubElement(root, "supportedOn"), "definitions")
    ET.SubElement(definitions, "definition", {"name": SUPPORTED, "displayName": f"$(string.{SUPPORTED})"})
    categories = ET.SubElement(root, "categories")
    ET.SubElement(categories, "category", {"name": CATEGORY, "displayName": f"$(string.{CATEGORY})"})
    recommended = ET.SubElement(
        categories, "category", {"name": RECOMMENDED_CATEGORY, "displayName": f"$(string.{RECOMMENDED_CATEGORY})"}
    )
    ET.SubElement(recommended, "parentCategory", {"ref": CATEGORY})
    policies = ET.SubElement(root, "policies")
    for entry in entries():
        policies.append(_policy(entry, recommended=False))
    for entry in entries():
        if entry.recommended:
            policies.append(_policy(entry, recommended=True))
    return _text(root)


def adml() -> str:
    root = ET.Element("policyDefinitionResources", {"revision": "1.0", "schemaVersion": "1.0", "xmlns": NS})
    ET.SubElement(root, "displayName").text = "Inflow"
    ET.SubElement(root, "description").text = "Policies for Inflow, the learning-moments tray app."
    resources = ET.SubElement(root, "resources")
    strings = ET.SubElement(resources, "stringTable")
    words = {
        CATEGORY: "Inflow",
        RECOMMENDED_CATEGORY: "Recommended (defaults people can change)",
        SUPPORTED: "Windows 10 or later",
    }
    for entry in entries():
        words[entry.name] = entry.title
        words[f"{entry.name}_Help"] = _help(entry)
        words.update({f"{entry.name}_{choice}": choice for choice in entry.choices})
    for name, text in words.items():
        ET.SubElement(strings, "string", {"id": name}).text = text
    presentations = ET.SubElement(resources, "presentationTable")
    for entry in entries():
        presentations.append(_presentation(entry))
    return _text(root)


def _text(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
