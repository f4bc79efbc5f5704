"""A fixed-seed slice of the server storms (bench/storm_campaign.py, issue 14 part 2), and the fault
proxy's faults doing what they say. The whole campaign: `python -m bench.storm_campaign --runs 10`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench import storm_campaign
from bench.fault_proxy import FaultProxy
from sync import engine as sync_engine
from tests.integration.servers import ServerNotInstalledError
from tests.integration.servers.ralph import Ralph
from tests.unit.sync.local_server import LocalServer, Request, json_answer


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_storm_loses_nothing_duplicates_nothing_and_backs_off(seed: int) -> None:
    result = storm_campaign.run_storm(seed, moments=25)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.retry_after_violations == 0
    assert result.paused_requests == 0 and result.pauses >= 2  # one 401 and one 410 are forced per run
    assert result.reasons_missing == []
    assert result.min_gap_after_failure >= sync_engine.BACKOFF_BASE_S / 2
    assert result.max_failed_per_min <= 60 / (sync_engine.BACKOFF_BASE_S / 2)
    assert result.ok
    assert result.requests - result.faults["pass"] >= 10  # it really stormed


def test_a_storm_in_front_of_a_real_ralph_lrs_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    try:
        ralph = Ralph.create(tmp_path)
    except ServerNotInstalledError as exc:
        pytest.skip(str(exc))
    try:
        result = storm_campaign.run_storm(1, moments=20, backend=lambda _r: storm_campaign.ralph_backend(ralph))
    finally:
        ralph.close()
    assert (result.lost, result.duplicated, result.paused_requests) == (0, 0, 0)
    assert result.pauses >= 2 and result.ok, result


def test_the_campaign_catches_an_engine_that_ignores_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "backoff_delay", lambda *_args, **_kw: 0.0)
    result = storm_campaign.run_storm(1, moments=15)
    assert result.min_gap_after_failure < sync_engine.BACKOFF_BASE_S / 2
    assert not result.ok


def test_the_campaign_catches_an_engine_that_ignores_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "backoff_delay", lambda *_args, **_kw: sync_engine.BACKOFF_BASE_S)
    result = storm_campaign.run_storm(1, moments=25)
    assert result.faults["429"] + result.faults["503"] > 0
    assert result.retry_after_violations > 0
    assert not result.ok


def test_the_campaign_leaks_no_file_descriptors() -> None:
    storm_campaign.run_storm(4, moments=10)
    before = storm_campaign.open_fds()
    storm_campaign.run_storm(5, moments=10)
    assert storm_campaign.open_fds() <= before


@pytest.fixture
def upstream() -> Iterator[LocalServer]:
    with LocalServer(lambda _r, _h: json_answer({"ok": True})) as server:
        yield server


def _through(upstream: LocalServer, fault: str) -> tuple[requests.Response | Exception, list[Request]]:
    with FaultProxy(upstream.url, lambda _n: fault, hang_s=1.0, retry_after_s=7) as proxy, requests.Session() as http:
        http.trust_env = False
        try:
            answer: requests.Response | Exception = http.post(proxy.url + "/hook", data=b"{}", timeout=0.5)
        except requests.RequestException as exc:
            answer = exc
    return answer, upstream.requests


def test_pass_forwards_and_a_status_fault_does_not(upstream: LocalServer) -> None:
    answer, seen = _through(upstream, "pass")
    assert isinstance(answer, requests.Response) and answer.json() == {"ok": True}
    assert len(seen) == 1
    answer, seen = _through(upstream, "429")
    assert isinstance(answer, requests.Response) and answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert len(seen) == 1  # not forwarded
    answer, _ = _through(upstream, "429-bare")
    assert isinstance(answer, requests.Response) and "Retry-After" not in answer.headers


def test_truncate_forwards_then_cuts_the_answer_off(upstream: LocalServer) -> None:
    answer, seen = _through(upstream, "truncate")
    assert len(seen) == 1  # the upstream has it, although the client sees a failure
    assert isinstance(answer, requests.RequestException), answer  # the body is shorter than announced


@pytest.mark.parametrize("fault", ["reset", "garbage", "hang"])
def test_transport_faults_fail_without_forwarding(upstream: LocalServer, fault: str) -> None:
    answer, seen = _through(upstream, fault)
    assert isinstance(answer, requests.RequestException), answer
    assert seen == []
