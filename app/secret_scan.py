"""Before anything is shared: does what leaves the machine contain a secret (API key, token, private
key, password)?

`scan_fields` takes every text that would leave as (field, text) pairs: a moment's title, note, link,
tags and file name (`moment_fields`), and any later text that is sent (a digest, a feed post).
detect-secrets' detectors decide (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, JWT, private keys,
passwords in URLs, `password = ...` assignments, ...); its high-entropy detectors are left out: on
prose they flag ordinary words. Tags are lower-cased when they are stored, so they are also scanned
upper-cased: an AWS key id typed as a tag is still found.

Speed: detect-secrets costs ~0.3 ms per line (every plugin, every filter), 3 s for an 800 KB note.
Each detector's own regular expressions are tried first, only on lines that hold one of the strings
every match must contain (read from the expression itself); detect-secrets then checks just the lines
where an expression matched, so what is found is exactly what it would find on every line.
detect-secrets is imported on first use (~110 ms); `prepare()` does that ahead of time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detect_secrets.plugins.base import BasePlugin
    from detect_secrets.settings import Settings

_EXCLUDED = {"Base64HighEntropyString", "HexHighEntropyString"}
#: Fields whose text is lower-cased on the way out: scanned as given and upper-cased.
CASE_FOLDED = frozenset({"tags"})
_ADHOC = "adhoc-string-scan"  # the file name detect-secrets' scan_line gives its plugins

Field = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Finding:
    field: str
    line: int
    kind: str

    def describe(self) -> str:
        """`GitHub Token in the note, line 3` / `AWS Access Key in the tags`."""
        where = f"in the {self.field}" + (f", line {self.line}" if self.field == "note" else "")
        return f"{self.kind} {where}"


def moment_fields(title: str, note: str, link: str, tags: Sequence[str] = (), file_name: str = "") -> list[Field]:
    """What sharing a moment sends, as (field, text) pairs for `scan_fields`."""
    fields = [("title", title), ("note", note), ("link", link)]
    fields += [("tags", tag) for tag in tags]
    return fields + ([("file name", file_name)] if file_name else [])


def scan_moment(title: str, note: str, link: str, tags: Sequence[str] = (), file_name: str = "") -> list[Finding]:
    """Every likely secret in what sharing this moment would send, by field."""
    return scan_fields(moment_fields(title, note, link, tags, file_name))


def scan_fields(fields: Iterable[Field]) -> list[Finding]:
    """Every likely secret in the texts, by field (lines counted within each text), each once."""
    scanner = _scanner()
    findings: dict[Finding, None] = {}
    with scanner.settings():
        for field, text in fields:
            for variant in (text, text.upper()) if field in CASE_FOLDED else (text,):
                for number, kind in scanner.scan(variant):
                    findings[Finding(field, number, kind)] = None
    return list(findings)


def prepare() -> None:
    """Import detect-secrets and build the detectors now (so the first share does not wait)."""
    _scanner()


class _Scanner:
    def __init__(self) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

        mapping: Mapping[str, type[BasePlugin]] = get_mapping_from_secret_type_to_class()
        classes = [c for c in mapping.values() if c.__name__ not in _EXCLUDED]
        self._plugins = [{"name": c.__name__} for c in classes]
        #: (strings one of which a match contains, or None: unknown; the expression, or None: no expression known)
        self._gates: list[tuple[frozenset[str] | None, re.Pattern[str] | None]] = []
        for plugin_class in classes:
            patterns = _patterns(plugin_class())
            if patterns is None:
                self._gates.append((None, None))
            self._gates += [(required_strings(pattern), pattern) for pattern in patterns or ()]

    def settings(self) -> AbstractContextManager[Settings]:
        from detect_secrets.settings import transient_settings

        return transient_settings({"plugins_used": self._plugins})

    def scan(self, text: str) -> list[tuple[int, str]]:
        """(line number, secret type) for what detect-secrets finds, each type once per line."""
        from detect_secrets.core.scan import scan_line

        lines = text.splitlines()
        found: list[tuple[int, str]] = []
        for index in self._candidates(text, lines):
            kinds = dict.fromkeys(str(secret.type) for secret in scan_line(lines[index]))
            found += [(index + 1, kind) for kind in kinds]
        return found

    def _candidates(self, text: str, lines: list[str]) -> list[int]:
        """The lines where some detector's expression matches (all lines for a detector without one)."""
        folded_text = text.casefold()
        folded: list[str] = []
        hits: set[int] = set()
        for strings, pattern in self._gates:
            if strings is not None and not any(s in folded_text for s in strings):
                continue
            if pattern is None:
                return list(range(len(lines)))
            folded = folded or [line.casefold() for line in lines]
            for index, line in enumerate(lines):
                if index in hits or (strings is not None and not any(s in folded[index] for s in strings)):
                    continue
                if pattern.search(line):
                    hits.add(index)
        return sorted(hits)


_BUILDING = threading.Lock()  # prepare() on a background thread and a first share may meet
_built: list[_Scanner] = []


def _scanner() -> _Scanner:
    with _BUILDING:
        if not _built:
            _built.append(_Scanner())
        return _built[0]


def _patterns(plugin: BasePlugin) -> list[re.Pattern[str]] | None:
    """The expressions a plugin looks for on an ad hoc line; None for a plugin of another sort."""
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import (
        QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
        REGEX_BY_FILETYPE,
        KeywordDetector,
    )
    from detect_secrets.util.filetype import determine_file_type

    if isinstance(plugin, RegexBasedDetector):
        return list(plugin.denylist)
    if isinstance(plugin, KeywordDetector) and plugin.keyword_exclude is None:
        return list(REGEX_BY_FILETYPE.get(determine_file_type(_ADHOC), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP))
    return None


def required_strings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Case-folded strings one of which every match of `pattern` contains (None: none known)."""
    from re import _parser  # type: ignore[attr-defined]

    return _required(list(_parser.parse(pattern.pattern, pattern.flags)))


def _required(items: list[tuple[object, object]]) -> frozenset[str] | None:
    """The most selective set of strings one of which a match of this sequence must contain.

    `items` are re's parse, (opcode, argument) pairs; the argument's shape follows the opcode."""
    from re import _constants as c  # type: ignore[attr-defined]

    options: list[frozenset[str]] = []
    run = ""
    for op, value in [*items, (None, None)]:
        if op is c.LITERAL and isinstance(value, int):  # the character's code point
            run += chr(value)
            continue
        if run:
            options.append(frozenset({run.casefold()}))
            run = ""
        found: frozenset[str] | None = None
        if op is c.SUBPATTERN and isinstance(value, tuple):  # (group, add flags, del flags, pattern)
            found = _required(list(value[-1]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and isinstance(value, tuple) and value[0] >= 1:  # (min, max, pattern)
            found = _required(list(value[2]))
        elif op is c.BRANCH and isinstance(value, tuple):  # (None, [pattern, ...])
            branches = [_required(list(branch)) for branch in value[1]]
            if all(branches):
                found = frozenset().union(*(b for b in branches if b))
        if found:
            options.append(found)
    return max(options, key=lambda o: (min(map(len, o)), -len(o)), default=None)
