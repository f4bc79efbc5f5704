"""`inflow doctor` names the Windows and macOS backends, and on macOS how to grant the context permission."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from app import context_macos, doctor
from app.paths import resolve_paths


@pytest.mark.parametrize(
    ("platform", "backend"), [("win32", "windows (RegisterHotKey)"), ("darwin", "macos (Carbon RegisterEventHotKey)")]
)
def test_doctor_names_the_backend_it_would_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str, backend: str
) -> None:
    paths = resolve_paths(str(tmp_path))
    monkeypatch.setattr(doctor, "sys", SimpleNamespace(platform=platform))
    monkeypatch.setattr(context_macos, "accessibility_state", lambda: "the frontmost application's name only")
    report = doctor.collect_report(paths)
    assert report["hotkey"] == f"Inflow is not running; it would use {backend} for Ctrl+Alt+J"
    text = doctor.format_report(report)
    if platform == "darwin":
        assert report["context"] == "the frontmost application's name only"
        assert "\nContext:  the frontmost application's name only\n" in text
    else:
        assert report["context"] is None and "Context:" not in text


def test_on_macos_doctor_says_how_to_grant_accessibility(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app import cocoa
    from tests.unit.platforms.fakes import FakeCocoa

    fake = FakeCocoa()
    monkeypatch.setattr(context_macos, "_api", cocoa.Cocoa(load=fake.load))
    monkeypatch.setattr(doctor, "sys", SimpleNamespace(platform="darwin"))
    text = doctor.format_report(doctor.collect_report(resolve_paths(str(tmp_path))))
    assert (
        "Context:  the frontmost application's name only; for the window title and selection: System Settings > "
        "Privacy & Security > Accessibility: turn on Inflow" in text
    )
