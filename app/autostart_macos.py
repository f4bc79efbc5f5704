"""Start Inflow at login on macOS: a LaunchAgent, ~/Library/LaunchAgents/<bundle id>.plist.

launchd reads the user's LaunchAgents folder at login and, with RunAtLoad, starts ProgramArguments.
Label and file name are app.identity.BUNDLE_ID. (SMAppService needs a signed app: not used yet.)
"""

from __future__ import annotations

import os
import plistlib
from collections.abc import Sequence
from pathlib import Path

from app.identity import BUNDLE_ID


def agent_path(home: Path) -> Path:
    return home / "Library" / "LaunchAgents" / f"{BUNDLE_ID}.plist"


def enable(home: Path, argv: Sequence[str]) -> None:
    agent = {"Label": BUNDLE_ID, "ProgramArguments": list(argv), "RunAtLoad": True}
    path = agent_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(plistlib.dumps(agent))
    os.replace(tmp, path)


def disable(home: Path) -> None:
    agent_path(home).unlink(missing_ok=True)


def is_enabled(home: Path) -> bool:
    try:
        agent = plistlib.loads(agent_path(home).read_bytes())
    except (OSError, plistlib.InvalidFileException, ValueError):
        return False
    return isinstance(agent, dict) and bool(agent.get("ProgramArguments")) and not agent.get("Disabled", False)
