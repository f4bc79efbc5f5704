"""Where ui/resources.py finds the icons and the desktop file: a checkout, a pip install, a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ui.resources import beside_the_packages, resource_path, resources_dir

ROOT = Path(__file__).resolve().parents[3]


def test_a_checkout_uses_its_top_level_resources_folder() -> None:
    assert resources_dir() == ROOT / "resources"
    assert resource_path("icons", "inflow.svg").is_file()


def test_a_pip_install_uses_inflow_resources_beside_the_packages(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "inflow_resources" / "icons").mkdir(parents=True)
    (site / "resources").mkdir()  # another distribution's generic folder: never ours
    assert beside_the_packages(site) == site / "inflow_resources"


def test_without_an_installed_copy_the_checkout_folder_is_used(tmp_path: Path) -> None:
    assert beside_the_packages(tmp_path) == tmp_path / "resources"


def test_a_frozen_bundle_uses_its_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("inflow.desktop") == tmp_path / "resources" / "inflow.desktop"


def test_setup_installs_the_folder_under_our_name() -> None:
    """setup.py maps resources/ to the package inflow_resources (and its subfolders), never `resources`."""
    namespace: dict[str, object] = {}
    captured: dict[str, object] = {}
    source = (ROOT / "setup.py").read_text(encoding="utf-8")
    import setuptools

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(setuptools, "setup", lambda **kwargs: captured.update(kwargs))
        patch.chdir(ROOT)
        exec(compile(source, "setup.py", "exec"), namespace)
    packages = captured["packages"]
    assert isinstance(packages, list)
    assert {"inflow_resources", "inflow_resources.icons", "inflow_resources.policy"} <= set(packages)
    assert not [name for name in packages if name.split(".")[0] == "resources"]
    assert {"app", "ui", "storage", "sync", "sync.connectors"} <= set(packages)
    assert captured["package_dir"] == {"inflow_resources": "resources"}
