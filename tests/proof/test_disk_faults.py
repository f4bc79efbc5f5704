"""Every case of bench/disk_faults.py (issue 14 part 5), once: one clear line, nothing overwritten, a
damaged library moved aside under a timestamped name. The full disk and the read-only folder are tmpfs
mounts, so they run only as root on Linux."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench.disk_faults import Outcome, can_mount, cases

ALL = cases(mount=True)
MOUNTED = {"full", "read-only"}


@pytest.mark.parametrize("case", [case for _key, case in ALL], ids=[key for key, _case in ALL])
def test_a_disk_fault_is_told_in_one_line_and_keeps_the_library(
    case: Callable[[Path], Outcome], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if request.node.callspec.id in MOUNTED and not can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    outcome = case(tmp_path)
    assert outcome.problems == [], outcome.said
