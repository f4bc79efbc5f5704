"""Linux: root-owned TOML files in /etc/inflow (what Ansible, Puppet or Salt write).

`policy.toml` then `policy.d/*.toml` (name order, later wins) are enforced; `recommended.toml` and
`recommended.d/*.toml` recommended. A file or folder that a user other than root could write is not a
policy: it is ignored and reported.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from app.policy.documents import ENFORCED, RECOMMENDED, Document, Reading

POLICY_ROOT = "/etc/inflow"
LEVELS = ((ENFORCED, "policy"), (RECOMMENDED, "recommended"))


def unsafe_reason(path: Path, owner_uid: int = 0) -> str | None:
    """Why a policy file or folder is not trustworthy (someone but `owner_uid` could write it), else None."""
    try:
        info = path.stat()
    except OSError as exc:
        return f"cannot read it ({exc.strerror}); ignored"
    return _untrusted(info, owner_uid)


def _untrusted(info: os.stat_result, owner_uid: int) -> str | None:
    if info.st_uid != owner_uid:
        return f"owned by uid {info.st_uid}, not root, so it is not a policy; ignored"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by other users (mode {stat.filemode(info.st_mode)}), so it is not a policy; ignored"
    return None


def read_policy_files(root: Path, owner_uid: int = 0) -> Reading:
    """Read the policy folder; a missing folder means no policy (`owner_uid` is for tests)."""
    reading = Reading()
    if not root.exists():
        return reading
    problem = unsafe_reason(root, owner_uid)
    if problem:
        reading.problems.append(f"{root}: {problem}")
        return reading
    for level, name in LEVELS:
        files = [root / f"{name}.toml"]
        folder = root / f"{name}.d"
        if folder.exists():
            problem = unsafe_reason(folder, owner_uid)
            if problem:
                reading.problems.append(f"{folder}: {problem}")
            else:
                files += sorted(p for p in folder.iterdir() if p.suffix == ".toml")
        for path in files:
            if path.exists() or path.is_symlink():
                _read_file(reading, path, level, owner_uid)
    return reading


def _read_file(reading: Reading, path: Path, level: str, owner_uid: int) -> None:
    """Checked on the open file itself, so that it cannot be swapped between the check and the read."""
    try:
        with path.open("rb") as file:
            problem = _untrusted(os.fstat(file.fileno()), owner_uid)
            if problem:
                reading.problems.append(f"{path}: {problem}")
                return
            document = tomllib.load(file)
    except OSError as exc:
        reading.problems.append(f"{path}: cannot read it ({exc.strerror}); ignored")
        return
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deeply
        reading.problems.append(f"{path}: not valid TOML ({exc}); ignored")
        return
    reading.add(Document(str(path), level, document))
