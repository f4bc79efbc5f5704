"""macOS: managed preferences of Inflow's bundle id, installed by a configuration profile.

`/Library/Managed Preferences/<id>.plist` (the computer) and `.../<user>/<id>.plist` (the user; the
computer wins). The system writes only forced values there, so these count as enforced; a file that a
user other than root could write is ignored and reported. Names are the CamelCase of the keys.
"""

from __future__ import annotations

import getpass
import plistlib
from pathlib import Path
from xml.parsers.expat import ExpatError

from app.identity import BUNDLE_ID
from app.policy.documents import ENFORCED, Document, Reading
from app.policy.linux_files import unsafe_reason
from app.policy.names import to_keys

MANAGED_PREFERENCES = "/Library/Managed Preferences"
_PROFILE_KEYS = ("Payload", "mcx_")
"""Bookkeeping a profile may leave next to the values."""


def read_managed_preferences(root: Path, user: str | None = None, owner_uid: int = 0) -> Reading:
    reading = Reading()
    name = f"{BUNDLE_ID}.plist"
    for path in (root / (user or getpass.getuser()) / name, root / name):
        if not path.exists():
            continue
        problem = unsafe_reason(path, owner_uid)
        if problem:
            reading.problems.append(f"{path}: {problem}")
            continue
        try:
            with path.open("rb") as file:
                data = plistlib.load(file)
        except OSError as exc:
            reading.problems.append(f"{path}: cannot read it ({exc.strerror}); ignored")
            continue
        except (plistlib.InvalidFileException, ExpatError, ValueError) as exc:
            reading.problems.append(f"{path}: not a valid property list ({exc}); ignored")
            continue
        if not isinstance(data, dict):
            reading.problems.append(f"{path}: not a dictionary of preferences; ignored")
            continue
        values = {k: v for k, v in data.items() if not str(k).startswith(_PROFILE_KEYS)}
        reading.add(Document(str(path), ENFORCED, to_keys(values, str(path), reading.problems, _same)))
    return reading


def _same(_kind: type, value: object) -> object:
    return value
