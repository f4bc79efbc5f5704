"""XDG autostart entries (no Qt)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app import autostart
from app.autostart import AutostartError, autostart_path, disable, enable, exec_line, is_enabled


def unquote_exec(value: str) -> list[str]:
    """Read an Exec value as a desktop does: string escapes, then the Exec quoting rules, then %%."""
    text = value.replace("\\\\", "\\")
    words: list[str] = []
    word: list[str] | None = None
    index, quoted = 0, False
    while index < len(text):
        char = text[index]
        if quoted and char == "\\":
            index += 1
            assert text[index] in '"`$\\', "only these may be escaped inside quotes"
            word = [*(word or []), text[index]]
        elif char == '"':
            quoted, word = not quoted, word or []
        elif char == " " and not quoted:
            if word is not None:
                words.append("".join(word))
            word = None
        else:
            assert quoted or char not in '"`$\\', f"reserved {char!r} outside quotes"
            word = [*(word or []), char]
        index += 1
    assert not quoted
    if word is not None:
        words.append("".join(word))
    return [w.replace("%%", "%") for w in words]


def entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_path(tmp_path: Path) -> None:
    assert autostart_path(tmp_path) == tmp_path / "autostart" / "inflow.desktop"


def test_enable_writes_a_desktop_entry(tmp_path: Path) -> None:
    enable(tmp_path, ["/opt/inflow/inflow", "--background"])
    values = entry(autostart_path(tmp_path))
    assert values["Type"] == "Application"
    assert values["Name"] == "Inflow"
    assert values["Exec"] == "/opt/inflow/inflow --background"
    assert values["Icon"] == "inflow"
    assert values["X-GNOME-Autostart-enabled"] == "true"
    assert values["Comment"]
    assert is_enabled(tmp_path, system=[])
    assert not list(autostart_path(tmp_path).parent.glob("*.tmp"))


@pytest.mark.parametrize(
    "argv",
    [
        ["/home/me/My Apps/inflow", "-m", "app"],
        ["/usr/bin/python3", "-c", 'print("a $HOME `x` \\ b")'],
        ["inflow", "--label", "100%", "it's"],
        ["inflow", ""],
    ],
)
def test_exec_quoting_round_trips(argv: list[str]) -> None:
    assert unquote_exec(exec_line(argv)) == argv


def test_exec_quoting_examples() -> None:
    assert exec_line(["/a b/inflow"]) == '"/a b/inflow"'
    assert exec_line(["x", "$y"]) == 'x "\\\\$y"'  # \$ inside quotes, then \ escaped as \\
    assert exec_line(["x", "50%"]) == "x 50%%"


def test_exec_refuses_line_breaks(tmp_path: Path) -> None:
    with pytest.raises(AutostartError, match="line break"):
        enable(tmp_path, ["inflow", "a\nb"])
    with pytest.raises(AutostartError, match="no command"):
        enable(tmp_path, [])


def test_disable_removes_the_user_entry(tmp_path: Path) -> None:
    enable(tmp_path, ["inflow"])
    disable(tmp_path, system=[tmp_path / "etc-xdg"])
    assert not autostart_path(tmp_path).exists()
    assert not is_enabled(tmp_path, system=[tmp_path / "etc-xdg"])
    disable(tmp_path, system=[])  # already off: no error


def test_disable_hides_a_system_entry(tmp_path: Path) -> None:
    config, system = tmp_path / "config", tmp_path / "etc-xdg"
    (system / "autostart").mkdir(parents=True)
    (system / "autostart" / "inflow.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Inflow\nExec=inflow\n"
    )
    assert is_enabled(config, system=[system])  # installed by an administrator

    disable(config, system=[system])
    values = entry(autostart_path(config))
    assert values["Hidden"] == "true"
    assert not is_enabled(config, system=[system])

    enable(config, ["inflow"])
    assert is_enabled(config, system=[system])


def test_gnome_switch_off_counts_as_disabled(tmp_path: Path) -> None:
    path = autostart_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("[Desktop Entry]\nType=Application\nExec=inflow\nX-GNOME-Autostart-enabled=false\n")
    assert not is_enabled(tmp_path, system=[])


def test_system_dirs_follow_xdg_config_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path}/a:{tmp_path}/b")
    assert autostart.system_dirs() == [tmp_path / "a", tmp_path / "b"]
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert autostart.system_dirs() == [Path("/etc/xdg")]


def test_cygwin_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Windows (Run key) and macOS (LaunchAgent): tests/unit/platforms/test_autostart_platforms.py
    monkeypatch.setattr(sys, "platform", "cygwin")
    with pytest.raises(AutostartError, match="not supported under Cygwin"):
        enable(tmp_path, ["inflow"])
    with pytest.raises(AutostartError, match="not supported"):
        is_enabled(tmp_path)
