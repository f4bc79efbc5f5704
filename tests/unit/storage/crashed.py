"""A lease owner whose process has ended: what a crashed app leaves on the rows it had claimed."""

from __future__ import annotations

import subprocess
import sys

from storage import outbox


def crashed_owner() -> str:
    """An owner on this host whose process no longer runs (a child that has exited)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return outbox.new_owner(pid=int(child.stdout))
