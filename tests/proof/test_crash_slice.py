"""The crash campaign's fixed-seed slice (bench/crash_campaign.py): 10 SIGKILLed runs, every scenario
at least once, against a real Synapse, Ralph and MediaWiki and a loopback webhook receiver; 0 lost, 0 duplicated, 0
corrupt."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash_campaign import SCENARIOS, campaign

pytestmark = pytest.mark.integration


@pytest.mark.timeout(300)
def test_ten_killed_runs_lose_duplicate_and_corrupt_nothing(tmp_path: Path) -> None:
    tally, _timings = campaign(runs=10, seed=14, folder=tmp_path)
    assert (tally.lost, tally.duplicated, tally.corrupt) == (0, 0, 0), "\n".join(tally.failures)
    assert tally.failures == []
    assert set(tally.runs) == set(SCENARIOS)
    assert sum(tally.killed.values()) >= 5  # most runs really were cut short
    # every run's kill is placed in exactly one phase (the table's per-scenario columns)
    assert sum(tally.phases.values()) == sum(tally.runs.values())
    assert tally.captured > 0
    assert tally.deliveries > 0
    # every queued delivery reached its server exactly once
    assert sum(tally.received.values()) == tally.deliveries
