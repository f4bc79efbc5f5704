"""`inflow --self-test` names each broken part and exits 1: a real process whose import of one package
is blocked (a sitecustomize meta-path finder, as when pip left a package out), or whose Qt platform
plugin cannot be found."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from app.paths import resolve_paths
from app.selftest import check_fts5
from tests.cli.conftest import Run

BLOCKER = """
import importlib.abc, os, sys

BLOCKED = set(os.environ["INFLOW_TEST_BLOCK"].split(","))


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == blocked or name.startswith(blocked + ".") for blocked in BLOCKED):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Blocker())
"""


@pytest.fixture
def blocked(inflow: Run, tmp_path: Path) -> Run:
    """inflow(...) with the packages named in INFLOW_TEST_BLOCK unimportable."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")

    def run(block: str, **env: str) -> object:
        return inflow(
            "--self-test",
            env={"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(site), "INFLOW_TEST_BLOCK": block, **env},
        )

    return run  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("block", "part", "named"),
    [
        ("lxml_html_clean", "offline copies", "lxml_html_clean"),
        ("trafilatura", "offline copies", "trafilatura"),
        ("nh3", "offline copies", "nh3"),
        ("detect_secrets", "secret check", "detect_secrets"),
        ("fsrs", "resurfacing", "fsrs"),
        ("sync.connectors.mediawiki", "connectors", "sync.connectors.mediawiki"),
        ("keyring", "keyring", "keyring"),
        ("Xlib", "hotkey", "Xlib"),
    ],
)
def test_a_missing_package_fails_the_self_test_naming_the_part(blocked: Run, block: str, part: str, named: str) -> None:
    result = blocked(block)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(rf"^failed +{part}: .*'{named}' is missing", result.stdout, re.M), result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("self-test: FAILED")
    assert part in result.stdout.rstrip().splitlines()[-1]
    # everything else still reports: one line per check
    assert len(re.findall(r"^(ok|warning|failed) ", result.stdout, re.M)) == 10


def test_nothing_blocked_passes(blocked: Run) -> None:
    result = blocked("no_such_package_anyway")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok       offline copies: the built-in sample page extracted and sanitized" in result.stdout
    assert "ok       secret check: the sample AWS key was found" in result.stdout
    assert "ok       connectors: all 14 import" in result.stdout


def test_a_platform_plugin_that_cannot_load_is_named_instead_of_aborting(inflow: Run) -> None:
    result = inflow("--self-test", env={"QT_QPA_PLATFORM": "nosuchplatform"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^failed +Qt [\d.]+: platform plugin 'nosuchplatform' is not installed", result.stdout, re.M)


def test_an_unreachable_x_display_is_named(inflow: Run) -> None:
    env = {"DISPLAY": ":4242", "QT_QPA_PLATFORM": "", "WAYLAND_DISPLAY": ""}
    result = inflow("--self-test", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^failed +Qt [\d.]+: cannot connect to the X display :4242", result.stdout, re.M), result.stdout


class _NoFts5:
    def execute(self, sql: str, *args: object) -> object:
        raise sqlite3.OperationalError("no such module: fts5")

    def close(self) -> None:
        pass


def test_fts5_missing_is_a_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sqlite3, "connect", lambda *args, **kwargs: _NoFts5())
    status, message = check_fts5(resolve_paths(str(tmp_path)))
    assert status == "failed"
    assert "no working FTS5 (no such module: fts5)" in message


def test_fts5_present_is_ok(tmp_path: Path) -> None:
    assert check_fts5(resolve_paths(str(tmp_path)))[0] == "ok"
