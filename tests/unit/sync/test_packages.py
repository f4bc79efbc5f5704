"""Every backend is one package of the same layout, and its connector class says what it is called:
adding a backend is one package, its tests and one line in sync/registry.py (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import sync.connectors
from sync.registry import _MODULES, connector_for, kinds

CONNECTORS = Path(sync.connectors.__file__).parent
REQUIRED = {"__init__", "connector", "content", "errors"}
#: The old flat layout: `<backend>_content.py`, `_text`, `_format`, `_errors`, `_auth` beside the connector.
OLD_SUFFIXES = ("_content", "_text", "_format", "_errors", "_auth")


def test_every_installed_kind_is_registered_and_every_package_installed() -> None:
    packages = {name for _, name, is_package in pkgutil.iter_modules([str(CONNECTORS)]) if is_package}
    assert {module.rpartition(".")[2] for module in _MODULES.values()} == packages
    assert kinds() == list(_MODULES)


def test_sync_connectors_holds_only_packages() -> None:
    loose = [info.name for info in pkgutil.iter_modules([str(CONNECTORS)]) if not info.ispkg]
    assert loose == [], f"a backend's modules belong in its package sync/connectors/<backend>/: {loose}"


@pytest.mark.parametrize("kind", kinds())
def test_the_package_has_the_layout(kind: str) -> None:
    package = _MODULES[kind]
    assert package == f"sync.connectors.{kind.replace('-', '_')}", "the package is named after the kind"
    folder = CONNECTORS / package.rpartition(".")[2]
    modules = {path.stem for path in folder.glob("*.py")}
    assert modules >= REQUIRED, f"{package} lacks {sorted(REQUIRED - modules)}"
    stale = sorted(name for name in modules if name.endswith(OLD_SUFFIXES) or name.startswith(folder.name))
    assert stale == [], f"{package}: name modules by their concern (content, errors, auth): {stale}"
    factory = connector_for(kind)
    assert factory.__module__ == f"{package}.connector"
    exported = importlib.import_module(package)
    assert getattr(exported, factory.__name__) is factory  # the package exports the class by its name
    assert factory.__name__ in exported.__all__ and "CONNECTOR" in exported.__all__


@pytest.mark.parametrize("kind", kinds())
def test_the_connector_class_carries_its_label(kind: str) -> None:
    factory = connector_for(kind)
    assert factory.kind == kind
    assert "label" in vars(factory), "the label is the class's own (not a base class's)"
    assert isinstance(factory.label, str)
    assert factory.label.strip()
    assert factory.label == factory.label.strip()


def test_labels_tell_the_kinds_apart() -> None:
    labels = [connector_for(kind).label for kind in kinds()]
    assert len(set(labels)) == len(labels)
