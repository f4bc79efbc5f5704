"""Parsing Qt PortableText shortcuts for the global hotkey (no Qt, no X)."""

from __future__ import annotations

import re

import pytest

from app.hotkey.keys import HotkeyError, Modifier, parse_sequence


@pytest.mark.parametrize(
    ("sequence", "modifiers", "keysym", "text"),
    [
        ("Ctrl+Alt+J", {Modifier.CTRL, Modifier.ALT}, "j", "Ctrl+Alt+J"),
        ("alt+ctrl+j", {Modifier.CTRL, Modifier.ALT}, "j", "Ctrl+Alt+J"),
        (" Meta+Shift+5 ", {Modifier.META, Modifier.SHIFT}, "5", "Meta+Shift+5"),
        ("Super+Space", {Modifier.META}, "space", "Meta+Space"),
        ("Ctrl+F12", {Modifier.CTRL}, "F12", "Ctrl+F12"),
        ("Shift+F24", {Modifier.SHIFT}, "F24", "Shift+F24"),
        ("Ctrl+Return", {Modifier.CTRL}, "Return", "Ctrl+Return"),
        ("Alt+Print", {Modifier.ALT}, "Print", "Alt+Print"),
        ("Ctrl+PgDown", {Modifier.CTRL}, "Next", "Ctrl+PgDown"),
        ("Ctrl+,", {Modifier.CTRL}, "comma", "Ctrl+,"),
        ("Ctrl+Alt+/", {Modifier.CTRL, Modifier.ALT}, "slash", "Ctrl+Alt+/"),
        ("Ctrl+\\", {Modifier.CTRL}, "backslash", "Ctrl+\\"),
        ("Ctrl+`", {Modifier.CTRL}, "grave", "Ctrl+`"),
        ("Ctrl++", {Modifier.CTRL}, "plus", "Ctrl++"),
        ("Shift+Home", {Modifier.SHIFT}, "Home", "Shift+Home"),
    ],
)
def test_valid(sequence: str, modifiers: set[Modifier], keysym: str, text: str) -> None:
    combo = parse_sequence(sequence)
    assert combo.modifiers == frozenset(modifiers)
    assert combo.keysym == keysym
    assert combo.text == text


@pytest.mark.parametrize(
    ("sequence", "message"),
    [
        ("", "No shortcut is set"),
        ("J", "J has no modifier"),
        ("F5", "F5 has no modifier"),
        ("Shift+J", "Shift+J is how you type a character"),
        ("Shift+Space", "how you type a character"),
        ("Ctrl+Alt", "only modifiers"),
        ("Ctrl+", "no key after the modifiers"),
        ("Hyper+J", "'Hyper' is not a modifier"),
        ("Ctrl+Alt+Volume", "the key 'Volume' is unknown"),
        ("Ctrl+F25", "the key 'F25' is unknown"),
        ("Ctrl+é", "the key 'é' is unknown"),
        ("Ctrl+A, Ctrl+B", "several key presses"),
    ],
)
def test_refused_with_a_message(sequence: str, message: str) -> None:
    with pytest.raises(HotkeyError, match=re.escape(message)) as info:
        parse_sequence(sequence)
    assert str(info.value).endswith(".")
