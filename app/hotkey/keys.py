"""Parse a Qt PortableText shortcut ("Ctrl+Alt+J") into modifiers and an X keysym name.

Pure functions, no Qt and no X: the backends turn the result into their own key codes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Modifier(enum.StrEnum):
    """A modifier key, by its Qt PortableText name."""

    META = "Meta"
    CTRL = "Ctrl"
    ALT = "Alt"
    SHIFT = "Shift"


class HotkeyError(Exception):
    """A shortcut that cannot be used; the message is written for the person and names the fix."""


_MODIFIER_NAMES = {
    "ctrl": Modifier.CTRL,
    "control": Modifier.CTRL,
    "alt": Modifier.ALT,
    "shift": Modifier.SHIFT,
    "meta": Modifier.META,
    "super": Modifier.META,
    "win": Modifier.META,
}

_NAMED_KEYS = {
    "space": ("Space", "space"),
    "return": ("Return", "Return"),
    "enter": ("Enter", "KP_Enter"),
    "tab": ("Tab", "Tab"),
    "esc": ("Esc", "Escape"),
    "escape": ("Esc", "Escape"),
    "backspace": ("Backspace", "BackSpace"),
    "ins": ("Ins", "Insert"),
    "insert": ("Ins", "Insert"),
    "del": ("Del", "Delete"),
    "delete": ("Del", "Delete"),
    "home": ("Home", "Home"),
    "end": ("End", "End"),
    "pgup": ("PgUp", "Prior"),
    "pgdown": ("PgDown", "Next"),
    "left": ("Left", "Left"),
    "up": ("Up", "Up"),
    "right": ("Right", "Right"),
    "down": ("Down", "Down"),
    "print": ("Print", "Print"),
    "pause": ("Pause", "Pause"),
}

_PUNCTUATION = {
    ",": "comma",
    ".": "period",
    "/": "slash",
    ";": "semicolon",
    "'": "apostrophe",
    "[": "bracketleft",
    "]": "bracketright",
    "\\": "backslash",
    "-": "minus",
    "=": "equal",
    "`": "grave",
    "+": "plus",
}

PUNCTUATION_BY_KEYSYM = {keysym: char for char, keysym in _PUNCTUATION.items()}
"""The character of each punctuation keysym ("comma" -> ","), for backends that look keys up by character."""

_NON_TEXT_KEYSYMS = frozenset(
    {"Escape", "Insert", "Delete", "Home", "End", "Prior", "Next", "Left", "Up", "Right", "Down"} | {"Print", "Pause"}
)

_ORDER = (Modifier.META, Modifier.CTRL, Modifier.ALT, Modifier.SHIFT)


@dataclass(frozen=True, slots=True)
class KeyCombo:
    """One global shortcut: modifiers plus one key, as an X keysym name (e.g. "j", "F5", "comma")."""

    modifiers: frozenset[Modifier]
    keysym: str
    text: str
    """The shortcut as Qt writes it (PortableText), for messages: "Ctrl+Alt+J"."""


def parse_sequence(sequence: str) -> KeyCombo:
    """Parse "Ctrl+Alt+J"; raise HotkeyError (written for a person) for anything unusable."""
    raw = sequence.strip()
    if not raw:
        raise HotkeyError("No shortcut is set. Pick one in Settings, for example Ctrl+Alt+J.")
    if ", " in raw:
        raise HotkeyError(f"{raw} is several key presses in a row; a global shortcut must be a single one.")
    # "Ctrl++" ends with the plus key itself.
    if raw.endswith("++"):
        parts, key_part = raw[:-2].split("+"), "+"
    else:
        *parts, key_part = raw.split("+")
    modifiers: set[Modifier] = set()
    for part in parts:
        modifier = _MODIFIER_NAMES.get(part.strip().lower())
        if modifier is None:
            name = part.strip() or "+"
            raise HotkeyError(f"{raw} is not a shortcut Inflow understands: {name!r} is not a modifier.")
        modifiers.add(modifier)
    key_label, keysym = _key(key_part.strip(), raw)
    text = "+".join([m.value for m in _ORDER if m in modifiers] + [key_label])
    if not modifiers:
        raise HotkeyError(f"{text} has no modifier; a global shortcut needs Ctrl, Alt or Meta (Ctrl+Alt+J).")
    if modifiers == {Modifier.SHIFT} and keysym not in _NON_TEXT_KEYSYMS and not _is_function_key(keysym):
        raise HotkeyError(f"{text} is how you type a character; add Ctrl, Alt or Meta, e.g. Ctrl+Alt+J.")
    return KeyCombo(frozenset(modifiers), keysym, text)


def _key(key: str, raw: str) -> tuple[str, str]:
    """(Qt label, X keysym name) for the non-modifier part."""
    if not key:
        raise HotkeyError(f"{raw} has no key after the modifiers; add one, e.g. Ctrl+Alt+J.")
    if key.lower() in _MODIFIER_NAMES:
        raise HotkeyError(f"{raw} has only modifiers; add a key, e.g. Ctrl+Alt+J.")
    if len(key) == 1 and key.isascii() and key.isalnum():
        return key.upper(), key.lower()
    if key in _PUNCTUATION:
        return key, _PUNCTUATION[key]
    if _is_function_key(key.upper()):
        return key.upper(), key.upper()
    named = _NAMED_KEYS.get(key.lower())
    if named is None:
        raise HotkeyError(f"{raw} is not a shortcut Inflow understands: the key {key!r} is unknown.")
    return named


def _is_function_key(name: str) -> bool:
    return len(name) in (2, 3) and name[0] == "F" and name[1:].isdigit() and 1 <= int(name[1:]) <= 24
