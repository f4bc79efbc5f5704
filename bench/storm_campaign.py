"""Server storms (issue 14, part 2): the real sync engine delivers signed webhooks to a contract
receiver through the fault proxy (bench/fault_proxy.py), which answers a seeded share of requests with
resets, cut-off bodies, 500/502/503, 429 with and without Retry-After, 401, 410, non-HTTP bytes,
latency and silence. Time is the engine's own clock, simulated: each step jumps to when the engine
says it next has work, so an hour of back-off takes no wall time (requests themselves are real).

Per run it checks: nothing lost (every moment delivered, none dead), nothing duplicated (one webhook-id
per moment; a resend after a cut-off answer carries the same id, which receivers dedupe on), no busy
loop (requests and failed requests per simulated minute), Retry-After honoured, back-off after every
failure, no request while the target is paused after 401/410 (until it is resumed, as signing in
again does), and the reason the library shows (the failing or paused target's message) names the host.
RSS and open file descriptors are sampled after each run.

    .venv/bin/python -m bench.storm_campaign --runs 10 --moments 40 --seed 1
    .venv/bin/python -m bench.storm_campaign --flap --moments 1000 --soak-minutes 30   # the soak
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from bench.fault_proxy import FAULTS, FaultProxy, Seen
from bench.soak_sampler import Sampler, open_fds, rss_kib, soak_series
from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import Draft
from storage.moments import add_moment
from sync.connector import Target
from sync.connectors.xapi.content import MOMENT_EXTENSION, statement_id
from sync.engine import BACKOFF_BASE_S, SyncEngine
from sync.http import InflowSession, new_session
from tests.integration.servers.ralph import Ralph
from tests.unit.sync.local_server import LocalServer, json_answer

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HOST = "127.0.0.1"
TARGET = "hook"
#: How often each fault is picked when a request is faulted (auth and gone are rarer: they pause).
WEIGHTS = {f: (1 if f in ("401", "410") else 3) for f in FAULTS if f != "pass"}
PAUSING = ("401", "410")
RETRY_AFTER = ("429", "503")


@dataclass
class Backend:
    """Where the moments go: a connector kind, its settings behind the proxy, and what the server holds."""

    kind: str
    upstream: str  # the server's base URL (the proxy forwards there)
    path: str  # appended to the proxy's URL: the target's URL
    secret: str
    settings: dict[str, str]
    #: The server's id of the delivery with this idempotency key (webhook-id, xAPI statement id).
    remote_id: Callable[[str], str]
    #: (server id, moment id) of every copy the server received or holds.
    holdings: Callable[[], list[tuple[str, str]]]


def webhook_backend(receiver: LocalServer) -> Backend:
    """The contract receiver: keeps every delivery (resends too), as a receiver that does not dedupe."""

    def holdings() -> list[tuple[str, str]]:
        found = []
        for r in receiver.requests:
            if r.path == "/hook" and r.raw:
                found.append((r.headers.get("webhook-id", ""), json.loads(r.raw).get("data", {}).get("id", "")))
        return found

    return Backend("webhook", receiver.url, "/hook", SECRET, {}, lambda key: key, holdings)


def ralph_backend(ralph: Ralph) -> Backend:
    """The real Ralph LRS: dedupes on the statement id (uuid5 of the idempotency key)."""

    def holdings() -> list[tuple[str, str]]:
        return [
            (s["id"], s.get("context", {}).get("extensions", {}).get(MOMENT_EXTENSION, "")) for s in ralph.statements()
        ]

    settings = {"username": ralph.username}
    return Backend("xapi", ralph.base_url, "/xAPI", ralph.password, settings, statement_id, holdings)


class SimClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class RunResult:
    seed: int
    moments: int
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    duplicated: int = 0
    resends: int = 0  # the same webhook-id received again (a cut-off answer): deduped by the receiver
    max_per_min: int = 0
    max_failed_per_min: int = 0
    retry_after_violations: int = 0
    min_gap_after_failure: float = float("inf")
    paused_requests: int = 0  # requests while paused after 401/410 (must be 0)
    pauses: int = 0
    reasons_missing: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # fault -> one message the library showed
    sim_minutes: float = 0.0
    wall_s: float = 0.0
    rss_kib: int = 0
    fds: int = 0
    rss_first_kib: int = 0  # once a tenth of the moments went out (warm), to compare with the end
    fds_first: int = 0

    @property
    def ok(self) -> bool:
        return (
            not (
                self.lost
                or self.duplicated
                or self.retry_after_violations
                or self.paused_requests
                or self.reasons_missing
            )
            and self.min_gap_after_failure >= BACKOFF_BASE_S / 2
        )


def _session(timeout: float) -> InflowSession:
    http = new_session("inflow-storm", timeout=(timeout, timeout), deadline=timeout * 4, use_os_trust_store=False)
    http.trust_env = False  # no proxy from the environment between us and loopback
    return http


def run_storm(
    seed: int,
    moments: int = 40,
    fault_rate: float = 0.5,
    timeout: float = 0.5,
    *,
    flap: bool = False,
    backend: Callable[[LocalServer], Backend] = webhook_backend,
) -> RunResult:
    """One storm: `moments` shared while `fault_rate` of requests fail (with `flap`, the server is down
    for 25 requests, then up for 25, and so on), then a calm drain; checked."""
    result = RunResult(seed, moments)
    started = time.monotonic()
    rng = random.Random(seed)
    clock = SimClock()
    t0 = clock.now
    storming = [True]
    faults, weights = list(WEIGHTS), list(WEIGHTS.values())
    forced = {rng.randrange(moments): "401", rng.randrange(moments, 2 * moments): "410"}  # one of each per run

    def fault_for(n: int) -> str:
        if storming[0] and n in forced:
            return forced[n]
        if flap:
            return rng.choices(faults, weights)[0] if storming[0] and (n // 25) % 2 else "pass"
        if storming[0] and rng.random() < fault_rate:
            return rng.choices(faults, weights)[0]
        return "pass"

    with (
        tempfile.TemporaryDirectory(prefix="inflow-storm-") as folder,
        LocalServer(lambda _r, _h: json_answer({"ok": True})) as receiver,
    ):
        server = backend(receiver)
        proxy = FaultProxy(server.upstream, fault_for, clock=clock, hang_s=timeout * 3).__enter__()
        db = open_database(Path(folder) / "inflow.db")
        target = Target(TARGET, server.kind, {"url": proxy.url + server.path, **server.settings})
        engine = SyncEngine(db, lambda: [target], lambda _t: server.secret, lambda: _session(timeout), clock=clock,
                            rng=rng.random)  # fmt: skip
        added = 0
        try:
            for _step in range(moments * 40):
                if added < moments and rng.random() < 0.6:
                    for _ in range(min(moments - added, rng.randint(1, 3))):
                        add_moment(db, Draft(title=f"storm {seed} #{added}", share_to=(TARGET,)))
                        added += 1
                if added == moments and storming[0] and len(proxy.seen) >= moments * 3:
                    storming[0] = False  # the storm ends; the engine drains in calm weather
                if not result.rss_first_kib and added >= moments // 10:
                    result.rss_first_kib, result.fds_first = rss_kib(), open_fds()
                before = len(proxy.seen)
                engine.run_pass()
                _check_reason(db, proxy.seen[before:], result)
                if TARGET in outbox.paused_targets(db):
                    _check_pause(engine, db, clock, proxy, result)
                summary = outbox_status.outbox_summary(db).get(TARGET, {})
                if added == moments and not any(summary.get(s, 0) for s in ("pending", "retrying", "inflight")):
                    break
                due = engine.next_due()
                clock.now = max(clock.now + 1.0, due) if due else clock.now + 60.0
            _verify(db, server, proxy.seen, result)
        finally:
            engine.close()
            db.close()
            proxy.__exit__(None, None, None)
    result.sim_minutes = (clock.now - t0) / 60
    result.wall_s = time.monotonic() - started
    result.rss_kib, result.fds = rss_kib(), open_fds()
    return result


def _check_reason(db: Database, seen: list[Seen], result: RunResult) -> None:
    """After a pass whose last request failed, the library's line for the target names the host."""
    if not seen or seen[-1].fault in ("pass", "latency"):
        return
    fault = seen[-1].fault
    paused = outbox.paused_targets(db)
    failing = outbox_status.failing_targets(db)
    message = paused.get(TARGET) or (failing[TARGET].error if TARGET in failing else "")
    if HOST not in message:
        result.reasons_missing.append(f"{fault}: {message!r}")
    result.reasons.setdefault(fault, message)


def _check_pause(engine: SyncEngine, db: Database, clock: SimClock, proxy: FaultProxy, result: RunResult) -> None:
    """Paused after 401/410: an hour of passes makes no request; then the person resumes it."""
    result.pauses += 1
    before = len(proxy.seen)
    for _ in range(4):
        clock.now += 900
        engine.run_pass()
    result.paused_requests += len(proxy.seen) - before
    engine.resume(TARGET)


def _verify(db: Database, server: Backend, seen: list[Seen], result: RunResult) -> None:
    rows = db.execute(
        "SELECT o.idempotency_key, o.state, m.id FROM outbox o JOIN moments m ON m.rowid = o.moment_rowid "
        "WHERE o.target = ?",
        [TARGET],
    ).fetchall()
    ours = {m for _k, _s, m in rows}
    copies = Counter(remote for remote, moment in server.holdings() if moment in ours)
    ids_per_moment: dict[str, set[str]] = {}
    for remote, moment in server.holdings():
        if moment in ours:
            ids_per_moment.setdefault(moment, set()).add(remote)
    result.lost = sum(1 for key, state, _m in rows if state != "sent" or server.remote_id(key) not in copies)
    result.lost += max(0, result.moments - len(rows))
    result.duplicated = sum(len(ids) - 1 for ids in ids_per_moment.values())
    result.resends = sum(n - 1 for n in copies.values())
    result.requests = len(seen)
    result.faults = Counter(s.fault for s in seen)
    times = [s.at for s in seen]
    failed = [s.at for s in seen if s.fault not in ("pass", "latency")]
    result.max_per_min = _max_in_window(times, 60.0)
    result.max_failed_per_min = _max_in_window(failed, 60.0)
    for this, following in itertools.pairwise(seen):
        gap = following.at - this.at
        if this.fault in RETRY_AFTER and gap < 30 - 1e-6:
            result.retry_after_violations += 1
        if this.fault not in ("pass", "latency", *PAUSING):
            result.min_gap_after_failure = min(result.min_gap_after_failure, gap)


def _max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def table(results: list[RunResult]) -> str:
    head = (
        "| seed | moments | requests | faulted | lost | dup | resends (same id) | max req/min | max failed/min "
        "| min gap after failure (s) | Retry-After broken | requests while paused | pauses | reasons w/o host "
        "| sim min | wall s | RSS KiB (warm → end) | fds (warm → end) |"
    )
    rows = [head, "|" + "---|" * 18]
    for r in results:
        faulted = r.requests - r.faults["pass"]
        rows.append(
            f"| {r.seed} | {r.moments} | {r.requests} | {faulted} | {r.lost} | {r.duplicated} | {r.resends} | "
            f"{r.max_per_min} | {r.max_failed_per_min} | {r.min_gap_after_failure:.1f} | {r.retry_after_violations} | "
            f"{r.paused_requests} | {r.pauses} | {len(r.reasons_missing)} | {r.sim_minutes:.0f} | {r.wall_s:.1f} | "
            f"{r.rss_first_kib} → {r.rss_kib} | {r.fds_first} → {r.fds} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--moments", type=int, default=40, help="moments shared per run")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first run (then +1 per run)")
    parser.add_argument("--fault-rate", type=float, default=0.5)
    parser.add_argument("--flap", action="store_true", help="down for 25 requests, up for 25, ... (the soak)")
    parser.add_argument("--minutes", type=float, default=10.0, help="stop starting runs after this long")
    parser.add_argument(
        "--soak-minutes", type=float, default=0.0,
        help="run storms back to back for this much wall time, sampling RSS and fds every 30 s",
    )  # fmt: skip
    parser.add_argument(
        "--backend", choices=("webhook", "ralph"), default="webhook",
        help="the contract webhook receiver, or a real Ralph LRS (scripts/servers.sh installs it)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    soak = args.soak_minutes > 0
    deadline = time.monotonic() + (args.soak_minutes if soak else args.minutes) * 60
    results: list[RunResult] = []
    sampler = Sampler()
    if soak:
        args.runs = 10**6
        sampler.start()
    with contextlib.ExitStack() as stack:
        backend: Callable[[LocalServer], Backend] = webhook_backend
        if args.backend == "ralph":
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="inflow-storm-ralph-")))
            ralph = Ralph.create(folder)
            stack.callback(ralph.close)
            backend = lambda _receiver: ralph_backend(ralph)  # noqa: E731
        for n in range(args.runs):
            if time.monotonic() > deadline:
                print(f"time is up after {n} runs", file=sys.stderr)
                break
            results.append(run_storm(args.seed + n, args.moments, args.fault_rate, flap=args.flap, backend=backend))
    print(table(results))
    if soak:
        sampler.stopped.set()
        sampler.join()
        sampler.samples.append((time.monotonic() - sampler.started, rss_kib(), open_fds()))
        print("\nSoak:\n" + soak_series(sampler.samples))
    reasons: dict[str, str] = {}
    for r in results:
        for fault, message in r.reasons.items():
            reasons.setdefault(fault, message)
    print("\nWhat the library showed, per fault:")
    for fault in sorted(reasons):
        print(f"  {fault:9} {reasons[fault]}")
    for r in results:
        for missing in r.reasons_missing[:3]:
            print(f"  seed {r.seed}: reason without the host: {missing}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
